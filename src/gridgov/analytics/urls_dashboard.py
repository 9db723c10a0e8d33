"""The dashboard part's pages under /leaders/ (issue 13): the leaders' landing page."""

from django.urls import path

from gridgov.analytics import views

urlpatterns: list = [path("", views.dashboard, name="dashboard")]
