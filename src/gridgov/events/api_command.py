from ninja import Router

router = Router(tags=["command center"])
