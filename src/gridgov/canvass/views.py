from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.canvass import selectors
from gridgov.common.client import client_address
from gridgov.common.errors import DomainError
from gridgov.common.xlsx import workbook_response


@login_required
def results_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's answers in Excel, personal ones masked unless `?reveal=1` by a role
    that may see them (then recorded). Unknown and out-of-scope campaigns alike are 404s,
    so the page says nothing about campaigns elsewhere."""
    campaign = selectors.campaigns_for(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        return render(request, "web/forbidden.html", status=404)
    try:
        rows = selectors.results_rows(
            campaign,
            request.user,
            reveal=request.GET.get("reveal") == "1",
            ip=client_address(request),
        )
    except DomainError as error:
        return render(request, "web/forbidden.html", status=error.status)
    return workbook_response(rows, f"canvass-{campaign.pk}.xlsx")
