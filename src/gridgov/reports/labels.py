"""Words the report files share (both builders, the listing and the inbox message)."""

import datetime as dt

from django.utils.translation import gettext as _

from gridgov.reports.periods import Period


def kind_names() -> dict[str, str]:
    return {
        "day": _("Daily report"),
        "week": _("Weekly report"),
        "month": _("Monthly report"),
        "quarter": _("Quarterly report"),
        "year": _("Yearly report"),
    }


def period_name(period: Period) -> str:
    """The period as a reader says it: 2026-10-05, 2026-W41 (10-05 – 10-11), 2026-10 …"""
    if period.kind == "week":
        return f"{period.key} ({period.start:%m-%d} – {period.last_day:%m-%d})"
    return period.key


def period_title(figures: dict) -> str:
    found = figures["period"]
    period = Period(
        found["kind"],
        dt.date.fromisoformat(found["start"]),
        dt.date.fromisoformat(found["last_day"]) + dt.timedelta(days=1),
    )
    return f"{period_name(period)} {kind_names()[period.kind]}"


def table_titles() -> dict[str, str]:
    return {
        "summary": _("Summary"),
        "areas": _("By area"),
        "departments": _("By department"),
        "categories": _("By category"),
        "sources": _("By source"),
        "trend": _("Trend"),
    }
