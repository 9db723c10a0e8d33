"""The hotspots part's pages under /leaders/ (issue 13): the hexagon map of hotspots and the
recurring problems of the center, with the form that marks one treated at the root."""

from django.urls import path

from gridgov.analytics import views_hotspots

urlpatterns: list = [
    path("hotspots/", views_hotspots.hotspots_page, name="hotspots"),
    path("hotspots/treat/", views_hotspots.hotspots_treat, name="hotspots_treat"),
]
