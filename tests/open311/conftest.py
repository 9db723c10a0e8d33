import io

import pytest
from django.core.management import call_command

from gridgov.events.catalog_cache import catalog_changed
from gridgov.events.models import Subclass

# The service the write contract tests post to: one attribute of each datatype of the spec.
DEFINITION = [
    {"code": "plate", "description": "车牌号", "datatype": "string", "required": True},
    {"code": "count", "description": "数量", "datatype": "number"},
    {"code": "seen_at", "description": "发现时间", "datatype": "datetime"},
    {"code": "details", "description": "详情", "datatype": "text"},
    {
        "code": "kind",
        "description": "车型",
        "datatype": "singlevaluelist",
        "values": [{"key": "car", "name": "汽车"}, {"key": "truck", "name": "货车"}],
    },
    {
        "code": "damage",
        "description": "损坏",
        "datatype": "multivaluelist",
        "required": True,
        "values": [
            {"key": "glass", "name": "玻璃"},
            {"key": "tyre", "name": "轮胎"},
            {"key": "door", "name": "车门"},
        ],
    },
]


@pytest.fixture
def open311_key(db) -> str:
    out = io.StringIO()
    call_command("create_open311_key", "contract client", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def defined_service(db) -> str:
    """0504 with DEFINITION (the catalog's own writes bump its cache; this is a test's)."""
    Subclass.objects.filter(code="0504").update(extra_fields=DEFINITION)
    catalog_changed()
    return "0504"
