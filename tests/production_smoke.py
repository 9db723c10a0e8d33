"""Production smoke test: PostgreSQL, Redis and several gunicorn workers, as deployed.

Run by `make test` when PostgreSQL and Redis answer. It checks what the in-process
tests cannot: `check --deploy` without a warning, static files served from collectstatic
by WhiteNoise, token auth through real HTTP, the Redis cache, that an edit of the grid
tree made through one worker reaches the lookup index of every other worker, HTTPS
headers behind the proxy header, login throttling, one rate limit shared by the
workers and keyed on the trusted client-address header, /healthz and /metrics summed over the
workers, and the task queue on Redis with two consumers and one killed mid-job
(tests/production_queue.py).
"""

import http.cookies
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import redis
from shapely.geometry import shape

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: its sibling
import production_queue  # noqa: E402

PG_SERVER = os.environ.get("PG_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUE_URL = os.environ.get("SMOKE_QUEUE_URL", "redis://127.0.0.1:6379/14")
DATABASE = os.environ.get("SMOKE_DATABASE", "gridgov_smoke")
PORT = int(os.environ.get("SMOKE_PORT", "8765"))
BIN = Path(sys.executable).parent
GRID = "530702001002001"
# What our proxy sets: TLS ended in front of us, and the client's address appended.
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}


