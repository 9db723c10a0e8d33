"""Valid registry input for tests, generated the way the demo does."""

import random

from gridgov.demo import names

_rng = random.Random(11)
_used: set[str] = set()


def id_number() -> str:
    return names.id_number(_rng, "530702", _used)[0]


def resident_data(point: tuple[float, float], **extra) -> dict:
    return {
        "name": "和丽华",
        "id_number": id_number(),
        "phone": "13908881234",
        "residence": "registered",
        "lon": point[0],
        "lat": point[1],
        "address": "丽江市古城区西安街道文汇社区玉泉小区3栋201室",
        **extra,
    }
