"""The assessment's pages, under /assessment/ (issue 13)."""

from django.urls import path

from gridgov.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("setup/", views.setup, name="setup"),
    path("setup/change/", views.setup_post, name="setup_post"),
    path("compute/", views.compute, name="compute"),
    path("<int:assessment_id>/publish/", views.publish, name="publish"),
    path("<int:assessment_id>/areas/<str:code>/", views.area_detail, name="area"),
]
