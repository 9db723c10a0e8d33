"""Who wrote: the audit log's actor, known only once the API has read the bearer token.

django-auditlog's middleware reads `request.user` when the request arrives, before
django-ninja authenticates a bearer token, so API writes would be logged without
an actor. Here the actor is read lazily, when the first audit row is written.
"""

from auditlog.cid import set_cid
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject

from gridgov.common.client import client_address


class AuditActorMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        # auditlog trusts any X-Forwarded-For a client sends; read only our proxy's entry.
        return client_address(request)

    def __call__(self, request):
        set_cid(request)
        context = self.get_extra_data(request)
        context["actor"] = SimpleLazyObject(lambda: self._get_actor(request))
        with set_extra_data(context_data=context):
            return self.get_response(request)
