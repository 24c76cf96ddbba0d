"""Imports point down the layers (DESIGN.md §2.1): an app imports only from its own layer or below.

Every module under zhidu/ is parsed (no import runs): `import x`, `from x import y` (relative ones resolved), and
in a module that calls `importlib.import_module` / `import_string`, every "zhidu.…" dotted string literal
counts. Tests, migrations and the
project-level modules are exempt. The WeCom simulator imports only WeCom's protocol pieces.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The layer table of DESIGN.md §2.1 (future apps included, so they land in the right place from day one).
LAYERS: dict[str, int] = {
    "core": 1,
    "org": 2,
    "web": 2,
    "policies": 3,
    "customers": 3,
    "groups": 3,
    "wecom": 4,
    "compliance": 5,
    "sales": 5,
    "discipline": 6,
    "performance": 6,
    "work": 6,
    "training": 6,
    "service": 6,
    "moments": 6,
    "monitoring": 6,
}
PROJECT_MODULES = {"__init__", "settings", "urls", "api", "cli", "celery", "wsgi", "asgi"}
SIMULATOR_MAY_IMPORT = ("zhidu.wecom.crypto", "zhidu.wecom.schemas")
DYNAMIC_IMPORTERS = {"import_module", "import_string"}
DOTTED = re.compile(r"zhidu(\.[A-Za-z_]\w*)+")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_exempt(path: Path, root: Path = ROOT) -> bool:
    rel = path.relative_to(root).parts
    if "tests" in rel or "migrations" in rel or path.name.startswith("test_") or path.name == "conftest.py":
        return True
    return len(rel) == 2 and rel[0] == "zhidu" and path.stem in PROJECT_MODULES


def imported_names(path: Path, source: str, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, dotted module) for every import in `source`, relative imports resolved against `path`."""
    tree = ast.parse(source, filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from zhidu.compliance import services` names a module
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base
    # A module that imports dynamically may pass its dotted paths through variables: count every such literal.
    if any(_name(node) in DYNAMIC_IMPORTERS for node in ast.walk(tree)):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.fullmatch(node.value):
                yield node.lineno, node.value


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return node.name if isinstance(node, ast.alias) else ""


def app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "zhidu" or len(parts) < 2 or parts[1] in PROJECT_MODULES:
        return None
    return parts[1]


def upward_imports(root: Path = ROOT) -> list[str]:
    problems = []
    for path in sorted((root / "zhidu").rglob("*.py")):
        if is_exempt(path, root):
            continue
        app = app_of(module_name(path, root))
        if app is None:
            continue
        if app not in LAYERS:
            problems.append(f"{path.relative_to(root)}: app {app!r} is missing from the layer table")
            continue
        for line, target in imported_names(path, path.read_text(encoding="utf-8"), root):
            other = app_of(target)
            if other is None or other == app:
                continue
            if LAYERS.get(other, 99) > LAYERS[app]:
                problems.append(
                    f"{path.relative_to(root)}:{line}: {app} (layer {LAYERS[app]}) imports {target} "
                    f"({other}, layer {LAYERS.get(other, '?')})"
                )
    return problems


def test_apps_import_only_their_own_layer_or_below() -> None:
    problems = upward_imports()
    assert not problems, "imports pointing up the layers:\n" + "\n".join(problems)


def test_the_simulator_imports_only_wecom_protocol_pieces() -> None:
    problems = []
    for path in sorted((ROOT / "wecomsim").rglob("*.py")):
        if is_exempt(path):
            continue
        for line, target in imported_names(path, path.read_text(encoding="utf-8")):
            if target.split(".")[0] != "zhidu":
                continue
            if not any(target == ok or target.startswith(ok + ".") for ok in SIMULATOR_MAY_IMPORT):
                problems.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
    assert not problems, "the simulator reaches into zhidu:\n" + "\n".join(problems)


# --- the checker itself catches what it should (fake packages in a temporary tree) ---------------------------


@pytest.mark.parametrize(
    ("app", "source", "caught"),
    [
        ("core", "from zhidu.org.models import Role\n", True),
        ("core", "def f():\n    import zhidu.wecom.send\n", True),
        ("web", "import importlib\nimportlib.import_module('zhidu.compliance.services')\n", True),
        ("web", "from importlib import import_module\nHOOKS = ['zhidu.wecom.sync.sync_all']\n", True),
        ("web", "LABEL = 'zhidu.wecom.sync'\n", False),
        ("web", "from django.utils.module_loading import import_string\nimport_string('zhidu.policies.x.y')\n", True),
        ("policies", "from zhidu import wecom\n", True),
        ("sales", "from zhidu.discipline.services import sanction_propose\n", True),
        ("compliance", "from zhidu.wecom.archive import ArchiveError\nfrom zhidu.org.models import Member\n", False),
        ("groups", "from zhidu.customers.models import Customer\n", False),
        ("policies", "from zhidu.core.events import publish\nfrom zhidu.settings import DEBUG\n", False),
    ],
)
def test_checker(tmp_path: Path, app: str, source: str, caught: bool) -> None:
    package = tmp_path / "zhidu" / app
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text(source)
    assert bool(upward_imports(tmp_path)) is caught


def test_checker_resolves_relative_imports(tmp_path: Path) -> None:
    path = tmp_path / "zhidu" / "core" / "sub" / "views.py"

    def targets(source: str) -> set[str]:
        return {target for _line, target in imported_names(path, source, tmp_path)}

    assert targets("from ..models import X\n") == {"zhidu.core.models.X"}
    assert targets("from ...org import models\n") == {"zhidu.org.models"}
    assert targets("from . import helpers\n") == {"zhidu.core.sub.helpers"}
