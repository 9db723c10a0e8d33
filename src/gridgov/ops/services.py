"""`backup_create` and `backup_restore`: the database and the media folder in one archive.

An archive is a .tar.gz holding the database dump (databases.DUMP_FILE), the media folder
under media/, and manifest.json last: format, gridgov version, time, database vendor, the
applied migrations, each table's rows, and a SHA-256 of every other member. A restore checks
all of that before it touches anything, the row counts too (in a staged SQLite file, or inside
PostgreSQL's one restore transaction), and moves the caches' version counters on
(counters.py; docs/decisions/0019).
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from gridgov.areas import spatial_index
from gridgov.common.errors import DomainError
from gridgov.common.versioned_cache import invalidate_all
from gridgov.ops import counters, databases
from gridgov.ops.manifest import FORMAT, MANIFEST, MEDIA, member_path, read_manifest

CHUNK = 1 << 20


@dataclass
class Restored:
    archive: Path
    created_at: str
    tables: int
    rows: int
    media_files: int
    pending_migrations: list[str] = field(default_factory=list)


def _gridgov_version() -> str:
    try:
        return version("gridgov")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> list[list[str]]:
    """[app, name] of every applied migration of the live database ([] when it is empty)."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(*, to: Path) -> Path:
    """Write a backup archive into the folder `to` (made if missing); return its path.

    The database is dumped first and the media folder read after it, so every file a row
    names is in the archive (a file uploaded meanwhile may be too, harmlessly). The archive
    appears under its final name only once complete.
    """
    to.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    name = f"gridgov-backup-{created_at:%Y%m%dT%H%M%SZ}.tar.gz"
    final, partial = to / name, to / f".{name}.partial"
    try:
        _write_archive(partial, created_at)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, final)
    return final


def _write_archive(partial: Path, created_at: datetime) -> None:
    to = partial.parent
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=to, prefix=".gridgov-backup-") as work:
        dump_name = databases.DUMP_FILE.get(databases.vendor(), "database")
        dump_path = Path(work) / dump_name
        counts = databases.dump(dump_path)
        manifest = {
            "format": FORMAT,
            "gridgov_version": _gridgov_version(),
            "created_at": created_at.isoformat(timespec="seconds"),
            "vendor": databases.vendor(),
            "migrations": applied_migrations(),
            "tables": counts,
            "database": {"file": dump_name, "sha256": _sha256(dump_path)},
            "media": {},
        }
        # Photos are JPEG already: light compression keeps a backup of many photos fast.
        with tarfile.open(partial, "w:gz", compresslevel=3) as archive:
            archive.add(dump_path, arcname=dump_name)
            for path in _media_files(media_root):
                relative = path.relative_to(media_root).as_posix()
                try:
                    manifest["media"][relative] = _sha256(path)
                    archive.add(path, arcname=f"{MEDIA}/{relative}", recursive=False)
                except FileNotFoundError:  # purged while we read: not part of this backup
                    manifest["media"].pop(relative, None)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(created_at.timestamp())
            archive.addfile(info, io.BytesIO(data))


def _verify_members(staging: Path, manifest: dict) -> Path:
    """Check every member the manifest names; return the path of the database dump."""
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected |= {f"{MEDIA}/{name}": digest for name, digest in manifest["media"].items()}
    for member, digest in expected.items():
        path = member_path(staging, member)
        if not path.is_file():
            raise DomainError(f"The backup is incomplete: {member} is missing.")
        if _sha256(path) != digest:
            raise DomainError(f"The backup is damaged: {member} does not match its checksum.")
    return member_path(staging, manifest["database"]["file"])


