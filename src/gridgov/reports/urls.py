from django.urls import path

from gridgov.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.reports_page, name="index"),
    path("<int:report_id>/report.<str:fmt>", views.report_download, name="download"),
    path("export/events.<str:fmt>", views.events_export, name="export"),
]
