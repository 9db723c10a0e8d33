"""Changes to households and their people (moved in/out, born, died, rented, vacant) and
the search of homes and people — issue 12."""

from ninja import Router

router = Router(tags=["homes"])
