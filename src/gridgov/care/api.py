"""Special groups and their care: tags, visits, overdue visits, a care need as an event — issue 12."""

from ninja import Router

router = Router(tags=["care"])
