"""Party building (党建引领): organizations that follow the grid tree, members and where they
live and work, central households, service posts and records, points, grading, alliances
and their joint meetings, and the Party-mass service centers on the map."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """One Party organization. The tree follows the grid: a street's working committee, a
    community's committee or general branch, a grid's or compound's branch, a building's
    group. `area` is the grid-tree node it covers; a compound branch also names its compound."""

    class Kind(models.TextChoices):
        WORKING_COMMITTEE = "working_committee", _("Street Party working committee (街道党工委)")
        COMMUNITY_COMMITTEE = "community_committee", _("Community Party committee (社区党委)")
        GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
        GRID_BRANCH = "grid_branch", _("Grid branch (网格党支部)")
        COMPOUND_BRANCH = "compound_branch", _("Compound branch (小区党支部)")
        UNIT_BRANCH = "unit_branch", _("Unit branch (单位党支部)")
        GROUP = "group", _("Building group (楼栋党小组)")

    class Formation(models.TextChoices):
        SINGLE = "single", _("Formed alone (单独组建)")
        JOINT = "joint", _("Formed jointly (联合组建)")
        ATTACHED = "attached", _("Attached (挂靠组建)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    formation = models.CharField(
        _("formation"), max_length=10, choices=Formation.choices, default=Formation.SINGLE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    compounds = models.ManyToManyField(
        "registry.Compound",
        verbose_name=_("compounds"),
        blank=True,
        related_name="party_organizations",
        help_text=_("For compound branches: one compound, or several for a joint branch."),
    )
    secretary = models.ForeignKey(
        "party.Member",
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committee = models.ManyToManyField(
        "party.Member", verbose_name=_("committee members"), blank=True, related_name="+"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_generated = models.BooleanField(_("generated"), default=False)

    class Meta:
        verbose_name = _("Party organization")
        verbose_name_plural = _("Party organizations")
        ordering = ["area__code", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    class Status(models.TextChoices):
        FORMAL = "formal", _("Formal member")
        PROBATIONARY = "probationary", _("Probationary member")

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    gender = models.CharField(
        _("gender"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))]
    )
    birth_date = models.DateField(_("birth date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("home"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("grid of residence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    in_service = models.BooleanField(_("in-service member (在职党员)"), default=False)
    work_unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
    )
    exempt = models.BooleanField(
        _("exempt from linking households"),
        default=False,
        help_text=_("Over the age limit (70 by default) or ill; set by the branch."),
    )
    exempt_reason = models.CharField(_("reason"), max_length=100, blank=True)
    is_generated = models.BooleanField(_("generated"), default=False)

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name


class CentralHousehold(models.Model):
    """党员中心户: a member's home that 2–5 members gather around; each of those members
    links 5–15 households (bounds in settings)."""

    host = models.OneToOneField(
        Member,
        verbose_name=_("central household member"),
        on_delete=models.CASCADE,
        related_name="hosted",
    )
    members = models.ManyToManyField(
        Member, verbose_name=_("linked members"), blank=True, related_name="central_households"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("central household (党员中心户)")
        verbose_name_plural = _("central households (党员中心户)")

    def __str__(self) -> str:
        return f"{self.host}"


class HouseholdLink(models.Model):
    """A member linked to a household: the member the household turns to."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="household_links"
    )
    household = models.OneToOneField(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="party_link",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("household link")
        verbose_name_plural = _("household links")

    def __str__(self) -> str:
        return f"{self.member} → {self.household}"


class ServicePost(models.Model):
    """党员责任岗 / 责任区: a post or an area a member claims to serve."""

    class Kind(models.TextChoices):
        POST = "post", _("Responsibility post (责任岗)")
        ZONE = "zone", _("Responsibility area (责任区)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    claimed_by = models.ManyToManyField(
        Member, verbose_name=_("claimed by"), blank=True, related_name="posts"
    )

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")

    def __str__(self) -> str:
        return self.name


class DoubleRegistration(models.Model):
    """双报到: a unit or an in-service member registers with the community where it sits or
    where the member lives."""

    community = models.ForeignKey(
        "areas.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="party_registrations",
    )
    registered_on = models.DateField(_("registered on"))

    class Meta:
        verbose_name = _("double registration (双报到)")
        verbose_name_plural = _("double registrations (双报到)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False) | models.Q(unit__isnull=False),
                name="registration_has_member_or_unit",
            ),
            models.UniqueConstraint(
                fields=["community", "member"], name="one_registration_per_member"
            ),
            models.UniqueConstraint(fields=["community", "unit"], name="one_registration_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit} → {self.community}"


class ServiceRecord(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="service_records"
    )
    post = models.ForeignKey(
        ServicePost, verbose_name=_("post"), null=True, blank=True, on_delete=models.SET_NULL
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=300)
    is_volunteering = models.BooleanField(_("volunteering"), default=False)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="service_hours_in_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.date} {self.hours}h"


class PointRule(models.Model):
    """One item of a points scheme (积分制): under a category, a number of points added or
    deducted, and whether evidence is required. A rule set per organization kind."""

    class Category(models.TextChoices):
        POLITICAL = "political", _("Political thought")
        ORGANIZATIONAL = "organizational", _("Organizational life")
        DISCIPLINE = "discipline", _("Discipline")
        ROLE = "role", _("Role played")

    applies_to = models.CharField(
        _("for members of"),
        max_length=24,
        choices=Organization.Kind.choices,
        blank=True,
        help_text=_("Blank: every organization."),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("item"), max_length=100)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("Entered by the platform, not by hand.")
    )

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        # Decimal(): a rule just created from text (the shipped defaults) still holds a str.
        return f"{self.name} ({Decimal(self.points):+})"


class PointEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="point_entries"
    )
    rule = models.ForeignKey(PointRule, verbose_name=_("rule"), on_delete=models.PROTECT)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    date = models.DateField(_("date"))
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Automatic entries name what they come from, so a rerun adds nothing twice.
    source_key = models.CharField(_("source"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="one_entry_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+}"


class PointPublication(models.Model):
    """公示: a branch's quarterly ranking, frozen when published."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    ranking = models.JSONField(_("ranking"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("points publication (公示)")
        verbose_name_plural = _("points publications (公示)")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"], name="one_publication_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}Q{self.quarter}"


class Alliance(models.Model):
    """街道党建联盟 / 社区大党委: the units of an area that build together."""

    class Kind(models.TextChoices):
        STREET_ALLIANCE = "street_alliance", _("Street Party-building alliance (街道党建联盟)")
        COMMUNITY_BIG_COMMITTEE = "big_committee", _("Community big Party committee (社区大党委)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    lead = models.ForeignKey(
        Organization,
        verbose_name=_("leading organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    units = models.ManyToManyField("registry.Unit", verbose_name=_("member units"), blank=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """联席会议: a joint meeting of an alliance or a grid, with its agenda and attendance."""

    alliance = models.ForeignKey(
        Alliance, verbose_name=_("alliance"), null=True, blank=True, on_delete=models.CASCADE
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    agenda = models.TextField(_("agenda"))
    attendance = models.TextField(
        _("attendance"), blank=True, help_text=_("One attendee per line.")
    )

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.area} {self.held_on}"


class Resolution(models.Model):
    """A meeting's decision: a tracked task with an owner and a deadline, or an event."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="resolutions"
    )
    text = models.CharField(_("resolution"), max_length=300)
    owner = models.CharField(_("owner"), max_length=100)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.text


class ServiceCenter(models.Model):
    """党群服务中心 and 红帆驿站 on the Party map."""

    class Kind(models.TextChoices):
        CENTER = "center", _("Party-mass service center (党群服务中心)")
        STATION = "station", _("Red Sail station (红帆驿站)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    services = models.TextField(_("services"), blank=True, help_text=_("One per line."))
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("service center or station")
        verbose_name_plural = _("service centers and stations")

    def __str__(self) -> str:
        return self.name


class Grading(models.Model):
    """分类定级: a community organization's grade for a year from the scoring template."""

    class Grade(models.TextChoices):
        A = "A", _("A: strong (双强 / 先进)")
        B = "B", _("B: up to standard (达标 / 一般)")
        C = "C", _("C: lagging (后进)")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="gradings",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scores = models.JSONField(_("scores by basic"))
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    graded_at = models.DateTimeField(_("graded at"), auto_now=True)

    class Meta:
        verbose_name = _("grading")
        verbose_name_plural = _("gradings")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_grading_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.grade}"
