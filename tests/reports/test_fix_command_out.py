"""Issue 13, fix 1: `gridgov report --out` into a folder that does not exist, or onto a path
that cannot be written, is a CommandError naming the path, not a traceback; no report is
made for a folder that is missing and no partial file is left."""

import pytest
from django.core.management import CommandError, call_command

from gridgov.reports.management.commands import report as command

ARGS = ["--period", "month", "--date", "2026-03", "--root", "530702", "--format", "pdf"]


def test_a_missing_folder_is_refused_before_the_report_is_made(tmp_path, monkeypatch):
    def must_not_build(**kwargs):
        raise AssertionError("the report was made for a file that cannot be written")

    monkeypatch.setattr(command, "report_build_files", must_not_build)
    out = tmp_path / "nonexistent" / "dir" / "x.pdf"
    with pytest.raises(CommandError, match="nonexistent"):
        call_command("report", *ARGS, "--out", str(out))
    assert not out.parent.exists()


def test_a_path_that_cannot_be_written_is_a_command_error(tmp_path, monkeypatch):
    monkeypatch.setattr(command, "report_build_files", lambda **kwargs: b"%PDF-1.7")
    taken = tmp_path / "taken.pdf"
    taken.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(CommandError, match="taken.pdf"):
        call_command("report", *ARGS, "--out", str(taken))
    assert not list(tmp_path.glob("*.part"))
