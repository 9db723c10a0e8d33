"""The resident API's actions part (issue 11)."""

from ninja import Router

router = Router(tags=["residents"])
