"""The manifest of a backup archive, checked field by field before a restore uses any of it.

An archive may come from anywhere: a field of the wrong type must end in a clear refusal,
not a traceback halfway through, and every name it gives must stay inside the staging
folder (an absolute path or `..` would make a restore read, or probe, any file of the host).
"""

import json
import re
from pathlib import Path, PurePosixPath

from gridgov.common.errors import DomainError

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Table names go into SQL (quoted); Django's are plain identifiers, so nothing else is let in.
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _malformed(what: str) -> DomainError:
    return DomainError(f"The backup's manifest.json is malformed: {what}.")


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0  # bool is an int subclass: not a count


def read_manifest(staging: Path) -> dict:
    path = staging / MANIFEST
    if path.is_symlink() or not path.is_file():
        raise DomainError("Not a gridgov backup: it has no manifest.json (or it was cut short).")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # UnicodeDecodeError is one too
        raise DomainError(f"The backup's manifest.json is not JSON: {error}.") from error
    if not isinstance(manifest, dict):
        raise _malformed("not an object")
    if manifest.get("format") != FORMAT:
        raise DomainError(
            f"This backup has format {manifest.get('format')!r}; this gridgov reads format {FORMAT}."
        )
    for key in ("vendor", "created_at", "gridgov_version"):
        if not isinstance(manifest.get(key), str):
            raise _malformed(f"'{key}' is missing or not a string")
    migrations = manifest.get("migrations")
    if not isinstance(migrations, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in migrations
    ):
        raise _malformed("'migrations' is not a list of [app, name]")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        _TABLE.fullmatch(name) and _is_count(rows) for name, rows in tables.items()
    ):
        raise _malformed("'tables' is not a map of table names to row counts")
    database = manifest.get("database")
    if not (
        isinstance(database, dict)
        and isinstance(database.get("file"), str)
        and isinstance(database.get("sha256"), str)
        and _SHA256.fullmatch(database["sha256"])
    ):
        raise _malformed("'database' needs a 'file' and its 'sha256'")
    media = manifest.get("media")
    if not isinstance(media, dict) or not all(
        isinstance(digest, str) and _SHA256.fullmatch(digest) for digest in media.values()
    ):
        raise _malformed("'media' is not a map of file names to their sha256")
    return manifest


def member_path(staging: Path, name: str) -> Path:
    """The path of the archive member `name` in `staging`; refused unless it is a plain
    relative name that stays inside (no absolute path, no `..`, no symlink on the way)."""
    pure = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or pure.is_absolute()
        or ".." in pure.parts
        or pure.as_posix() != name  # "./x", "a//b", "x/": not how a backup names its members
    ):
        raise DomainError(f"The backup's manifest names {name!r}, which is not inside the backup.")
    path = staging
    for part in pure.parts:
        path = path / part
        if path.is_symlink():
            raise DomainError(f"The backup's member {name!r} is a symbolic link: refused.")
    try:
        path.resolve().relative_to(staging.resolve())
    except ValueError as error:
        raise DomainError(
            f"The backup's manifest names {name!r}, which is not inside the backup."
        ) from error
    return path
