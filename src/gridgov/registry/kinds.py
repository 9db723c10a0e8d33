"""The registry's kinds of record as data: model, columns, personal-data fields, natural key.

The API, the Excel templates, imports, exports and the admin all read this table,
so adding a column or a protected field is one edit here.
"""

from dataclasses import dataclass

from django.db import models

from gridgov.registry import models as m


@dataclass(frozen=True)
class Kind:
    key: str
    model: type[models.Model]
    columns: tuple[str, ...]  # editable fields, in template order; lon/lat/address come first
    pii: dict[str, str]  # field -> masker name (see pii.MASKERS)
    natural_key: tuple[str, ...]  # how an import finds the record it updates
    references: dict[str, str] | None = None  # fk field -> lookup field on the target
    # Columns a workbook shows but an import does not change on an existing record: they
    # change through the household's history (registry.changes: moved out, died, rented),
    # which records who and when. A new record may be given them.
    read_only: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def label_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)


PLACE = ("lon", "lat", "address")

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in [
        Kind(
            "compounds",
            m.Compound,
            ("name", "property_status", "property_company", *PLACE),
            {},
            ("area", "name"),
        ),
        Kind(
            "buildings",
            m.Building,
            ("compound", "name", "floors", *PLACE),
            {},
            ("compound", "name"),
            {"compound": "name"},
        ),
        Kind(
            "households",
            m.Household,
            ("number", "building", "room", *PLACE),
            {"room": "text", "address": "text"},
            ("number",),
            {"building": "pk"},
            read_only=("occupancy",),
        ),
        Kind(
            "residents",
            m.Resident,
            (
                "name",
                "id_number",
                "phone",
                "residence",
                "relation",
                "household",
                *PLACE,
            ),
            {"id_number": "id_number", "phone": "phone", "address": "text"},
            ("id_number",),
            {"household": "number"},
            read_only=("status",),
        ),
        Kind(
            "rentals",
            m.RentalHouse,
            ("landlord_name", "landlord_phone", "tenants", *PLACE),
            {"landlord_phone": "phone"},
            ("address", "landlord_name"),
        ),
        Kind("markets", m.Market, ("name", "stalls", *PLACE), {}, ("area", "name")),
        Kind(
            "businesses",
            m.Business,
            ("name", "kind", "credit_code", "operator_name", "operator_phone", "market", *PLACE),
            {"operator_phone": "phone"},
            ("name", "address"),
            {"market": "name"},
        ),
        Kind(
            "units",
            m.Unit,
            ("name", "kind", "credit_code", "contact_name", "contact_phone", "phone", *PLACE),
            {"contact_phone": "phone"},
            ("name",),
        ),
        Kind("cameras", m.Camera, ("code", "name", "kind", "stream_url", *PLACE), {}, ("code",)),
        Kind(
            "points",
            m.Point,
            ("name", "purpose", "contact_name", "contact_phone", *PLACE),
            {"contact_phone": "phone"},
            ("area", "name"),
        ),
    ]
}


def kind_for_model(model: type[models.Model]) -> Kind:
    return next(kind for kind in KINDS.values() if kind.model is model)
