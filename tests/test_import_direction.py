"""Events sits above dispatch (decision 0022): no module of gridgov.dispatch imports
gridgov.events, not at the top and not inside a function, so dispatch can be read, tested
and changed without the event workflow, and no import cycle can form between them."""

import ast
from pathlib import Path

import pytest

import gridgov.dispatch

DISPATCH = Path(gridgov.dispatch.__file__).parent
FORBIDDEN = "gridgov.events"


def _forbidden(name: str) -> bool:
    return name == FORBIDDEN or name.startswith(FORBIDDEN + ".")


def offending_lines(source: str, filename: str = "<source>") -> list[int]:
    """The lines of `source` that import gridgov.events, wherever they sit."""
    lines = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            # `from gridgov import events` names the package through the imported name.
            base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        if any(_forbidden(name) for name in names):
            lines.append(node.lineno)
    return lines


def test_dispatch_never_imports_events():
    modules = sorted(DISPATCH.rglob("*.py"))
    assert len(modules) > 5  # the walk found the package
    offending = [
        f"{path.relative_to(DISPATCH.parents[2])}:{line}"
        for path in modules
        for line in offending_lines(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not offending, "gridgov.dispatch imports gridgov.events at " + ", ".join(offending)


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("def f():\n    from gridgov.events.models import Event\n    return Event\n", [2]),
        ("import gridgov.events.services\n", [1]),
        ("from gridgov import events\n", [1]),
        ("import importlib\nimportlib.import_module('gridgov.events.workflow')\n", [2]),
        ("from gridgov.eventsourcing import x\nfrom gridgov.dispatch import services\n", []),
    ],
)
def test_the_check_sees_every_form_of_import(source, lines):
    assert offending_lines(source) == lines
