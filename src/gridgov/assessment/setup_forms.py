"""The setup page's form posts: one `action` field names the service to call. Values arrive
as text; the services check them (a bad number is a clear message, nothing changed)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.assessment import services
from gridgov.common.errors import DomainError

MAX_FIELD = 2000


def _id(post: QueryDict, name: str) -> int:
    try:
        value = int(post.get(name, ""))
    except ValueError:
        raise DomainError(_("Choose what to change."), field=name) from None
    if not 1 <= value <= 2**62:
        raise DomainError(_("Choose what to change."), field=name)
    return value


def _text(post: QueryDict, name: str) -> str | None:
    value = post.get(name)
    return None if value is None else value[:MAX_FIELD]


def _optional(post: QueryDict, name: str) -> str | None:
    value = (post.get(name) or "").strip()
    return value[:40] or None


def _bands(raw: str | None, field: str) -> list | None:
    """ "A 90, B 75, C 60, D 40, E 0" → [["A", 90], …]."""
    if raw is None or not raw.strip():
        return None
    bands = []
    for part in raw.replace("，", ",").split(","):
        bits = part.split()
        if len(bits) != 2:
            raise DomainError(_("Write the grades as: A 90, B 75, C 0."), field=field)
        try:  # the form's text becomes the number the service expects
            floor = float(bits[1])
        except ValueError:
            raise DomainError(_("Write the grades as: A 90, B 75, C 0."), field=field) from None
        bands.append([bits[0], floor])
    return bands


def setup_apply(user: User, post: QueryDict) -> str:
    action = post.get("action", "")
    if action == "zone_create":
        services.zone_save(
            user=user,
            root_code=_optional(post, "root"),
            name=_text(post, "name") or "",
            focus=_text(post, "focus") or "",
            street_codes=post.getlist("streets")[:100],
        )
        return _("Zone added.")
    if action == "zone_update":
        services.zone_save(
            user=user,
            zone_id=_id(post, "zone"),
            name=_text(post, "name"),
            focus=_text(post, "focus"),
            # Unticking every street is a change too: the form says it sent the boxes.
            street_codes=post.getlist("streets")[:100] if post.get("streets_sent") else None,
        )
        return _("Zone saved.")
    if action == "zone_delete":
        services.zone_delete(user=user, zone_id=_id(post, "zone"))
        return _("Zone removed.")
    if action == "indicator_add":
        services.indicator_save(
            user=user,
            zone_id=_id(post, "zone"),
            key=_optional(post, "key"),
            weight=_optional(post, "weight"),
            target=_optional(post, "target"),
            baseline=_optional(post, "baseline"),
        )
        return _("Indicator added.")
    if action == "indicator_update":
        services.indicator_save(
            user=user,
            indicator_id=_id(post, "indicator"),
            weight=_optional(post, "weight"),
            target=_optional(post, "target"),
            baseline=_optional(post, "baseline"),
        )
        return _("Indicator saved.")
    if action == "indicator_delete":
        services.indicator_delete(user=user, indicator_id=_id(post, "indicator"))
        return _("Indicator removed.")
    if action == "scheme":
        services.scheme_save(
            user=user,
            root_code=_optional(post, "root"),
            street_grades=_bands(_text(post, "street_grades"), "street_grades"),
            community_grades=_bands(_text(post, "community_grades"), "community_grades"),
        )
        return _("Grade bands saved.")
    raise DomainError(_("Unknown action."), field="action")
