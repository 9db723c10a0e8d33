"""The care pages (special groups, visit plans, overdue visits), under /care/ (issue 12)."""

app_name = "care"
urlpatterns: list = []
