"""Events and everything around them: the catalog, routing, the event, its timeline,
the working calendar and whistle-and-report.

`Event.state` is changed only by `workflow.apply`, which compares and swaps on
`version` and writes the immutable `TimelineEntry` of the step.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.events.workflow import State


class CatalogClass(models.Model):
    class Family(models.TextChoices):
        EVENT = "event", _("Event")
        COMPONENT = "component", _("City component")

    family = models.CharField(_("family"), max_length=16, choices=Family.choices)
    code = models.CharField(_("code"), max_length=4)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)

    class Meta:
        verbose_name = _("catalog class")
        verbose_name_plural = _("catalog classes")
        ordering = ["family", "code"]
        constraints = [models.UniqueConstraint(fields=["family", "code"], name="unique_class_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Subclass(models.Model):
    """An event type (the thing a report is about): code, names, keywords, limits, routing default."""

    class Level(models.TextChoices):
        STREET = "street", _("Street")
        DISTRICT = "district", _("District")
        CITY = "city", _("City")

    event_class = models.ForeignKey(
        CatalogClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="subclasses"
    )
    code = models.CharField(_("code"), max_length=5, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by spaces.")
    )
    default_level = models.CharField(
        _("handled by default at"), max_length=16, choices=Level.choices
    )
    # {"normal": {"accept": 1, "dispatch": 1, "handle": 4}, "urgent": {...}, "critical": {...}} in working hours
    time_limits = models.JSONField(_("time limits (working hours)"), default=dict)
    photo_required = models.BooleanField(_("verification photo required"), default=False)
    extra_fields = models.JSONField(_("extra fields"), default=list, blank=True)
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=100)
    duplicate_window_hours = models.PositiveIntegerField(_("duplicate window (h)"), default=24)
    active = models.BooleanField(_("active"), default=True)
    # The grid admission list (入格事项清单): only listed matters may be given to grid staff.
    in_grid_list = models.BooleanField(_("on the grid admission list"), default=True)
    # The enforcement list (执法清单) of the one unified enforcement squad.
    enforcement = models.BooleanField(_("on the enforcement list"), default=False)
    # Danger to life or property (gas, collapse, a burst main): filed at the top urgency, its
    # deadlines run in calendar hours (nights and holidays count) and it alarms the desk.
    urgent = models.BooleanField(_("urgent (alarm, deadlines in calendar hours)"), default=False)

    class Publication(models.TextChoices):
        NONE = "none", _("Never published")
        PUBLIC_SOURCES = (
            "public_sources",
            _("Reports from the public (residents, hotline, Open311)"),
        )
        ALL_SOURCES = "all_sources", _("Reports from every source, staff and cameras too")

    # What anonymous Open311 clients may read (issue 8): a dispute or a person in difficulty
    # is nobody else's business; a staff or camera report is internal unless the type says so.
    publication = models.CharField(
        _("published on Open311"),
        max_length=16,
        choices=Publication.choices,
        default=Publication.PUBLIC_SOURCES,
    )
    public_facility = models.BooleanField(
        _("about a public facility"),
        default=False,
        help_text=_("The exact location is published; otherwise it is rounded to about 100 m."),
    )

    class Meta:
        verbose_name = _("event subclass")
        verbose_name_plural = _("event subclasses")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def limit_hours(self, urgency: str, stage: str) -> float:
        return float(
            self.time_limits.get(urgency, self.time_limits.get("normal", {})).get(stage, 8)
        )


class ComponentType(models.Model):
    component_class = models.ForeignKey(
        CatalogClass,
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="component_types",
    )
    code = models.CharField(_("type code"), max_length=5, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)

    class Meta:
        verbose_name = _("component type")
        verbose_name_plural = _("component types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Component(models.Model):
    """A registered city component: county code (6) + type (4) + serial (6) = 16 digits."""

    identifier = models.CharField(_("identifier"), max_length=20, unique=True)
    component_type = models.ForeignKey(
        ComponentType, verbose_name=_("type"), on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    owner = models.CharField(_("owner unit"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("city component")
        verbose_name_plural = _("city components")

    def __str__(self) -> str:
        return self.identifier


class RoutingRule(models.Model):
    """Which department answers for a subclass in an area (and everything below it)."""

    subclass = models.ForeignKey(
        Subclass, verbose_name=_("subclass"), on_delete=models.CASCADE, related_name="routes"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "areas.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="routes",
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["subclass", "area", "department"], name="unique_route")
        ]

    def __str__(self) -> str:
        return f"{self.subclass.code} @ {self.area.code} → {self.department}"


class Source(models.TextChoices):
    WORKER = "worker", _("Grid worker")
    RESIDENT = "resident", _("Resident")
    HOTLINE = "hotline", _("Hotline")
    CAMERA = "camera", _("Camera/sensor")
    OPEN311 = "open311", _("Open311")
    REFERRAL = "referral", _("Referral")


class Satisfaction(models.TextChoices):
    """The national five-level scale. The rates count three levels (docs/rates.md): the
    values the three-level scale had keep their meaning, the two outer ones fold in."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")

    @property
    def rate_level(self) -> str:
        """The level the rates count this answer as: satisfied, basically or dissatisfied."""
        return {"very_satisfied": "satisfied", "very_dissatisfied": "dissatisfied"}.get(
            self.value, self.value
        )

    @classmethod
    def counted_as(cls, level: str) -> list[str]:
        """The answers the rates count as `level`."""
        return [s.value for s in cls if s.rate_level == level]


