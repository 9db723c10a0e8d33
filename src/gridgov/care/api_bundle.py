"""The registry on the worker's phone: the grid's bundle for offline use and the key it is encrypted with — issue 12."""

from ninja import Router

router = Router(tags=["worker"])
