"""The resident's API, /api/v1/resident/* and the public /api/v1/public/* (issue 11), one
module per part: telling (sign-in, lookup, my reports), actions (nearby, me too, additions,
rating, reopen, callbacks), public (public reports, places, moderation, withdrawal)."""

from ninja import Router

from gridgov.residents import api_actions, api_public, api_telling

router = Router(tags=["residents"])
router.add_router("", api_telling.router)
router.add_router("", api_actions.router)
router.add_router("", api_public.router)

public_router = Router(tags=["public"])
public_router.add_router("", api_public.public_router)
