"""A refused restore changes nothing; a crafted archive reads nothing outside itself; a
restore moves the cache version counters past their old and restored values."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import connection

from gridgov.accounts.models import User
from gridgov.areas.models import TreeVersion
from gridgov.areas.services import tree_version_bump
from gridgov.common.errors import DomainError
from gridgov.events.versions import CacheVersion, cache_version, cache_version_bump
from gridgov.ops import databases
from gridgov.ops.management.commands.restore import Command
from tests.ops.test_backup_restore import backup, fingerprint, media, media_files, restore

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["media"]  # a fixture, used by name


def repack(archive: Path, *, manifest=None, extra: dict[str, bytes] | None = None, link=None):
    """A copy of `archive` with manifest(dict) -> dict applied, extra members added, and a
    symbolic link (name, target) added."""
    copy = archive.with_name(f"crafted-{len(list(archive.parent.iterdir()))}.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(copy, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link[0])
            info.type, info.linkname = tarfile.SYMTYPE, link[1]
            target.addfile(info)
    return copy


def dump_of(archive: Path) -> tuple[str, bytes]:
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        name = manifest["database"]["file"]
        return name, tar.extractfile(name).read()


@pytest.fixture
def changed_after_backup(media, tmp_path):
    """An archive, then a database and a media folder that differ from it."""
    User.objects.create_user(username="in_backup", password="x" * 12)
    archive = backup(tmp_path / "backups")
    User.objects.create_user(username="after_backup", password="x" * 12)
    (media / "plates" / "p.pdf").write_bytes(b"changed after the backup")
    return archive


def assert_refused(archive: Path, match: str, media: Path) -> None:
    before, files_before, users = fingerprint(), media_files(media), _counters()
    with pytest.raises(CommandError, match=match):
        restore(archive, "--force")
    assert fingerprint() == before
    assert _counters() == users
    assert media_files(media) == files_before
    assert not [p for p in media.parent.iterdir() if p.name.startswith(".")]


def _counters() -> tuple[list, list]:
    return (
        sorted(CacheVersion.objects.values_list("name", "version")),
        sorted(TreeVersion.objects.values_list("pk", "version")),
    )


def test_wrong_row_counts_are_found_before_anything_changes(changed_after_backup, media):
    def one_more(manifest):
        manifest["tables"]["accounts_user"] += 1
        return manifest

    crafted = repack(changed_after_backup, manifest=one_more)
    assert_refused(crafted, r"differs from the backup \(rows\).*accounts_user", media)

    def unknown_table(manifest):
        manifest["tables"]["no_such_table"] = 0
        return manifest

    assert_refused(repack(changed_after_backup, manifest=unknown_table), "rows", media)


def test_a_failed_database_load_puts_the_old_media_back(changed_after_backup, media, monkeypatch):
    def fail(*args):
        raise DomainError("psql failed, nothing was changed: lock timeout")

    monkeypatch.setattr(databases, "load", fail)
    assert_refused(changed_after_backup, "lock timeout", media)


def test_names_outside_the_archive_are_refused(changed_after_backup, media, tmp_path):
    name, data = dump_of(changed_after_backup)
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / name).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()

    for file in (str(outside / name), f"../x/{name}", f"./{name}", f"media/../{name}"):

        def elsewhere(manifest, file=file):
            manifest["database"] = {"file": file, "sha256": digest}
            return manifest

        assert_refused(repack(changed_after_backup, manifest=elsewhere), "not inside", media)

    def probing(manifest):
        manifest["media"]["../../x/" + name] = digest
        return manifest

    assert_refused(repack(changed_after_backup, manifest=probing), "not inside", media)
    linked = repack(changed_after_backup, link=("media/evil.jpg", "../manifest.json"))
    assert_refused(linked, "not a file or a folder", media)


@pytest.mark.parametrize(
    "malform",
    [
        lambda m: {k: v for k, v in m.items() if k != "vendor"},
        lambda m: {k: v for k, v in m.items() if k != "database"},
        lambda m: {**m, "tables": {"accounts_user": "3"}},
        lambda m: {**m, "tables": {'x"; DROP TABLE accounts_user; --': 1}},
        lambda m: {**m, "tables": []},
        lambda m: {**m, "media": {"a.jpg": 5}},
        lambda m: {**m, "migrations": [["accounts"]]},
        lambda m: {**m, "database": {"file": 3, "sha256": "0" * 64}},
        lambda m: [m],
    ],
)
def test_a_malformed_manifest_is_refused_cleanly(changed_after_backup, media, malform):
    assert_refused(repack(changed_after_backup, manifest=malform), "malformed", media)


def test_a_database_file_of_another_kind_is_refused(changed_after_backup, media):
    junk = b"this is not a database at all" * 100
    digest = hashlib.sha256(junk).hexdigest()

    def junk_database(manifest):
        manifest["database"] = {"file": "junk.bin", "sha256": digest}
        return manifest

    crafted = repack(changed_after_backup, manifest=junk_database, extra={"junk.bin": junk})
    assert_refused(crafted, "not a readable SQLite database|not a pg_dump archive", media)


def test_restore_moves_every_version_counter_past_old_and_restored(media, tmp_path):
    cache_version_bump("catalog")
    tree_version_bump()
    archive = backup(tmp_path / "backups")  # catalog 1, tree t (the demo's load moved it too)
    tree_at_backup = TreeVersion.objects.get(pk=1).version
    for _ in range(3):
        cache_version_bump("catalog")  # 4: a process may have cached at 1 or at 4
        tree_version_bump()
    cache_version_bump("calendar")  # only in the live database

    out = restore(archive)
    assert "queue consumers" in out
    assert cache_version("catalog") == 5  # past 4 (live) and 1 (restored)
    assert cache_version("calendar") == 2
    assert TreeVersion.objects.get(pk=1).version == tree_at_backup + 4  # past t + 3 and t

    # Over an empty-countered database, the restored values still move on.
    CacheVersion.objects.all().delete()
    TreeVersion.objects.all().delete()
    restore(archive)
    assert cache_version("catalog") == 2
    assert TreeVersion.objects.get(pk=1).version == tree_at_backup + 1


def test_the_help_says_to_stop_the_app_and_the_consumers():
    assert "queue consumers" in Command.help
    assert "app servers" in Command.help


def test_a_dump_cut_short_with_a_matching_checksum_is_refused(
    changed_after_backup, media, monkeypatch
):
    # pg_restore reads the table of contents, then fails halfway through the data: psql's
    # transaction must not commit what it got by then.
    name, data = dump_of(changed_after_backup)
    cut = data[: len(data) * 3 // 5]

    def cut_short(manifest):
        manifest["database"]["sha256"] = hashlib.sha256(cut).hexdigest()
        return manifest

    crafted = repack(changed_after_backup, manifest=cut_short, extra={name: cut})
    assert_refused(crafted, "not a pg_dump archive|not a readable SQLite database", media)
    if connection.vendor == "postgresql":
        # Past prepare's check, the load itself: pg_restore fails after psql began.
        monkeypatch.setattr(databases, "prepare", lambda *args: None)
        assert_refused(crafted, "pg_restore failed, nothing was changed", media)
