"""Small typed readers for environment variables (12-factor settings)."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


def env_str(name: str, default: str = "") -> str:
    # An empty variable (`DATABASE_URL= make run`) means "not set", as in most deployments.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip() else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def persistent_secret_key(data_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir.

    The embedded default must survive restarts (sessions, tokens signed with it),
    so a generated key is written next to the SQLite file with owner-only access.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def tile_source(tile_url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, with a `{s}` subdomain
    (`https://t{s}.tianditu.gov.cn/...`, `https://{s}.tile.example.org/...`) as a wildcard."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1] if "." in host else "*"
    return f"{parts.scheme}://{host}" if parts.scheme else host