def _files_and_folders_only(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    # The "data" filter keeps links inside the staging folder; a backup has none at all, and
    # a link moved into the media folder could point anywhere from there.
    member = tarfile.data_filter(member, dest)
    if not (member.isreg() or member.isdir()):
        raise DomainError(f"The backup holds {member.name!r}, which is not a file or a folder.")
    return member


def _migration_difference(manifest: dict) -> str:
    """'' when the live database is empty or at the backup's migration state."""
    live = {tuple(pair) for pair in applied_migrations()}
    saved = {tuple(pair) for pair in manifest["migrations"]}
    if not live or live == saved:
        return ""
    only_backup = sorted(f"{app}.{name}" for app, name in saved - live)
    only_live = sorted(f"{app}.{name}" for app, name in live - saved)
    parts = []
    if only_backup:
        parts.append(f"only in the backup: {', '.join(only_backup[:5])}")
    if only_live:
        parts.append(f"only in this database: {', '.join(only_live[:5])}")
    return "; ".join(parts)


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _move_children(source: Path, target: Path) -> None:
    for child in list(source.iterdir()):
        shutil.move(child, target / child.name)


@contextmanager
def _media_swapped(staged: Path, media_root: Path) -> Iterator[None]:
    """The staged media folder in place for the block; the old one back if the block fails
    (the database load), deleted once it succeeded."""
    staged.mkdir(exist_ok=True)
    old = media_root.with_name(f".{media_root.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if not media_root.exists():
        os.replace(staged, media_root)

        def undo() -> None:
            os.replace(media_root, staged)
    else:
        try:
            os.replace(media_root, old)
            renamed = True
        except OSError:  # a mount point (shared storage) cannot be renamed: move its contents
            renamed = False
        if renamed:
            try:
                os.replace(staged, media_root)
            except BaseException:
                os.replace(old, media_root)
                raise

            def undo() -> None:
                os.replace(media_root, staged)
                os.replace(old, media_root)
        else:
            old.mkdir()
            _move_children(media_root, old)
            _move_children(staged, media_root)

            def undo() -> None:
                _move_children(media_root, staged)
                _move_children(old, media_root)

    try:
        yield
    except BaseException:
        undo()
        raise
    shutil.rmtree(old, ignore_errors=True)


def backup_restore(*, archive: Path, force: bool = False) -> Restored:
    """Replace the database and the media folder with the backup `archive`.

    Preconditions, each refused with a message before anything changes: a complete,
    undamaged gridgov archive; the same database vendor; and a live database that is empty
    or at the backup's migration state (`force` restores over another state). The app and
    the task consumers should be stopped meanwhile (README, "Backup and restore").
    """
    if not archive.is_file():
        raise DomainError(f"{archive}: no such file.")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside the media folder, so the new folder moves into place with one rename.
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".gridgov-restore-") as work:
        staging = Path(work)
        try:
            with tarfile.open(archive, "r:*") as tar:
                tar.extractall(staging, filter=_files_and_folders_only)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise DomainError(f"{archive} is not a readable backup archive: {error}.") from error
        manifest = read_manifest(staging)
        if manifest["vendor"] != databases.vendor():
            raise DomainError(
                f"This backup is of a {manifest['vendor']} database and this server uses "
                f"{databases.vendor()}: the dump formats differ, so it cannot be restored here."
            )
        dump = _verify_members(staging, manifest)
        difference = _migration_difference(manifest)
        if difference and not force:
            raise DomainError(
                f"The database is at another migration state than the backup ({difference}). "
                f"Restore with the gridgov version that made it ({manifest['gridgov_version']}), "
                f"or pass --force to replace the database anyway."
            )
        # Read before the load: the bump must pass the live values too (counters.py).
        live_counters = counters.read_live()
        databases.prepare(dump, manifest["tables"], live_counters)
        with _media_swapped(staging / MEDIA, media_root):
            databases.load(dump, manifest["tables"], live_counters)
    # Cached catalogs, trees and counters describe the replaced data; other processes see the
    # bumped version counters, this one forgets at once.
    cache.clear()
    invalidate_all()
    spatial_index.invalidate()
    return Restored(
        archive=archive,
        created_at=manifest["created_at"],
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        media_files=len(manifest["media"]),
        pending_migrations=_pending_migrations(),
    )
