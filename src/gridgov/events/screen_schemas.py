"""Output schemas of the command center's panels (events/api_command.py). Allow-lists, as
events/schemas.py: a key a panel adds is not sent until it is named here."""

from ninja import Field

from gridgov.common.schemas import Out


class FigureOut(Out):
    """The counts behind the rates, so that every number on the wall can say its formula and
    its denominator (docs/rates.md)."""

    reported: int
    voided: int
    due_to_close: int = Field(description="the closure rates' denominator")
    not_due: int = Field(description="reported, less void, not yet due to close")
    closed: int
    closed_on_time: int
    answered_in_time: int
    rated: int
    satisfied: int
    basically: int
    closure_rate: float | None
    on_time_closure_rate: float | None
    timely_acceptance_rate: float | None
    satisfaction_rate: float | None
    score: float | None = Field(description="the 12345 combined score")


class RankedOut(FigureOut):
    key: str = Field(description="an area code, or a department's name")
    name: str
    rank: int


class PeriodsOut(Out):
    today: FigureOut
    month: FigureOut
    year: FigureOut


class OpenBelowOut(Out):
    key: str
    name: str
    open: int
    yellow: int
    red: int


class CommandRatesOut(Out):
    generated_at: str
    period: str
    since: str
    periods: PeriodsOut
    areas: list[RankedOut] = Field(description="the level below the reader's area, ranked")
    departments: list[RankedOut]
    open_by_area: list[OpenBelowOut] = Field(
        [], description="open events now per area of the level below, the most first"
    )


class AlarmOut(Out):
    id: int
    number: str
    kind: str
    area: str
    state_name: str
    reported_at: str
    due_at: str | None
    lon: float | None
    lat: float | None


class CommandAlarmsOut(Out):
    generated_at: str
    urgent_total: int
    overdue_total: int
    urgent: list[AlarmOut]
    overdue: list[AlarmOut] = Field(description="the longest overdue first")


class GridWorkersOut(Out):
    code: str
    name: str
    count: int


class WorkerDotOut(Out):
    id: int
    name: str
    lon: float
    lat: float
    grid: str


class CommandWorkersOut(Out):
    generated_at: str
    total: int
    grids: list[GridWorkersOut]
    dots: list[WorkerDotOut] = Field(description="empty unless zoomed in (a box is given)")
    dots_complete: bool


class CameraEventOut(Out):
    id: int
    number: str
    kind: str
    area: str
    state_name: str
    reported_at: str
    camera: str
    snapshot_url: str
    stream_url: str


class CommandCamerasOut(Out):
    generated_at: str
    total: int = Field(description="camera events reported in the period")
    days: int
    events: list[CameraEventOut]


class CommandStepOut(Out):
    step: str
    name: str
    status: str
    due: str | None
    by: str


class CommandSummonsOut(Out):
    department: str
    steps: list[CommandStepOut]


class CommandWhistleOut(Out):
    id: int
    event_id: int
    number: str
    kind: str
    area: str
    level_name: str
    at: str
    reason: str
    summonses: list[CommandSummonsOut]


class CommandWhistlesOut(Out):
    generated_at: str
    total: int = Field(description="whistles with a summons not yet reported back")
    whistles: list[CommandWhistleOut]
