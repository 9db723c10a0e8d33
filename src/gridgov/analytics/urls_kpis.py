"""The kpis part's pages under /leaders/ (issue 13): people's KPIs, ranked."""

from django.urls import path

from gridgov.analytics import views_kpis

urlpatterns: list = [path("kpis/", views_kpis.kpis_page, name="kpis")]
