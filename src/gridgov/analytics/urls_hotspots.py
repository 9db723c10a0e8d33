"""The hotspots part's pages under /leaders/ (issue 13)."""

urlpatterns: list = []
