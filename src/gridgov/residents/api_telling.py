"""The resident API's telling part (issue 11)."""

from ninja import Router

router = Router(tags=["residents"])
