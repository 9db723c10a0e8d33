from tests.events.conftest import reporter, squad_handler, street_squad, street_staff

__all__ = ["reporter", "squad_handler", "street_squad", "street_staff"]
