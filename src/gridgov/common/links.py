"""Links that someone else gave us and that we show or publish: web addresses only.

A snapshot or media URL from a camera platform or an Open311 client ends up as a link in
the back office and in every Open311 client; `javascript:` or `file:` there would run or
read something on the viewer's side, and a 1 MB "URL" would bloat every list.
"""

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError

MAX_URL_LENGTH = 500
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def web_url_clean(value: object, *, field: str, max_length: int = MAX_URL_LENGTH) -> str | None:
    """An http(s) URL with a host, at most `max_length` characters; None when empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise DomainError(_("The link must be text."), field=field)
    if len(value) > max_length:
        raise DomainError(
            _("The link is longer than %(n)d characters.") % {"n": max_length}, field=field
        )
    try:
        parts = urlsplit(value)
    except ValueError:
        raise DomainError(_("The link is not a web address."), field=field) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or _SPACE_OR_CONTROL.search(value)
    ):
        raise DomainError(_("The link must be an http or https address."), field=field)
    return value
