"""Content-Security-Policy without inline script, no inline scripts or handlers in any
template, Swagger UI from the app, and secure deployment settings from the environment."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.config import settings as production_settings
from gridgov.config.env import tile_source

TEMPLATES = sorted(
    Path(production_settings.PACKAGE_DIR).glob("*/templates/**/*.html"),
)
BIN = Path(sys.executable).parent


def test_the_production_policy_allows_no_inline_script_and_no_other_host():
    directives = production_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["style-src"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: "/".join(p.parts[-3:]))
def test_no_template_has_an_inline_script_or_event_handler(template):
    html = template.read_text()
    inline = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and "application/json" not in tag
    ]
    assert not inline, f"inline <script> in {template.name}: move it to web/static/web/"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {template.name}"
    assert not re.search(r"\sstyle\s*=", html), f"style attribute in {template.name}"


@pytest.mark.django_db
def test_pages_send_the_policy_and_the_security_headers(client, settings):
    settings.CONTENT_SECURITY_POLICY = production_settings.CONTENT_SECURITY_POLICY
    response = client.get("/r/report/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline' " not in policy.split("style-src-attr")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_swagger_ui_comes_from_the_app(client, settings, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources
    assert not [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and "json" not in tag
    ]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", ""),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}", "https://*.tianditu.gov.cn"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://tiles.intranet:8080/{z}/{x}/{y}.png", "http://tiles.intranet:8080"),
    ],
)
def test_the_tile_host_is_the_only_other_image_source(url, source):
    assert tile_source(url) == source


def _gridgov(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_"))}
    base.pop("DATABASE_URL", None)
    environment = (
        base
        | {
            "DEBUG": "false",
            "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40 + "-0123456789",
            "ALLOWED_HOSTS": "gov.example",
            "GRIDGOV_DATA_DIR": env.pop("data_dir"),
            "DJANGO_SETTINGS_MODULE": "gridgov.config.settings",
        }
        | env
    )
    return subprocess.run(
        [str(BIN / "gridgov"), *args], env=environment, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_the_production_defaults(tmp_path):
    result = _gridgov(
        ["check", "--deploy", "--fail-level", "WARNING"],
        data_dir=str(tmp_path),
        GRIDGOV_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_is_a_choice_that_check_deploy_reports(tmp_path):
    result = _gridgov(
        ["check", "--deploy", "--fail-level", "WARNING"],
        data_dir=str(tmp_path),
        GRIDGOV_HTTPS="false",
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_https_settings_come_from_the_environment(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.GRIDGOV_REQUIRE_2FA)"
    )
    result = _gridgov(
        ["shell", "-c", script],
        data_dir=str(tmp_path),
        GRIDGOV_PROXY_SSL_HEADER="X-Forwarded-Proto",
        GRIDGOV_HSTS_SECONDS="600",
    )
    assert result.stdout.split("\n")[-2] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True True True 600 True"
    ), result.stderr


@pytest.mark.django_db
def test_behind_the_proxy_header_https_is_recognised_and_plain_http_redirected(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/r/report/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/r/report/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_map_strings_are_valid_json_in_both_languages(client, operator):
    client.force_login(operator)
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        html = client.get("/map/").content.decode()
        block = re.search(
            r'<script id="map-i18n" type="application/json">(.*?)</script>', html, re.S
        )
        strings = json.loads(block.group(1))
        assert strings["close"]
