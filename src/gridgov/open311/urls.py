from django.urls import re_path

from gridgov.open311 import http, views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery),
    re_path(r"^v2/services" + FMT, views.services),
    re_path(r"^v2/services/(?P<code>[^/.]+)" + FMT, views.service_definition),
    re_path(r"^v2/requests" + FMT, views.requests),
    re_path(r"^v2/requests/(?P<request_id>[^/.]+)" + FMT, views.request_detail),
    re_path(r"^v2/tokens/(?P<token_id>[^/.]+)" + FMT, views.token),
    # Anything else (an unknown format suffix, a typo): 404 in the GeoReport shape.
    re_path(r"^(?P<rest>.*)$", http.not_found),
]
