"""The big screen's words, sent to its script as one json_script block. Formulas are
templates with {name} slots the script fills with the counts behind each number, so that
every figure on the wall says how it was computed and over what (docs/rates.md)."""

from django.utils.translation import gettext_lazy as _

SCREEN_STRINGS = {
    "open": _("Open events"),
    "reported_today": _("Reported today"),
    "closed_today": _("Closed today"),
    "closure": _("Closure rate"),
    "on_time": _("On time"),
    "satisfaction": _("Satisfaction"),
    "reported": _("Reported"),
    "closed": _("Closed"),
    "trend": _("Last 14 days"),
    "by_area": _("Open events by area"),
    "workers": _("On-duty workers"),
    "nearest": _("Nearest on-duty workers (2 km)"),
    "dispatch": _("Dispatch"),
    "dispatched": _("Dispatched."),
    "open_page": _("Open the event"),
    "no_workers": _("No on-duty grid worker within 2 km."),
    "updated": _("Updated"),
    "failed": _("Could not update; retrying."),
    "call": _("Call"),
    "video": _("Video"),
    "open_tasks": _("open tasks"),
    # The command center (decision 0039).
    "urgent": _("Urgent"),
    "overdue": _("Overdue"),
    "overdue_by": _("overdue since {due}"),
    "no_alarms": _("No urgent or overdue event."),
    "more": _("+{n} more"),
    "sound_on": _("Sound on"),
    "sound_off": _("Muted"),
    "events": _("Events"),
    "hotspots": _("Hotspots (last 30 days)"),
    "hotspots_off": _("Hotspots unavailable"),
    "hotspot_tip": _("{count} events ({share} of the area's) in this cell; most: {top}"),
    "workers_layer": _("On-duty workers"),
    "grid_workers_tip": _("{name}: {count} on-duty workers"),
    "track": _("Today's track of {name}: {n} positions"),
    "no_track": _("{name} has no track today."),
    "whistle_steps": _("check-in · action · report-back"),
    "camera_none": _("No snapshot"),
    "stream": _("Live stream"),
    "no_stream": _("No stream registered"),
    "camera_total": _("{n} camera alerts in {days} days"),
    "whistle_total": _("{n} whistles in progress"),
    "rank_none": _("No event due to close in this period yet."),
    # Formulas: {slots} are filled with the counts.
    "tip_closure": _(
        "Closure rate = closed {closed} ÷ due to close {due}. {not_due} of the {reported}"
        " reported (less {voided} void) are not due yet: still open within their deadline,"
        " or refused."
    ),
    "tip_on_time": _(
        "On-time closure rate = closed by the handling deadline {on_time} ÷ due to close {due}."
    ),
    "tip_satisfaction": _(
        "Satisfaction = (satisfied {satisfied} + 0.9 × basically satisfied {basically})"
        " ÷ rated {rated}."
    ),
    "tip_acceptance": _(
        "Timely acceptance = answered in time {answered} ÷ reported less void {base}."
    ),
    "tip_reported": _("Events reported since {since} ({voided} of them void)."),
    "tip_open": _(
        "Open events now (every open event of the area, not only those on the map):"
        " {open}; past their stage's deadline: {red}."
    ),
    "tip_urgent": _("Open events of an urgent subclass or filed urgent/critical: {n}."),
    "tip_overdue": _("Open events past their stage's deadline: {n}."),
    "tip_workers": _(
        "On-duty grid workers and grid heads whose position is under 30 minutes old: {n}."
    ),
    "no_rate": _("no event due yet"),
}

# The rankings' rows are the areas one level below the reader's own.
BELOW_LABELS = {
    "province": _("Cities"),
    "city": _("Districts"),
    "county": _("Streets"),
    "street": _("Communities"),
    "community": _("Grids"),
}
PERIODS = (("today", _("Today")), ("month", _("This month")), ("year", _("This year")))
