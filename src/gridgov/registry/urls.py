"""The registry's pages for community staff and grid workers, under /registry/ (issue 12)."""

app_name = "registry"
urlpatterns: list = []
