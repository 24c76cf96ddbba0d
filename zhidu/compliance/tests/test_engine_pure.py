"""The compliance engine stays pure Python: no module under engine/ (packages included) imports Django
or another part of zhidu, so benchmarks and scripts can use it without settings."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def foreign_imports(root: Path) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "django" or (top == "zhidu" and not name.startswith("zhidu.compliance.engine")):
                    problems.append(f"{path.relative_to(root)}:{node.lineno}: imports {name}")
    return problems


def test_engine_modules_import_no_django() -> None:
    assert list(ENGINE.rglob("detect/*.py")), "the detectors package is scanned too"
    assert foreign_imports(ENGINE) == []


def test_the_check_sees_nested_packages(tmp_path: Path) -> None:
    nested = tmp_path / "detect"
    nested.mkdir()
    (nested / "money.py").write_text("def f():\n    from django.conf import settings\n")
    (tmp_path / "ok.py").write_text("from .detect import money\nimport re\n")
    assert foreign_imports(tmp_path) == ["detect/money.py:2: imports django.conf"]
