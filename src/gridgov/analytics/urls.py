"""The leaders' pages under /leaders/ (issue 13): the dashboard, people's KPIs, hotspots and
recurring problems. Each part has its own views module."""

app_name = "analytics"
urlpatterns: list = []
