from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.smartcodes import selectors, services


def scan(request: HttpRequest, token: str) -> HttpResponse:
    """The page a QR code opens: the place for anyone; check-in and report for its workers."""
    try:
        code, place = services.code_resolve(token)
    except DomainError as error:
        return render(request, "smartcodes/scan.html", {"error": error.message}, status=404)
    if code.revoked_at:
        return render(request, "smartcodes/scan.html", {"revoked": code}, status=410)
    worker = services.may_patrol(request.user, code)
    if request.method == "POST" and worker:
        try:
            check_in, _stored = services.check_in(
                user=request.user,
                token=token,
                lon=request.POST.get("lon"),
                lat=request.POST.get("lat"),
            )
            if check_in.far:
                messages.warning(
                    request,
                    _("Checked in, %(m)s m from the place: more than 200 m away.")
                    % {"m": int(check_in.distance_m)},
                )
            else:
                messages.success(request, _("Checked in."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("scan", token=token)
    context = {
        "code": code,
        "place": place,
        "facts": selectors.public_facts(code, place),
        "worker": worker,
    }
    if worker:
        context["check_ins"] = code.check_ins.select_related("user").order_by("-at")[:5]
        context["report_url"] = (
            f"/report/?lon={place.lon}&lat={place.lat}&address={place.address or ''}"
        )
    return render(request, "smartcodes/scan.html", context)
