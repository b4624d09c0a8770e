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


# --- ui/ shows and asks; app/ decides (issue 16) -----------------------------------------------------------------

CHANGESET_TRANSITIONS = {"submit", "approve", "cancel", "return_"}   # app.changeset.ChangeSet's, each taking the officer
EXECUTORS = ("worker", "_slow_io", "executor", "pool")   # an executor's submit(fn) is not a change set's submit


def _sources(*folders: str) -> dict[str, ast.Module]:
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8"))
            for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))}


def _calls(tree: ast.Module):
    """(method name, receiver's source, number of arguments) of every ``x.name(…)`` call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node.func.attr, ast.unparse(node.func.value), len(node.args) + len(node.keywords)


def test_ui_executes_no_sql():
    offenders = {path: receiver for path, tree in _sources("ui").items()
                 for name, receiver, _n in _calls(tree) if name in ("execute", "executemany", "executescript")}
    assert offenders == {}


def _builds_a_changeset(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "app" and any(a.name == "events" for a in node.names):
            found.append("imports app.events' builders")
        elif isinstance(node, ast.ImportFrom) and node.module == "app.events":
            found += [f"imports {a.name}" for a in node.names if a.name[:1].islower()]  # functions, not types
        elif isinstance(node, ast.Import) and any(a.name == "app.events" for a in node.names):
            found.append("imports app.events")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ChangeSet":
            found.append("ChangeSet(…)")
    use_cases = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and (node.module or "").startswith("app.usecases") for a in node.names}
    for name, receiver, n in _calls(tree):
        if name in CHANGESET_TRANSITIONS and n and receiver not in use_cases \
                and not (name == "submit" and receiver.endswith(EXECUTORS)):
            found.append(f"{receiver}.{name}(…)")
    return found


def test_ui_builds_no_change_set_and_moves_none_along_its_life():
    offenders = {path: found for path, tree in _sources("ui").items()
                 if (found := _builds_a_changeset(tree))}
    assert offenders == {}


def test_the_check_for_change_set_building_sees_what_it_forbids():
    caught = _builds_a_changeset(ast.parse(
        "from app import events\nfrom app.events import hire, Known\ncs = ChangeSet('U1')\ncs.submit(officer)\n"
        "cs.approve(officer)\nself.worker.submit(fn)\nfuture.cancel()\nfrom app.usecases import review\n"
        "review.approve(desk, chosen)\n"))
    assert caught == ["imports app.events' builders", "imports hire", "ChangeSet(…)", "cs.submit(…)",
                      "cs.approve(…)"]


def test_only_the_use_cases_owe_anything_to_the_server():
    offenders = sorted(path for path, tree in _sources("app", "ui", "sync", "server", "card", "scan").items()
                       if any(name == "owe_in" for name, _r, _n in _calls(tree))
                       and not path.startswith("app/usecases/"))
    assert offenders == []


def test_one_pin_prompt_asks_every_pin():
    """Log-in, approval and confirmation all ask through ui/pin_prompt.py: nothing else in ui/ sends a PIN to the
    card or asks the lock-safety question."""
    offenders = sorted(path for path, tree in _sources("ui").items() if path != "ui/pin_prompt.py"
                       and any(name in ("verify_pin", "pin_status") for name, _r, _n in _calls(tree)))
    assert offenders == []
    askers = sorted(path for path, tree in _sources("ui").items()
                    if any(isinstance(n, ast.Constant) and n.value == "lockWarning" for n in ast.walk(tree)))
    assert askers == ["ui/pin_prompt.py"]
