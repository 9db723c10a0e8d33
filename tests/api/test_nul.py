import pytest
from django.test import Client

from tests.api.test_api import token_for


@pytest.mark.django_db
def test_nul_characters_are_refused_with_a_clear_400(operator):
    client = Client(headers={"Authorization": f"Bearer {token_for(operator)}"})
    assert client.get("/api/v1/events/rates", {"area": "5307\x0002"}).status_code == 400
    body = client.post(
        "/api/v1/events/",
        '{"subclass": "0102", "description": "a\\u0000b", "lon": 100.23, "lat": 26.87}',
        content_type="application/json",
    )
    assert body.status_code == 400
    assert "NUL" in body.json()["message"]
    assert client.get("/api/v1/events/rates", {"area": "530702"}).status_code == 200
