"""The care pages (special groups, visit plans, overdue visits), under /care/ (issue 12)."""

from django.urls import path

from gridgov.care import views

app_name = "care"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("groups/<slug:key>/", views.group, name="group"),
    path("people/<int:resident_id>/tags/", views.tag_add, name="tag_add"),
    path("people/<int:resident_id>/visits/", views.visit_record, name="visit_record"),
    path("memberships/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path(
        "memberships/<int:membership_id>/review/",
        views.membership_review,
        name="membership_review",
    ),
    path("visits/<int:visit_id>/event/", views.visit_event, name="visit_event"),
]