def gridgov(*args: str, env: dict) -> str:
    result = subprocess.run(
        [str(BIN / "gridgov"), *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"gridgov {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def call(
    method: str, path: str, token: str, body: dict | None = None, headers: dict | None = None
) -> tuple[int, dict | bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        | PROXY
        | (headers or {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in kind else raw
    except urllib.error.HTTPError as error:
        raw = error.read() or b"{}"
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def raw_response(path: str, headers: dict, data: bytes | None = None):
    """One request without following redirects: (status, headers, body)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        data=data,
        headers=headers,
        method="POST" if data else "GET",
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sign_in(username: str, password: str, address: str) -> int:
    """The site's login form as a browser behind our proxy fills it: the status it answers."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address}
    _status, got, _body = raw_response("/accounts/login/", headers)
    cookie = http.cookies.SimpleCookie()
    for line in got.get_all("Set-Cookie") or []:
        cookie.load(line)
    csrf = cookie["csrftoken"].value
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    status, _got, _body = raw_response(
        "/accounts/login/",
        headers
        | {
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"https://127.0.0.1:{PORT}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        data=form,
    )
    return status


def deploy_warnings(env: dict) -> str:
    """`check --deploy` as production runs it; its output when anything is reported."""
    result = subprocess.run(
        [str(BIN / "gridgov"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr


CHECKED: list[str] = []


def check(condition: bool, what: str, failures: list[str]) -> None:
    CHECKED.append(what)
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def main() -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"port {PORT} is already in use: stop what listens there and run again")
    with psycopg.connect(PG_SERVER, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    # Rate-limit counters and tasks of an earlier run live in the smoke test's own databases.
    redis.Redis.from_url(REDIS_URL).flushdb()
    redis.Redis.from_url(QUEUE_URL).flushdb()
    data_dir = tempfile.mkdtemp(prefix="gridgov-smoke-")
    metrics_dir = tempfile.mkdtemp(prefix="gridgov-smoke-metrics-")
    env = os.environ | {
        "DATABASE_URL": PG_SERVER.rsplit("/", 1)[0] + f"/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "smoke-test-secret-key-not-for-use-" + "k3Jx9Qp2Lm7Rv4Tz8Wb1Nc6Yd5",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GRIDGOV_DATA_DIR": data_dir,
        "GRIDGOV_TREE_VERSION_CHECK_SECONDS": "0.5",
        # The queue in Redis (its own database), served by `gridgov run_huey` consumers; a
        # short claim on deliveries so the kill test need not wait a minute.
        "GRIDGOV_QUEUE_URL": QUEUE_URL,
        "GRIDGOV_DELIVERY_LEASE_SECONDS": "5",
        # As deployed: HTTPS ended by the proxy, which also appends the client's address.
        "DEBUG": "false",
        "GRIDGOV_HTTPS": "true",
        "GRIDGOV_REQUIRE_2FA": "true",
        "GRIDGOV_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "GRIDGOV_CLIENT_IP_HEADER": "X-Forwarded-For",
        "GRIDGOV_LOGIN_FAILURE_LIMIT": "5",
        "GRIDGOV_ANONYMOUS_WRITES_PER_HOUR": "6",
    }
    # The test run's own settings module (plain http) must not leak into production's.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    failures: list[str] = []
    warnings = deploy_warnings(env)
    check(not warnings, "check --deploy: no warning with DEBUG off " + warnings, failures)
    gridgov("migrate", "--no-input", env=env)
    gridgov("demo", "--areas-only", env=env)
    gridgov("collectstatic", "--no-input", env=env)
    token = gridgov("create_token", "admin", env=env).strip().splitlines()[-1]
    cached = gridgov(
        "shell",
        "-c",
        "from django.core.cache import cache; cache.set('smoke', 42); print(cache.get('smoke'), type(cache._cache).__name__)",
        env=env,
    )
    check(
        cached.strip().splitlines()[-1].split() == ["42", "RedisCacheClient"],
        "the cache is Redis and answers",
        failures,
    )

    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "gridgov.config.wsgi",
            "-w",
            "3",
            "-b",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
        ],
        # Every worker writes its metrics there and any worker's /metrics sums them.
        env=env | {"PROMETHEUS_MULTIPROC_DIR": metrics_dir},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                if call("GET", "/healthz", token)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, leaflet = call("GET", "/static/vendor/leaflet/leaflet.js", token)
        check(
            status == 200 and b"Leaflet" in leaflet,
            "static files are served by the app (no CDN)",
            failures,
        )
        status, detail = call("GET", f"/api/v1/areas/{GRID}", token)
        check(status == 200, "area detail over HTTP with a bearer token", failures)
        point = shape(detail["geometry"]).representative_point()
        lookup = f"/api/v1/areas/lookup?lon={point.x}&lat={point.y}"
        answers = {call("GET", lookup, token)[1]["code"] for _ in range(30)}
        check(answers == {GRID}, f"every worker finds {GRID}", failures)
        status, _ = call("PATCH", f"/api/v1/areas/{GRID}", token, {"clear_geometry": True})
        check(status == 200, "the grid's polygon is cleared through one worker", failures)
        time.sleep(1.5)
        answers = {call("GET", lookup, token)[1]["code"] for _ in range(30)}
        check(
            answers == {GRID[:12]},
            "every worker now answers with the community (index followed the edit)",
            failures,
        )
        status, error = call("GET", "/api/v1/areas/lookup?lon=26.8&lat=100.2", token)
        check(
            status == 422 and error.get("field") == "lat",
            "swapped coordinates: 422 naming the latitude beyond ±90",
            failures,
        )
        status, job = call("POST", "/api/v1/codes/plate-jobs", token, {"root": GRID[:12]})
        check(
            status == 202 and job.get("status") == "queued",
            "a plate job is queued by a web worker",
            failures,
        )
        production_queue.run(env, call, token, GRID[:12], check, failures)
        status, job = call("GET", f"/api/v1/codes/plate-jobs/{job['id']}", token)
        check(
            status == 200 and job.get("status") == "done" and job.get("progress") == 1.0,
            "a consumer ran the plate job and every web worker sees it done",
            failures,
        )
        check_health_and_metrics(token, failures)
        status, screen = call("GET", "/api/v1/events/screen", token)
        check(
            status == 200 and screen.get("open_total") == 0,
            "the big screen's summary answers",
            failures,
        )
        check_https_headers(failures)
        check_login_throttling(env, failures)
        check_shared_rate_limit(token, failures)
    finally:
        server.terminate()
        server.wait(timeout=20)
        with psycopg.connect(PG_SERVER, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    print(f"smoke: {len(CHECKED) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def check_health_and_metrics(token: str, failures: list[str]) -> None:
    status, health = call("GET", "/healthz", token)
    check(
        status == 200
        and health.get("database") == health.get("cache") == "ok"
        and health.get("queue", {}).get("pending") == 0,
        f"/healthz: database, cache (Redis) and queue (Redis) answer ({health})",
        failures,
    )
    for _ in range(30):
        call("GET", "/healthz", token)
    # Through the proxy the client is 198.51.100.1: refused. From loopback: the sum of workers.
    status, _body = call("GET", "/metrics", token)
    check(status == 404, "/metrics is refused to a client beyond the proxy", failures)
    status, _headers, body = raw_response("/metrics", {})
    text = body.decode()
    served = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("django_http_requests_total_by_view_transport_method_total{")
        and 'view="healthz"' in line
    )
    check(
        status == 200 and served >= 30 and "gridgov_queue_tasks" in text,
        f"/metrics from loopback sums the three workers ({served:.0f} /healthz requests counted)",
        failures,
    )


def check_https_headers(failures: list[str]) -> None:
    status, headers, _body = raw_response("/map/", {"X-Forwarded-Proto": "https"})
    check(
        "max-age=" in (headers.get("Strict-Transport-Security") or "")
        and "script-src 'self'" in (headers.get("Content-Security-Policy") or "")
        and headers.get("X-Content-Type-Options") == "nosniff",
        "behind the proxy header: HSTS, CSP and nosniff are sent",
        failures,
    )
    status, headers, _body = raw_response("/map/", {})
    check(
        status == 301 and (headers.get("Location") or "").startswith("https://"),
        "plain http without the proxy header is redirected to https",
        failures,
    )
    status, _headers, _body = raw_response("/healthz", {})
    check(status == 200, "the health check answers over plain http", failures)


def check_login_throttling(env: dict, failures: list[str]) -> None:
    gridgov(
        "shell",
        "-c",
        "from gridgov.accounts.models import User; "
        "User.objects.create_user('smoke_clerk', password='Smoke-clerk-2024!', role='operator')",
        env=env,
    )
    right = sign_in("smoke_clerk", "Smoke-clerk-2024!", "203.0.113.20")
    check(right == 302, "the right password signs in", failures)
    wrong = [sign_in("smoke_clerk", f"wrong-{n}", f"203.0.113.{30 + n}") for n in range(5)]
    # The attempt that reaches the limit is already answered with the lockout (429).
    check(
        wrong[:4] == [200] * 4 and wrong[4] in (200, 429),
        f"five wrong passwords are refused ({wrong})",
        failures,
    )
    after = sign_in("smoke_clerk", "Smoke-clerk-2024!", "203.0.113.99")
    check(
        after == 429,
        "then the right password is refused too, from any address and worker (429)",
        failures,
    )


def check_shared_rate_limit(token: str, failures: list[str]) -> None:
    # Anonymous public reports from one address: 6 an hour across the three workers.
    statuses = [
        call("POST", "/api/v1/events/public", "", {}, {"X-Forwarded-For": "203.0.113.7"})[0]
        for _ in range(9)
    ]
    check(
        429 not in statuses[:6] and statuses[6:] == [429, 429, 429],
        f"one rate limit shared by the workers (statuses {statuses})",
        failures,
    )
    status = call("POST", "/api/v1/events/public", "", {}, {"X-Forwarded-For": "203.0.113.8"})[0]
    check(status != 429, "another client address has its own budget", failures)


if __name__ == "__main__":
    sys.exit(main())
