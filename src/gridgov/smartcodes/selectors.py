from django.conf import settings
from django.urls import reverse

from gridgov.registry.kinds import KINDS
from gridgov.smartcodes.models import SmartCode


def scan_url(token: str, base: str | None = None) -> str:
    base = base or getattr(settings, "GRIDGOV_PUBLIC_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + reverse("scan", args=[token])


def plate_rows(codes, issuer: str, base: str | None = None):
    names: dict[tuple[str, int], str] = {}
    by_kind: dict[str, list[int]] = {}
    codes = list(codes)
    for code in codes:
        by_kind.setdefault(code.kind, []).append(code.object_id)
    for kind, ids in by_kind.items():
        model = KINDS[kind].model
        label = str(model._meta.verbose_name)
        fields = (
            ["pk", "name"]
            if any(f.name == "name" for f in model._meta.get_fields())
            else ["pk", "address"]
        )
        for pk, name in model.objects.filter(pk__in=ids).values_list(*fields):
            names[(kind, pk)] = name or label
    for code in codes:
        yield {
            "url": scan_url(code.token, base),
            "name": names.get((code.kind, code.object_id), ""),
            "serial": code.serial,
            "issuer": issuer,
        }


def public_facts(code: SmartCode, place) -> list[tuple[str, str]]:
    """What anyone who scans may see: the place, never a person's data."""
    kind = KINDS[code.kind]
    facts = [
        (str(kind.label), getattr(place, "name", "") or str(kind.label)),
        (str(place.area._meta.verbose_name), place.area.name),
    ]
    if code.kind == "businesses":
        facts += [
            (str(kind.field("kind").verbose_name), place.get_kind_display()),
            (str(kind.field("credit_code").verbose_name), place.credit_code or "—"),
        ]
    elif code.kind == "compounds":
        facts += [
            (str(kind.field("property_status").verbose_name), place.get_property_status_display()),
            (str(kind.field("property_company").verbose_name), place.property_company or "—"),
        ]
    elif code.kind == "markets":
        facts += [(str(kind.field("stalls").verbose_name), str(place.stalls))]
    elif code.kind == "points":
        facts += [(str(kind.field("purpose").verbose_name), place.get_purpose_display())]
    return facts
