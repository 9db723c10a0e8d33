"""Reads of the reports app, each scoped: a report or subscription is read by people with
ANALYTICS_VIEW inside whose area it lies (a street's staff see their street's reports only)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.roles import Capability
from gridgov.accounts.scope import get_in_scope, require_capability
from gridgov.areas.models import Area
from gridgov.common.errors import NotFound
from gridgov.reports.models import Report, Subscription
from gridgov.reports.services import REPORT_LEVELS

MAX_LISTED = 200


def reports_visible(*, user: User, kind: str | None = None, area: str | None = None) -> QuerySet:
    require_capability(user, Capability.ANALYTICS_VIEW)
    reports = get_in_scope(user, Report.objects.select_related("area"), Capability.ANALYTICS_VIEW)
    if kind:
        reports = reports.filter(kind=kind)
    if area:
        reports = reports.filter(area__code=area)
    return reports.order_by("-start", "kind", "area__code")


def report_get(*, user: User, report_id: int) -> Report:
    """A report the user may read; to anyone else it does not exist."""
    found = reports_visible(user=user).filter(pk=report_id).first()
    if found is None:
        raise NotFound(_("No such report."))
    return found


def subscriptions_of(*, user: User) -> QuerySet:
    require_capability(user, Capability.ANALYTICS_VIEW)
    return Subscription.objects.filter(user=user).select_related("area")


def report_areas(*, user: User) -> list[Area]:
    """The areas the user may ask reports for: their district and streets in their scope."""
    areas = get_in_scope(user, Area.objects.all(), Capability.ANALYTICS_VIEW, area_field="")
    return list(areas.filter(kind__in=REPORT_LEVELS).order_by("depth", "code")[:100])
