import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.common.errors import DomainError
from gridgov.smartcodes import jobs, selectors, services


def scan(request: HttpRequest, token: str) -> HttpResponse:
    """The page a QR code opens: the place for anyone; check-in and report for its workers."""
    try:
        code, place = services.code_resolve(token)
    except DomainError as error:
        return render(request, "smartcodes/scan.html", {"error": error.message}, status=404)
    if code.revoked_at:
        return render(request, "smartcodes/scan.html", {"revoked": code}, status=410)
    worker = services.may_patrol(request.user, code)
    if request.method == "POST" and request.POST.get("op") == "register":
        return _register(request, token)
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
        "policies": services.policies_for(code),
        "form_uuid": uuid.uuid4(),
        "today": timezone.localdate().isoformat(),
    }
    if worker and code.kind == "households":
        # The grid's own staff go on to the household in the registry (pages or the app).
        context["household_url"] = f"/registry/households/{place.pk}/"
    if worker:
        context["check_ins"] = code.check_ins.select_related("user").order_by("-at")[:5]
        context["report_url"] = (
            f"/report/?lon={place.lon}&lat={place.lat}&address={place.address or ''}"
        )
    return render(request, "smartcodes/scan.html", context)


@login_required
def plate_download(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = jobs.plate_job_for(user=request.user, job_id=job_id)
    except DomainError as error:
        return render(request, "web/forbidden.html", {"message": error.message}, status=404)
    path = jobs.plate_file(job)
    if job.status != job.Status.DONE or not path.exists():
        return render(
            request,
            "web/forbidden.html",
            {"message": _("The plates are not ready yet.")},
            status=409,
        )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"plates-{job.area.code}.pdf")


REGISTRATIONS_PER_HOUR = 20


def _register(request: HttpRequest, token: str) -> HttpResponse:
    """登记码: anyone may register; limited per address so a script cannot flood the list."""
    key = f"registrations:{request.META.get('REMOTE_ADDR', '?')}"
    count = cache.get_or_set(key, 0, timeout=3600)
    if count >= REGISTRATIONS_PER_HOUR:
        messages.error(request, _("Too many registrations from this network; try again later."))
        return redirect("scan", token=token)
    try:
        _row, stored = services.registration_submit(token=token, data=request.POST.dict())
        if stored:
            cache.incr(key)
        messages.success(request, _("Registered. Thank you; the community will contact you."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("scan", token=token)
