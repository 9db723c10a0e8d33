"""The registry's pages for community staff and grid workers, under /registry/ (issue 12)."""

from django.urls import path

from gridgov.registry import views, views_household

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("compounds/<int:compound_id>/", views.compound, name="compound"),
    path("buildings/<int:building_id>/", views.building, name="building"),
    path("households/<int:household_id>/", views_household.household, name="household"),
    path("people/<int:resident_id>/", views.person, name="person"),
]
