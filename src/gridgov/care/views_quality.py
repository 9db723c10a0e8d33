"""The registry's data quality per grid: the worker's worklist, figures per community."""

from django.http import HttpResponse


def quality_page(request):
    return HttpResponse(status=404)
