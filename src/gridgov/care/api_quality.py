"""Data quality of the registry per grid: the worker's worklist and figures per community — issue 12."""

from ninja import Router

router = Router(tags=["quality"])