class Event(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    client_uuid = models.UUIDField(_("client UUID"), unique=True, default=uuid.uuid4)
    subclass = models.ForeignKey(
        Subclass, verbose_name=_("subclass"), on_delete=models.PROTECT, related_name="events"
    )
    component = models.ForeignKey(
        Component, verbose_name=_("component"), null=True, blank=True, on_delete=models.SET_NULL
    )
    description = models.TextField(_("description"))
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)
    extra = models.JSONField(_("extra fields"), default=dict, blank=True)

    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REPORTED, db_index=True
    )
    version = models.PositiveIntegerField(default=0)
    department = models.ForeignKey(
        "areas.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    assignee = models.ForeignKey(
        "accounts.User",
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_events",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("likely duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pending_request = models.CharField(_("pending request"), max_length=20, blank=True)
    pending_until = models.DateTimeField(_("requested new deadline"), null=True, blank=True)
    supervised = models.BooleanField(_("under supervision (督办)"), default=False)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )

    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    stage_started_at = models.DateTimeField(_("stage started at"), null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due at"), null=True, blank=True, db_index=True)
    stage_warned = models.CharField(
        max_length=8, blank=True
    )  # "", "yellow", "red": what the sweep already notified
    accept_due_at = models.DateTimeField(_("accept due at"), null=True, blank=True)
    dispatch_due_at = models.DateTimeField(_("dispatch due at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling due at"), null=True, blank=True)
    # The H3 cell (resolution areas.hexes.RESOLUTION) of lon/lat, set at intake: hotspots
    # group by it and recurring problems match on it (issue 13, decision 0037).
    h3_cell = models.BigIntegerField(_("H3 cell"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-reported_at"]
        # Each index serves a read that must not grow with history (decision 0015): the
        # queue's branches (area, department, assignee, reporter; each optionally by state)
        # read newest first, the rates read by closing date, the screen reads open events only.
        indexes = [
            models.Index(fields=["state", "stage_due_at"]),
            models.Index(fields=["area", "state", "reported_at"], name="event_area_state_rep"),
            models.Index(fields=["state", "reported_at"], name="event_state_rep"),
            models.Index(
                fields=["department", "state", "reported_at"], name="event_dept_state_rep"
            ),
            models.Index(
                fields=["assignee", "state", "reported_at"], name="event_assignee_state_rep"
            ),
            models.Index(fields=["reporter", "reported_at"], name="event_reporter_rep"),
            models.Index(fields=["closed_at"], name="event_closed_at"),
            # A filter on one kind or one source walks that kind's events newest first
            # instead of the whole history's.
            models.Index(fields=["subclass", "reported_at"], name="event_subclass_rep"),
            models.Index(fields=["source", "reported_at"], name="event_source_rep"),
            # Recurring problems: the same cell and kind again within N days.
            models.Index(
                fields=["h3_cell", "subclass", "reported_at"], name="event_cell_subclass_rep"
            ),
            # Open events are a few percent of the table: the screen's counts per grid, its
            # newest markers and the queue's deadline filters read this small index only.
            models.Index(
                fields=["reported_at"],
                include=["area", "stage_due_at", "stage_warned"],
                condition=models.Q(
                    state__in=[
                        "reported",
                        "filed",
                        "dispatched",
                        "in_progress",
                        "handled",
                        "verified",
                    ]
                ),
                name="event_open_rep",
            ),
            # The queue's deadline and urgency sorts (decision 0026): events with a running
            # deadline (open ones, a few percent of the table) soonest first, for each
            # branch of what a user reads; the rest is read newest first by the indexes above.
            *(
                models.Index(
                    fields=[*lead, "stage_due_at", "id"],
                    condition=models.Q(stage_due_at__isnull=False),
                    name=name,
                )
                # All events at once: the stage_due_at column's own index serves.
                for lead, name in (
                    (("area",), "event_area_due"),
                    (("department",), "event_dept_due"),
                    (("assignee",), "event_assignee_due"),
                    (("urgency",), "event_urgency_due"),
                )
            ),
            # A worker's or department's events newest first whatever their state: with only
            # (x, state, reported_at) the planner walked the whole reported_at index for a
            # worker with no tasks (1.1 s at 1M events).
            models.Index(
                fields=["assignee", "reported_at"],
                condition=models.Q(assignee__isnull=False),
                name="event_assignee_rep",
            ),
            models.Index(
                fields=["department", "reported_at"],
                condition=models.Q(department__isnull=False),
                name="event_dept_rep",
            ),
            # The urgency sort's closed urgent and critical events of an area, newest first
            # (walking the whole history's newest first for a community's few: 25 ms at 1M).
            models.Index(
                fields=["area", "urgency", "reported_at"],
                condition=models.Q(urgency__in=["urgent", "critical"]),
                name="event_area_urgent_rep",
            ),
            # 督办 is rare: the supervised filter reads these few rows, not the history.
            models.Index(
                fields=["reported_at"],
                condition=models.Q(supervised=True),
                name="event_supervised_rep",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Assignment(models.Model):
    """A dispatch to one grid worker: offered, then accepted or declined with a reason.
    An event may be offered to several at once; `Event.assignee` is the one who leads."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="assignments"
    )
    worker = models.ForeignKey(
        "accounts.User",
        verbose_name=_("worker"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OFFERED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    offered_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["offered_at", "id"]
        # The queue's "handed to me" branch: a worker's live offers.
        indexes = [models.Index(fields=["worker", "status"], name="assignment_worker_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "worker"],
                condition=models.Q(status__in=["offered", "accepted"]),
                name="one_live_assignment_per_worker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.worker_id} ({self.status})"


class TimelineEntry(models.Model):
    """One step of an event, never changed or deleted."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]
        # An event's steps of one kind in order: the people's KPIs look up, per offer or
        # check, the answer or handling step before it (analytics/kpis_workers.py).
        indexes = [models.Index(fields=["event", "action", "id"], name="timeline_event_action")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"


class CalendarDay(models.Model):
    """A public holiday (no work) or a swapped working day (调休, work on a weekend)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'work' if self.is_workday else 'holiday'}"


class Whistle(models.Model):
    """吹哨: a level that cannot solve an event summons the departments of the level above."""

    class Level(models.TextChoices):
        COMMUNITY = "community", _("Community whistles, street reports")
        STREET = "street", _("Street whistles, district reports")
        DISTRICT = "district", _("District whistles, city reports")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="whistles"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("whistled by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")

    def __str__(self) -> str:
        return f"{self.event} {self.level}"


class Summons(models.Model):
    """One department summoned by a whistle: check in (报到) by its deadline, act, report back."""

    whistle = models.ForeignKey(
        Whistle, verbose_name=_("whistle"), on_delete=models.CASCADE, related_name="summonses"
    )
    department = models.ForeignKey(
        "areas.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="summonses",
    )
    check_in_due_at = models.DateTimeField(_("check-in due"))
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Acting (行动/到场处置) and reporting back (反馈) have their own deadlines, set when the
    # summons is made (GRIDGOV_WHISTLE_DEADLINES, by level; decision 0025). Null on summonses
    # made before deadlines existed and filled by migration 0017.
    action_due_at = models.DateTimeField(_("action due"), null=True, blank=True)
    action_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    action_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("acted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action_note = models.TextField(_("action taken"), blank=True)
    report_due_at = models.DateTimeField(_("report-back due"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported back at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    # Warnings the sweep sent, one bit each (whistles.WARNING_BITS): claimed by
    # compare-and-swap so that two sweepers never send the same warning twice.
    warned = models.PositiveSmallIntegerField(_("warnings sent"), default=0)

    class Rating(models.TextChoices):
        GOOD = "good", _("Good")
        ADEQUATE = "adequate", _("Adequate")
        POOR = "poor", _("Poor")

    # The whistling level's rating of the department's response (the street's say in the
    # assessment of the departments), once the department reported back.
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    rating_note = models.TextField(_("rating note"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("summons")
        verbose_name_plural = _("summonses")
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="unique_summons")
        ]

    def __str__(self) -> str:
        return f"{self.whistle} → {self.department}"


from gridgov.events.numbers import DailyCounter  # noqa: E402,F401  (a model: registered with the app)


class AlertSource(models.Model):
    """A camera or sensor platform that posts alerts to its own webhook, signed with HMAC-SHA256."""

    name = models.SlugField(_("name"), unique=True)
    secret = models.CharField(_("shared secret"), max_length=128)
    default_subclass = models.ForeignKey(
        Subclass,
        verbose_name=_("default subclass"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    active = models.BooleanField(_("active"), default=True)
    # An alert whose own time is further from now than this is refused: a captured request
    # replayed later creates nothing.
    freshness_minutes = models.PositiveSmallIntegerField(
        _("accepted clock difference (minutes)"), default=10
    )

    class Meta:
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")

    def __str__(self) -> str:
        return self.name


from gridgov.events.classifier import TrainedClassifier  # noqa: E402,F401  (a model: registered with the app)
from gridgov.events.photos import Photo  # noqa: E402,F401  (a model: registered with the app)
from gridgov.events.versions import CacheVersion  # noqa: E402,F401  (a model: registered with the app)


class ResponseTemplate(models.Model):
    """A ready answer per subclass, offered when filing: the public reply goes to the reporter,
    the internal note stays with the staff (decision 0024)."""

    subclass = models.ForeignKey(
        Subclass,
        verbose_name=_("subclass"),
        on_delete=models.CASCADE,
        related_name="response_templates",
    )
    title = models.CharField(_("title"), max_length=80)
    public_reply = models.TextField(_("reply to the reporter"), max_length=1000, blank=True)
    internal_note = models.TextField(_("internal note"), max_length=1000, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["subclass__code", "title"]

    def __str__(self) -> str:
        return f"{self.subclass.code} {self.title}"


class ActionReceipt(models.Model):
    """An action sent from the worker app, by the client UUID the phone gave it: a resend
    (the answer was lost, the outbox tried again) finds this row and changes nothing."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True)
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    version = models.PositiveIntegerField(_("event version after the action"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("action receipt")
        verbose_name_plural = _("action receipts")

    def __str__(self) -> str:
        return f"{self.client_uuid} {self.action}"
