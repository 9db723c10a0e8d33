from tests.events.conftest import (
    reporter,
    shift_leader,
    squad_handler,
    street_squad,
    street_staff,
)

__all__ = ["reporter", "shift_leader", "squad_handler", "street_squad", "street_staff"]
