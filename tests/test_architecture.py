"""The rules for views (conventions §2), checked on the code itself so review need not:
every view is typed, reads POST data only through a form, writes nothing to the database
itself (services do), and stays short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = sorted([*ROOT.glob("provisioning/*/views.py"), *ROOT.glob("accounts/**/views.py"),
                       ROOT / "provisioning" / "home.py"])
ORM_WRITES = {"save", "create", "bulk_create", "update", "bulk_update", "delete", "get_or_create",
              "update_or_create"}
CEILING = 40  # conventions: thirty lines is the usual ceiling; forty is the hard one


def _views(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and node.decorator_list:
            yield node


CASES = [(p, v) for p in VIEW_MODULES for v in _views(p)]
IDS = [f"{p.relative_to(ROOT)}::{v.name}" for p, v in CASES]


def test_there_are_views_to_check():
    assert len(CASES) > 20


@pytest.mark.parametrize("path,view", CASES, ids=IDS)
def test_a_view_is_typed(path, view):
    assert view.returns is not None, "annotate the return type (-> HttpResponse)"
    assert view.args.args and view.args.args[0].annotation is not None, "annotate request: HttpRequest"


@pytest.mark.parametrize("path,view", CASES, ids=IDS)
def test_a_view_reads_post_data_only_through_a_form(path, view):
    for node in ast.walk(view):
        if isinstance(node, ast.Attribute) and node.attr in ("get", "getlist") and \
                isinstance(node.value, ast.Attribute) and node.value.attr == "POST":
            pytest.fail(f"line {node.lineno}: request.POST.{node.attr}() — give the POST to a form")


@pytest.mark.parametrize("path,view", CASES, ids=IDS)
def test_a_view_writes_nothing_itself(path, view):
    for node in ast.walk(view):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ORM_WRITES:
            owner = ast.unparse(node.func.value)
            if "objects" in owner or owner.endswith(("_set", "qs")) or node.func.attr == "save":
                pytest.fail(f"line {node.lineno}: {owner}.{node.func.attr}() — writes belong in a service")


@pytest.mark.parametrize("path,view", CASES, ids=IDS)
def test_a_view_stays_short(path, view):
    start = min([view.lineno, *(d.lineno for d in view.decorator_list)])
    length = view.end_lineno - view.lineno + 1
    assert length <= CEILING, f"{length} lines from line {start}: move the work into a selector or service"
