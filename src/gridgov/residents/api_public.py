"""The resident API's public part (issue 11)."""

from ninja import Router

router = Router(tags=["residents"])
# Anonymous reads of public reports and places, mounted at /api/v1/public.
public_router = Router(tags=["public"])
