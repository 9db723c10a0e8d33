"""The resident front end's pages, under /r/ (issue 11)."""

from django.urls import path

from gridgov.residents import views, views_public
from gridgov.residents.views_desk import desk_callback
from gridgov.residents.views_photos import report_photo

app_name = "residents"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("reports/<str:number>/", views.report_detail, name="report_detail"),
    path("login/", views.login, name="login"),
    path("lookup/", views.lookup, name="lookup"),
    path("around/", views.around, name="around"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("outlines.json", views.outlines, name="outlines"),
    path("public-photo/<uuid:key>.jpg", views_public.public_photo, name="public_photo"),
    path("desk/<int:event_id>/moderation/", views_public.moderation_save, name="moderation_save"),
    path("desk/<int:event_id>/callbacks/", desk_callback, name="desk_callback"),
    path("photo/<str:token>.jpg", report_photo, name="report_photo"),
]
