"""`gridgov backup` and `gridgov restore` round-trip to the same rows and media files.

Transactional: pg_dump and pg_restore work through their own connections, which see only
committed rows. On PostgreSQL when DATABASE_URL names one (make test-postgres), else SQLite.
"""

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from gridgov.accounts.models import User
from gridgov.ops.counters import COUNTERS

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows, in an order of their own; the
    cache version counters aside: a restore moves them on (test_restore_safety.py)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in COUNTERS:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            tables[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return tables


def media_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = tmp_path / "media"
    (root / "events" / "2026" / "11").mkdir(parents=True)
    (root / "events" / "2026" / "11" / "a.jpg").write_bytes(b"\xff\xd8 photo a")
    (root / "plates" / "p.pdf").parent.mkdir()
    (root / "plates" / "p.pdf").write_bytes(b"%PDF plate")
    return root


def backup(folder: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--to", str(folder), stdout=out)
    return Path(out.getvalue().split(" (")[0])


def restore(archive: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), "--no-input", *args, stdout=out)
    return out.getvalue()


def test_restore_brings_back_every_row_and_file(media, tmp_path):
    for n in range(3):
        User.objects.create_user(username=f"backup_{n}", password="x" * 12, first_name=f"名{n}")
    before, files_before = fingerprint(), media_files(media)

    archive = backup(tmp_path / "backups")
    assert archive.name.startswith("gridgov-backup-")
    assert archive.name.endswith(".tar.gz")
    assert list(archive.parent.iterdir()) == [archive]  # no partial file or work folder left
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["accounts_user"] == before["accounts_user"][0]
    assert ["accounts", "0001_initial"] in manifest["migrations"]
    assert set(manifest["media"]) == {"events/2026/11/a.jpg", "plates/p.pdf"}

    User.objects.filter(username="backup_0").delete()
    User.objects.filter(username="backup_1").update(first_name="changed")
    User.objects.create_user(username="after_backup", password="x" * 12)
    (media / "plates" / "p.pdf").unlink()
    (media / "events" / "2026" / "11" / "a.jpg").write_bytes(b"overwritten")
    (media / "new.jpg").write_bytes(b"new")
    assert fingerprint() != before

    assert "restored" in restore(archive)
    assert fingerprint() == before
    assert media_files(media) == files_before
    assert not [p for p in media.parent.iterdir() if p.name.startswith(".")]


def test_a_database_at_another_migration_state_is_refused_unless_forced(media, tmp_path):
    User.objects.create_user(username="kept", password="x" * 12)
    archive = backup(tmp_path / "backups")
    before = fingerprint()
    MigrationRecorder.Migration.objects.create(app="ops", name="9999_from_the_future")
    User.objects.create_user(username="unrelated", password="x" * 12)

    with pytest.raises(CommandError, match=r"another migration state.*ops\.9999_from_the_future"):
        restore(archive)
    assert User.objects.filter(username="unrelated").exists()  # nothing changed

    restore(archive, "--force")
    assert fingerprint() == before


def rewrite(archive: Path, change) -> Path:
    """A copy of `archive` with its members passed through change(name, bytes)."""
    copy = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def test_a_damaged_foreign_or_cut_backup_is_refused_and_nothing_changes(media, tmp_path):
    archive = backup(tmp_path / "backups")
    User.objects.create_user(username="after", password="x" * 12)
    before, files_before = fingerprint(), media_files(media)

    damaged = rewrite(archive, lambda n, d: b"tampered" if n == "media/plates/p.pdf" else d)
    with pytest.raises(CommandError, match="damaged: media/plates/p.pdf"):
        restore(damaged)

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def foreign(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "vendor": other}).encode()

    with pytest.raises(CommandError, match=f"of a {other} database"):
        restore(rewrite(archive, foreign), "--force")

    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="not a readable backup|no manifest"):
        restore(cut)
    with pytest.raises(CommandError, match="no such file"):
        restore(tmp_path / "missing.tar.gz")

    assert fingerprint() == before
    assert media_files(media) == files_before


def test_restore_without_a_media_folder_and_into_an_empty_one(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "none")
    archive = backup(tmp_path / "backups")
    shutil.rmtree(tmp_path / "none", ignore_errors=True)
    restore(archive)
    assert (tmp_path / "none").is_dir()
    assert not any((tmp_path / "none").iterdir())
