from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.canvass import selectors
from gridgov.common.xlsx import workbook_response


@login_required
def results_xlsx(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaigns_for(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        return render(request, "web/forbidden.html", status=404)
    return workbook_response(
        selectors.results_rows(campaign, request.user), f"canvass-{campaign.pk}.xlsx"
    )
