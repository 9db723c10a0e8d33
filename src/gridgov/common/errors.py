"""One error shape for services, the API and commands: code, message, field."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Bad input or a forbidden action. Carries an HTTP status for the API layer."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    status = 404

    def __init__(
        self, message: str = "", *, code: str = "not_found", field: str | None = None
    ) -> None:
        super().__init__(message or str(_("Not found.")), code=code, field=field)


class PermissionDenied(DomainError):
    status = 403

    def __init__(
        self, message: str = "", *, code: str = "forbidden", field: str | None = None
    ) -> None:
        super().__init__(
            message or str(_("You are not allowed to do this.")), code=code, field=field
        )


class OutOfScope(PermissionDenied):
    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(
            message or str(_("This is outside your area.")), code="out_of_scope", field=field
        )


class Conflict(DomainError):
    status = 409
