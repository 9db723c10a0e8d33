"""Households and their people: the pages' data, search, and changes (moves, births, deaths, occupancy) — issue 12."""

from ninja import Router

router = Router(tags=["homes"])
