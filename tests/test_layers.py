"""The map of the code, checked: which module may import which.

Layers, lowest first:

    core        config, extensions, database, money, errors, htmx, signals, statemachine,
                idempotency, exports, uploads, audit, auth, geo, main, admin (and the other
                top-level modules of fundtracker/: clock, fields, i18n, security, navigation,
                views_common, append_only, cli, demo)
    pools       fund pools, the ledger, commitments
    projects    applications, the approval chain, the project page
    vetting     the county panel
    disbursements → monitoring → returns → acceptance / evaluation → public / dashboard

A module imports its own package and lower layers only (two packages on the same layer do
not import each other), and never another package's `views`. A lower layer that needs
something from a higher one offers an extension point (fundtracker/signals.py), and the
higher domain connects to it in its `init_app(app)`, which create_app calls in layer order.
`fundtracker/__init__.py` (create_app) names the domains as strings and imports them with
importlib: it is the one place that knows them all.
"""
import ast
from pathlib import Path

import pytest

from fundtracker import ROOT

PACKAGE = "fundtracker"
DOMAIN_LAYERS = {
    "pools": 1,
    "projects": 2,
    "vetting": 3,
    "disbursements": 4,
    "monitoring": 5,
    "returns": 6,
    "acceptance": 7,
    "evaluation": 7,
    "public": 8,
    "dashboard": 8,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, at any depth (also inside functions)."""
    name = module_name(path)
    here = name if is_package(path) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = ".".join(filter(None, [base if node.level else "", node.module or ""]))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, target) for line, target in found if target == PACKAGE or target.startswith(PACKAGE + ".")]


def domain_of(module: str) -> str | None:
    """The domain package of a module, or None for the core."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DOMAIN_LAYERS else None


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def layer_of(module: str) -> int:
    domain = domain_of(module)
    return DOMAIN_LAYERS[domain] if domain else 0


def violation(importer: str, target: str) -> str | None:
    if importer == PACKAGE:
        return None  # create_app: the composition root
    if "views" in target.split(".")[2:] and package_of(target) != package_of(importer):
        return "imports another package's views"
    importer_layer, target_layer = layer_of(importer), layer_of(target)
    if target_layer > importer_layer:
        return "imports a higher layer"
    if target_layer == importer_layer and importer_layer > 0 and domain_of(target) != domain_of(importer):
        return "imports another domain of the same layer"
    return None


def python_files():
    return sorted((ROOT / PACKAGE).rglob("*.py"))


def test_every_import_follows_the_layers():
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {module_name(path)} -> {target}: {reason}"
        for path in python_files()
        for line, target in imported_modules(path)
        if (reason := violation(module_name(path), target))
    ]
    assert problems == []


@pytest.mark.parametrize("importer, target, wrong", [
    ("fundtracker.pools.services", "fundtracker.projects.models.Project", True),
    ("fundtracker.idempotency", "fundtracker.pools.models.FundPool", True),
    ("fundtracker.vetting.views", "fundtracker.projects.views.PROJECT_TABS", True),
    ("fundtracker.main.views", "fundtracker.auth.views.safe_next", True),
    ("fundtracker.acceptance.services", "fundtracker.evaluation.models.Grade", True),
    ("fundtracker.vetting.services", "fundtracker.projects.models.Project", False),
    ("fundtracker.projects.workflow", "fundtracker.pools.services.commit_to_project", False),
    ("fundtracker.pools.views", "fundtracker.main.todo.TodoItem", False),
    ("fundtracker.vetting.views", "fundtracker.vetting.models.PanelMember", False),
])
def test_the_checker_tells_a_backward_import_from_a_forward_one(importer, target, wrong):
    assert (violation(importer, target) is not None) == wrong


def test_relative_imports_are_resolved(tmp_path):
    names = dict((target, line) for line, target in imported_modules(ROOT / PACKAGE / "projects" / "workflow.py"))
    assert "fundtracker.pools.services.commit_to_project" in names
    assert "fundtracker.statemachine.StateMachine" in names


def test_no_module_registers_anything_when_imported():
    """Extension points are connected in init_app only: a module-level call of connect() (or the
    old register_* functions) would wire the app as a side effect of an import."""
    problems = []
    for path in python_files():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call):
                func = call.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "connect" or name.startswith("register_"):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}() at import time")
    assert problems == []


def test_views_never_commit():
    """One commit path: only the form helper, the CLI and the demo seeding commit."""
    allowed = {"fundtracker/views_common.py", "fundtracker/cli.py"}
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        if str(path.relative_to(ROOT)) not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "commit(" in line and "def " not in line and "commit_to_project(" not in line
    ]
    assert offenders == []
