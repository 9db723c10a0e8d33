"""The leaders' pages under /leaders/ (issue 13): the dashboard, people's KPIs, hotspots and
recurring problems. Each part keeps its paths in its own urls_<part>.py."""

from gridgov.analytics import urls_dashboard, urls_hotspots, urls_kpis

app_name = "analytics"
urlpatterns = [*urls_dashboard.urlpatterns, *urls_kpis.urlpatterns, *urls_hotspots.urlpatterns]
