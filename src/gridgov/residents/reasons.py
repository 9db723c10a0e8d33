"""A refusal reason as a resident reads it (issue 11): the staff member's comment told to the
reporter and shown on the resident and public timelines goes through the publication
scrubbing (phone, ID numbers, e-mail, the reporter's name) with the usernames of staff
accounts that appear in it masked as well, and kept short."""

from django.db.models import F, Q, Value
from django.db.models.functions import Length

from gridgov.accounts.models import User
from gridgov.accounts.roles import Role
from gridgov.events.models import Event
from gridgov.open311.publication import public_text

REASON_MAX = 200


def _staff_usernames_in(text: str) -> list[str]:
    """Usernames of staff accounts written in `text`, longest first (a name inside a longer
    one is masked with it)."""
    if not text:
        return []
    staff = Q(is_staff=True) | Q(is_superuser=True) | ~Q(role=Role.RESIDENT)
    names = (
        User.objects.filter(staff)
        .annotate(text=Value(text), name_length=Length("username"))
        .filter(name_length__gte=2, text__contains=F("username"))
        .order_by("-name_length")
        .values_list("username", flat=True)
    )
    return list(names)


def reason_public(text: str, event: Event) -> str:
    """`text` (a staff member's reason) as a resident or the public may read it."""
    names = (event.reporter_name or "", *_staff_usernames_in(text or ""))
    scrubbed = public_text(text or "", names=tuple(names)).strip()
    if len(scrubbed) > REASON_MAX:
        scrubbed = scrubbed[: REASON_MAX - 1] + "…"
    return scrubbed
