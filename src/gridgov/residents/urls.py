"""The resident front end's pages, under /r/ (issue 11)."""

from django.urls import path  # noqa: F401

app_name = "residents"
urlpatterns: list = []
