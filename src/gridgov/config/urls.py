from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gridgov.canvass import views as canvass_views
from gridgov.care import views_quality as care_quality_views
from gridgov.common import twofactor
from gridgov.config.api import api
from gridgov.events import views as event_views
from gridgov.notifications import views as notification_views
from gridgov.party import views as party_views
from gridgov.smartcodes import views as smartcode_views
from gridgov.web import metrics, views

admin.site.site_header = admin.site.site_title = "gridgov"
handler500 = "gridgov.common.unavailable.server_error"  # an outage is a 503

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.area_map, name="map"),
    path("screen/", views.big_screen, name="screen"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("app/", views.worker_app, name="worker_app"),
    path("app/manifest.webmanifest", views.worker_manifest, name="worker_manifest"),
    path("app/sw.js", views.worker_service_worker, name="worker_sw"),
    path("events/", event_views.queue, name="event_queue"),
    path("events/<int:event_id>/", event_views.event_page, name="event_page"),
    path("report/", event_views.report_page, name="report"),
    path("inbox/", notification_views.inbox_page, name="inbox"),
    path("party/", party_views.tree, name="party_tree"),
    path("party/org/<int:org_id>/", party_views.organization, name="party_org"),
    path("party/member/<int:member_id>/", party_views.member, name="party_member"),
    path("party/publications/<int:pub_id>/", party_views.publication, name="party_publication"),
    path("party/proposal/", party_views.proposal, name="party_proposal"),
    path("party/map/", party_views.party_map, name="party_map"),
    path("party/report-back/<int:unit_id>/", party_views.report_back, name="party_report_back"),
    path("party/map.json", party_views.party_map_data, name="party_map_data"),
    path("c/<str:token>/", smartcode_views.scan, name="scan"),
    path("codes/plates/<int:job_id>.pdf", smartcode_views.plate_download, name="plate_download"),
    path(
        "canvass/<int:campaign_id>/results.xlsx",
        canvass_views.results_xlsx,
        name="canvass_results",
    ),
    path("media/photos/<uuid:key>.jpg", event_views.photo_file, name="photo_file"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", twofactor.two_factor, name="two_factor"),
    path("api/", api.urls),
    path("open311/", include("gridgov.open311.urls")),
    path("r/", include("gridgov.residents.urls")),
    path("registry/quality/", care_quality_views.quality_page, name="registry_quality"),
    path("registry/", include("gridgov.registry.urls")),
    path("care/", include("gridgov.care.urls")),
    path("leaders/", include("gridgov.analytics.urls")),
    path("assessment/", include("gridgov.assessment.urls")),
    path("reports/", include("gridgov.reports.urls")),
    path("admin/", admin.site.urls),
]
