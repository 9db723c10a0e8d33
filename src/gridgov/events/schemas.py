"""Input and output schemas of the events API (events/api.py).

Output schemas are allow-lists: a key a selector adds is not sent until it is named here.
"""

from typing import Any

from ninja import Field, Schema

from gridgov.common.schemas import Id, Lat, Lon, Out

# Free text is bounded here so that a megabyte of description is refused before any work;
# the services keep their own, tighter rules (a description of at most 2000 characters).
SHORT_TEXT = 200
LONG_TEXT = 4000


class ReportIn(Schema):
    subclass: str = Field(max_length=SHORT_TEXT)
    description: str = Field(max_length=LONG_TEXT)
    lon: Lon | None = None
    lat: Lat | None = None
    component: str | None = Field(
        None, max_length=SHORT_TEXT, description="A registered city component's 16-digit id"
    )
    crs: str = Field("wgs84", max_length=16)
    address: str = Field("", max_length=SHORT_TEXT)
    urgency: str = Field("normal", max_length=16)
    source: str | None = Field(
        None,
        max_length=32,
        description="a wish: the channel is derived from your role (events/channels.py)",
    )
    client_uuid: str | None = Field(None, max_length=64)
    reporter_name: str = Field("", max_length=SHORT_TEXT)
    reporter_phone: str = Field("", max_length=32)
    # The subclass's own extra fields (they vary by subclass, so a free mapping).
    extra: dict[str, Any] = {}
    photos: list[str] = Field([], max_length=20, description="refs from POST /photos")


class ActionIn(Schema):
    comment: str = Field("", max_length=LONG_TEXT)
    version: int | None = Field(None, ge=0, le=2**31 - 1)
    department_id: Id | None = None
    assignee_id: Id | None = None
    assignee_ids: list[Id] = Field([], max_length=50, description="several: the first leads")
    satisfaction: str | None = Field(
        None,
        max_length=32,
        description="evaluate: very_satisfied, satisfied, basically, dissatisfied, very_dissatisfied",
    )
    extra_hours: float | None = Field(None, gt=0, le=10_000)
    photos: list[str] = Field([], max_length=20, description="refs from POST /photos")


class WhistleIn(Schema):
    level: str = Field(max_length=32)
    department_ids: list[Id] = Field(max_length=50)
    reason: str = Field(max_length=LONG_TEXT)


class ReportBackIn(Schema):
    report: str = Field(max_length=LONG_TEXT)


class StepOut(Out):
    at: str
    at_display: str | None
    label: str
    action: str
    from_state: str | None = Field(alias="from")
    to: str | None
    by: str | None = Field(description="the actor's username (staff only)")
    by_name: str | None = Field(None, description="the actor's name, family name first")
    comment: str
    data: dict[str, Any]
    reply: str = Field("", description="the public reply: what the reporter is told")


class SummonsOut(Out):
    id: int
    department: str
    check_in_due_at: str
    checked_in_at: str | None
    late: bool = Field(
        description="checked in after the check-in deadline (or not yet and past it)"
    )
    action_due_at: str | None = None
    action_at: str | None = None
    report_due_at: str | None = None
    reported_at: str | None
    report: str
    rating: str = Field("", description="the whistling level's: good, adequate, poor or blank")


class WhistleOut(Out):
    level: str
    level_name: str
    reason: str
    at: str
    summonses: list[SummonsOut]


class EventOut(Out):
    id: int
    number: str
    state: str
    state_name: str
    version: int
    subclass: str
    subclass_name: str
    description: str
    urgency: str
    urgent: bool = Field(False, description="an urgent subclass: alarm, calendar-hour deadlines")
    source: str
    area: str
    area_name: str
    lon: float | None
    lat: float | None
    address: str
    department: str | None
    assignee: str | None
    duplicate_of: int | None
    pending_request: str | None
    supervised: bool
    rework_count: int
    satisfaction: str | None
    reported_at: str
    reported_display: str | None
    stage_due_display: str | None
    stage_due_at: str | None
    deadline: str = Field(description="green, yellow, red, or empty when no deadline runs")
    closed_at: str | None
    actions: list[str] = Field(description="what you may do now")


class EventDetailOut(EventOut):
    timeline: list[StepOut]
    whistles: list[WhistleOut]


class EventPage(Out):
    count: int = Field(description="matches from this page on; an estimate unless count_exact")
    count_exact: bool = True
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page")
    items: list[EventOut]


class PublicReportOut(Out):
    """What an anonymous reporter is told: the number to follow it by (no grid code)."""

    id: int
    number: str
    state: str


class AlertOut(Out):
    id: int
    number: str
    area: str


class SuggestionOut(Out):
    code: str
    name: str
    score: float
    words: list[str]


class PhotoOut(Out):
    ref: str
    width: int
    height: int
    exif_lon: float | None
    exif_lat: float | None


class HotlineOut(Out):
    response_rate: float | None
    solved_rate: float | None
    satisfied_rate: float | None
    score: float | None


class RatesOut(Out):
    counts: dict[str, int]
    closure_rate: float | None
    on_time_closure_rate: float | None
    timely_acceptance_rate: float | None
    timely_dispatch_rate: float | None
    rework_rate: float | None
    satisfaction_rate: float | None
    hotline: HotlineOut
    average_handling_hours: float | None


class RatesReportOut(Out):
    all: RatesOut
    groups: dict[str, RatesOut] | None = Field(None, description="only when `group` is given")
    whistles: dict[str, dict[str, int]] = Field(description="per summoned department")


class ScreenEventOut(Out):
    id: int
    number: str
    lon: float | None
    lat: float | None
    state: str
    state_name: str
    kind: str
    deadline: str
    reported_at: str


class ScreenAlarmOut(Out):
    id: int
    number: str
    kind: str
    area: str
    state: str
    state_name: str
    reported_at: str
    lon: float | None
    lat: float | None


class ScreenWorkerOut(Out):
    id: int
    name: str
    lon: float
    lat: float


class ScreenAreaOut(Out):
    name: str
    open: int = 0
    yellow: int = 0
    red: int = 0


class ScreenTodayOut(Out):
    reported: int
    closed: int
    closure_rate: float | None
    on_time_closure_rate: float | None
    satisfaction_rate: float | None


class ScreenTrendOut(Out):
    days: list[str]
    reported: list[int]
    closed: list[int]


class ScreenWhistleLevelOut(Out):
    level: str
    name: str
    overdue: int


class ScreenWhistlesOut(Out):
    label: str
    overdue_total: int = Field(description="open summonses past a deadline (decision 0025)")
    levels: list[ScreenWhistleLevelOut]


class ScreenOut(Out):
    generated_at: str
    root: str | None
    open_total: int
    areas: dict[str, ScreenAreaOut]
    events: list[ScreenEventOut] = Field(description="the newest open events in the box")
    events_complete: bool = Field(True, description="false: more open events than markers")
    alarms: list[ScreenAlarmOut] = Field([], description="open events of an urgent subclass")
    workers: list[ScreenWorkerOut]
    today: ScreenTodayOut
    trend: ScreenTrendOut
    whistles: ScreenWhistlesOut | None = None


class WhistleBlownOut(Out):
    id: int
    level: str
    summonses: list[int]


class SummonsCheckedInOut(Out):
    id: int
    checked_in_at: str
    late: bool


class ReportedBackOut(Out):
    id: int
    reported_at: str
