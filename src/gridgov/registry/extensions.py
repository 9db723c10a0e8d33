"""Hooks for the apps above the registry (care) to add to its pages and its search.

The registry never imports them: an app above registers here in its AppConfig.ready(),
as events tells the apps above it through a signal. What a hook returns is already
checked against the user (capabilities, area, sensitive groups) by the app that owns it.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.safestring import SafeString

# where -> renderers of a panel: (request, object) -> HTML ("" when nothing to show).
# "person" panels get a registry.Resident, "household" panels a registry.Household.
_panels: dict[str, list[Callable[[Any, Any], SafeString | str]]] = {"person": [], "household": []}
# The special groups: the options a user may filter by, and the filter itself.
_tag_options: Callable[[Any], list[tuple[str, str]]] | None = None
_tag_filter: Callable[[Any, QuerySet, str], QuerySet] | None = None


def panel_register(where: str, render: Callable[[Any, Any], SafeString | str]) -> None:
    if render not in _panels[where]:
        _panels[where].append(render)


def panels_render(where: str, request, obj) -> list[SafeString | str]:
    return [html for render in _panels[where] if (html := render(request, obj))]


def tags_register(
    options: Callable[[Any], list[tuple[str, str]]],
    filter_residents: Callable[[Any, QuerySet, str], QuerySet],
) -> None:
    global _tag_options, _tag_filter
    _tag_options, _tag_filter = options, filter_residents


def tag_options(user) -> list[tuple[str, str]]:
    """(key, name) of the special groups this user may see and filter by."""
    return _tag_options(user) if _tag_options else []


def residents_with_tag(user, residents: QuerySet, key: str) -> QuerySet:
    """`residents` narrowed to those in group `key`. The owner raises NotFound for a group
    the user may not see (a sensitive one without the right), as for one that does not
    exist, and records the read of a sensitive group."""
    if _tag_filter is None:
        return residents.none()
    return _tag_filter(user, residents, key)
