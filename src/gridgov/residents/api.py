"""The resident's API, /api/v1/resident/* and the public /api/v1/public/* (issue 11)."""

from ninja import Router

router = Router(tags=["residents"])
public_router = Router(tags=["public"])
