"""People, places and organizations, each placed in the grid tree by its location.

`area` is always the deepest area containing (lon, lat), set by the services; it
is what scopes every read and write.
"""

from django.db import models
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _

from gridgov.areas.models import duty_phone_validator


class Placed(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Demo data, not real.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Compound(Placed):
    class PropertyStatus(models.TextChoices):
        MANAGED = "managed", _("Property company")
        COMMUNITY = "community", _("Community-run")
        NONE = "none", _("None (三无)")

    name = models.CharField(_("name"), max_length=100)
    property_status = models.CharField(
        _("property management"), max_length=16, choices=PropertyStatus.choices
    )
    property_company = models.CharField(_("property company"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("residential compound")
        verbose_name_plural = _("residential compounds")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unique_compound_per_grid")
        ]

    def __str__(self) -> str:
        return self.name


class Building(Placed):
    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="buildings",
    )
    name = models.CharField(_("building"), max_length=50)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.compound or ''} {self.name}".strip()


class Household(Placed):
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )

    class Occupancy(models.TextChoices):
        OWNER = "owner", _("Lived in by the owner")
        RENTED = "rented", _("Rented out")
        VACANT = "vacant", _("Vacant")

    number = models.CharField(_("household number"), max_length=30, unique=True)
    room = models.CharField(_("room"), max_length=30, blank=True)
    occupancy = models.CharField(
        _("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER
    )
    # The head of household (户主) names the household on every page, with its address.
    head = models.ForeignKey(
        "Resident",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number


class Resident(Placed):
    class Residence(models.TextChoices):
        REGISTERED = "registered", _("Registered (户籍)")
        FLOATING = "floating", _("Floating (流动)")

    class Status(models.TextChoices):
        LIVING = "living", _("Living here")
        MOVED_OUT = "moved_out", _("Moved out")
        DECEASED = "deceased", _("Deceased")

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(
        _("gender"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))]
    )
    residence = models.CharField(_("residence status"), max_length=16, choices=Residence.choices)
    # Special groups are care.ResidentTag rows (issue 12), each with its own visibility.
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.LIVING, db_index=True
    )
    # Tails the masks show (decision 0031): searched by equality on an index, so "the last
    # four of the phone" finds a person among a million without scanning the table.
    phone_tail = models.GeneratedField(
        expression=Right("phone", 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
        db_index=True,
    )
    id_tail = models.GeneratedField(
        expression=Right("id_number", 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # People listed by name (a special group, a grid) walk this index instead of sorting
        # the district. On PostgreSQL also (migration 0008, not in this state): trigrams of
        # the name for the search, and (id) INCLUDE (status, area_id) for semi-joins.
        indexes = [models.Index(fields=["name", "id"], name="resident_name_id")]

    def __str__(self) -> str:
        return self.name


class RentalHouse(Placed):
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rentals",
    )
    landlord_name = models.CharField(_("landlord"), max_length=50)
    landlord_phone = models.CharField(_("landlord phone"), max_length=11, blank=True)
    tenants = models.PositiveSmallIntegerField(_("tenants"), default=0)

    class Meta:
        verbose_name = _("rental house")
        verbose_name_plural = _("rental houses")

    def __str__(self) -> str:
        return self.address or f"#{self.pk}"


class Market(Placed):
    name = models.CharField(_("name"), max_length=100)
    stalls = models.PositiveIntegerField(_("stalls"), default=0)

    class Meta:
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    def __str__(self) -> str:
        return self.name


class Business(Placed):
    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        RESTAURANT = "restaurant", _("Restaurant")
        HOTEL = "hotel", _("Inn/hotel")
        SERVICE = "service", _("Service")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    market = models.ForeignKey(
        Market,
        verbose_name=_("market"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="businesses",
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    operator_name = models.CharField(_("operator"), max_length=50, blank=True)
    operator_phone = models.CharField(_("operator phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("shop/business")
        verbose_name_plural = _("shops and businesses")

    def __str__(self) -> str:
        return self.name


class Unit(Placed):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government organ (机关)")
        INSTITUTION = "institution", _("Public institution")
        ENTERPRISE = "enterprise", _("Enterprise")
        NEW_ECONOMIC = "new_economic", _("New economic organization (两新)")
        NEW_SOCIAL = "new_social", _("New social organization (两新)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=11, blank=True)
    # The unit's duty line (a switchboard, a guard room), not a person's: the dispatch
    # panel shows it unmasked to the command center, which the contact's mobile is not.
    phone = models.CharField(
        _("duty phone"), max_length=30, blank=True, validators=[duty_phone_validator]
    )
    linked_grids = models.ManyToManyField(
        "areas.Area", verbose_name=_("linked grids"), blank=True, related_name="linked_units"
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Camera(Placed):
    class Kind(models.TextChoices):
        XUELIANG = "xueliang", _("雪亮工程")
        SMART_POLE = "smart_pole", _("Smart lamp pole")
        TRAFFIC = "traffic", _("Traffic")
        POLICE = "police", _("Police")
        FOREST_FIRE = "forest_fire", _("Forest fire")

    code = models.CharField(_("camera code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    stream_url = models.CharField(_("stream URL"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self) -> str:
        return self.name


class Point(Placed):
    """A place that is not a building or a business but still carries a code: a campaign
    point (排查点), a registration desk, a Party-mass service station."""

    class Purpose(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign point")
        REGISTRATION = "registration", _("Registration point")
        SERVICE = "service", _("Service station")

    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("campaign or service point")
        verbose_name_plural = _("campaign and service points")

    def __str__(self) -> str:
        return self.name


class HouseholdChange(models.Model):
    """The history of a household and its people (一标三实的变动): who moved in or out, was
    born or died, when it was rented out or left vacant, and who recorded it. Written only
    by `registry.changes`, in the same transaction as the change itself."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        MOVED_IN = "moved_in", _("Moved in")
        MOVED_OUT = "moved_out", _("Moved out")
        BORN = "born", _("Born")
        DIED = "died", _("Died")
        RENTED = "rented", _("Rented out")
        VACANT = "vacant", _("Left vacant")
        OWNER = "owner", _("Lived in by the owner")
        HEAD = "head", _("New head of household")
        CORRECTED = "corrected", _("Details corrected")

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    # The household's grid at the time: scopes the history like the records themselves.
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=12, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Where a person came from or went to, in words (another city) or as a household here.
    other_place = models.CharField(_("from/to"), max_length=200, blank=True)
    other_household = models.ForeignKey(
        Household,
        verbose_name=_("other household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The phone's id for an offline submission: the same change sent twice is stored once.
    client_uuid = models.UUIDField(_("client id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("household change")
        verbose_name_plural = _("household changes")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["household", "-happened_on"], name="change_household_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"
