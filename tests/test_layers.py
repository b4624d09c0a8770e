"""The layers of DESIGN.md hold: the core imports no GUI, HTTP, PC/SC or web framework."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_APP = {"PySide6", "shiboken6", "requests", "httpx", "smartcard", "fastapi", "starlette", "uvicorn",
                    "ui", "card", "scan", "sync", "server"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_app_imports_no_qt_http_pcsc_or_web_framework():
    offenders = {}
    for path in (ROOT / "app").rglob("*.py"):
        bad = imports_of(path) & FORBIDDEN_IN_APP
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_only_ui_qt_names_the_qt_binding():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py")
                 if p.name != "qt.py" and "PySide6" in imports_of(p)]
    assert offenders == []
