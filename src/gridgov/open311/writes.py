"""POST /requests: a GeoReport service request becomes an event through intake.

The spec's personal fields are free text (a landline, a visitor's foreign number, a name in
any script), checked for length only. A phone that is a Chinese mobile is stored as the
mobile (so SMS and the look-up by number and phone reach it); any other phone is kept as
written. Names, e-mail, device and account ids go to `extra["open311"]`: no column fits.
"""

import uuid
from dataclasses import dataclass

from django.http import QueryDict

from gridgov.common.errors import DomainError
from gridgov.common.links import web_url_clean
from gridgov.events.catalog_cache import catalog
from gridgov.events.models import Event, Source
from gridgov.events.services import event_report
from gridgov.events.services.timeline import text_clean
from gridgov.open311.attributes import attributes_clean
from gridgov.open311.formats import GeoReportError
from gridgov.open311.models import ApiKey
from gridgov.open311.places import place_of_address_id
from gridgov.registry.pii import phone_clean

MAX_DESCRIPTION = 4000  # GeoReport v2
# Free-text fields of the spec and the longest we keep of each.
MAX_LENGTH = {
    "phone": 32,
    "first_name": 50,
    "last_name": 50,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "address_string": 200,
    "address_id": 100,
}


@dataclass(frozen=True)
class Created:
    event: Event
    token: str
    account_id: str | None


def _text(data: QueryDict, name: str) -> str:
    value = text_clean(data.get(name))
    if len(value) > MAX_LENGTH[name]:
        raise GeoReportError(400, f"{name} is longer than {MAX_LENGTH[name]} characters")
    return value


def _phone(raw: str) -> tuple[str, bool]:
    """(what to store, is it a Chinese mobile)."""
    try:
        mobile = phone_clean(raw)
    except DomainError:
        return raw, False
    return mobile, bool(mobile)


def open311_request_create(*, data: QueryDict, query: QueryDict) -> Created:
    """Preconditions: a valid api_key (form or query string), an active service_code, a
    location (lat+long, a registered address_id or address_string), attributes valid for
    the service's definition. Raises GeoReportError with the spec's status otherwise."""
    if not ApiKey.valid(data.get("api_key") or query.get("api_key")):
        raise GeoReportError(403, "api_key is missing or not valid")
    code = (data.get("service_code") or "").strip()
    if not code:
        raise GeoReportError(400, "service_code is required")
    subclass = catalog().active_subclass(code)
    if subclass is None:
        raise GeoReportError(404, f"service_code {code[:20]} not found")
    fields = {name: _text(data, name) for name in MAX_LENGTH}
    description = text_clean(data.get("description"))
    if len(description) > MAX_DESCRIPTION:
        raise GeoReportError(400, f"description is longer than {MAX_DESCRIPTION} characters")
    lat, lon = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    address = fields["address_string"]
    place = None
    if not (lat and lon) and fields["address_id"]:
        place = place_of_address_id(fields["address_id"])
        lat, lon, address = str(place.lat), str(place.lon), address or place.address
    if not (lat and lon) and not address:
        raise GeoReportError(
            400,
            "lat and long, an address_id or an address_string of a registered place are required",
        )
    attributes = attributes_clean(list(subclass.extra_fields or []), data)
    try:
        # Published to every client as a link: a web address only, and not a megabyte of one.
        media_url = web_url_clean(data.get("media_url"), field="media_url")
    except DomainError as failure:
        raise GeoReportError(400, failure.message) from None
    phone, is_mobile = _phone(fields["phone"])
    person = {
        name: fields[name] or None
        for name in ("first_name", "last_name", "email", "device_id", "account_id")
    }
    token = str(uuid.uuid4())
    try:
        event = event_report(
            user=None,
            data={
                "subclass": subclass.code,
                "description": description or subclass.name_zh,
                "lon": lon or None,
                "lat": lat or None,
                "address": address,
                "reporter_name": f"{fields['last_name']}{fields['first_name']}".strip(),
                "reporter_phone": phone,
                "extra": {
                    "attributes": attributes,
                    "media_url": media_url,
                    "open311": {
                        **person,
                        "phone_is_mobile": is_mobile,
                        "address_id": place.address_id if place else None,
                    },
                },
                "client_uuid": token,
            },
            source=Source.OPEN311,
        )
    except DomainError as failure:
        raise GeoReportError(400, failure.message) from None
    return Created(event=event, token=token, account_id=person["account_id"])
