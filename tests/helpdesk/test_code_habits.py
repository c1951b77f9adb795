"""Issue 11, the same habits in every app, checked so that they cannot drift: absolute
imports, emails written only by an app's ``notify.py`` with ``Kind`` constants (never a
string at the call site), typed views (every view the URLconf reaches), and Celery tasks
named after their service plus ``_task``. The template habits are in
``test_template_habits.py``."""

import ast
import inspect
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from helpdesk.celery import app

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "api",
    "billing",
    "credits",
    "helpdesk",
    "kb",
    "mailchannel",
    "notifications",
    "plans",
    "reports",
    "tickets",
)
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def _python_files(*, with_tests: bool = True) -> list[Path]:
    folders = [*APPS, "bench"] + (["tests"] if with_tests else [])
    files = sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )
    assert len(files) > 200  # the walk found the code
    return files


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# --- Imports ------------------------------------------------------------------------------


def test_imports_are_absolute():
    relative = [
        _where(path, node)
        for path in _python_files()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert not relative, relative


# --- Emails -------------------------------------------------------------------------------


def _kind_positions() -> dict[str, int]:
    """Where each ``notifications.services.queue_email*`` takes its ``kind``."""
    from notifications import services

    positions = {
        name: list(inspect.signature(getattr(services, name)).parameters).index("kind")
        for name in dir(services)
        if name.startswith("queue_email")
    }
    assert {"queue_email", "queue_email_to_address", "queue_email_to_staff"} <= set(positions)
    return positions


def _queue_email_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("queue_email"):
                yield name, node


def _kind_argument(name: str, call: ast.Call, positions: dict[str, int]) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == "kind":
            return keyword.value
    position = positions.get(name)
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def test_no_email_kind_is_a_string_at_the_call_site():
    """``queue_email(user, Kind.LOW_BALANCE, ...)``, never ``queue_email(user, "low_balance")``."""
    positions = _kind_positions()
    spelled = []
    for path in _python_files(with_tests=False):
        for name, call in _queue_email_calls(path):
            kind = _kind_argument(name, call, positions)
            if isinstance(kind, ast.JoinedStr) or (
                isinstance(kind, ast.Constant) and isinstance(kind.value, str)
            ):
                spelled.append(_where(path, call))
    assert not spelled, spelled


def test_emails_are_queued_by_each_apps_notify_module():
    """Only ``<app>/notify.py`` writes an app's emails to the outbox (and the outbox itself,
    ``notifications/services.py``, whose ``queue_email_*`` share ``queue_email_to_many``)."""
    outbox = ROOT / "notifications" / "services.py"
    outside = [
        _where(path, call)
        for path in _python_files(with_tests=False)
        if path.relative_to(ROOT).parts[0] in APPS and path.name != "notify.py" and path != outbox
        for _name, call in _queue_email_calls(path)
    ]
    assert not outside, outside
    with_notify = {path.parent.name for path in ROOT.glob("*/notify.py")}
    assert {"accounts", "billing", "credits", "mailchannel", "notifications"} <= with_notify


# --- Views --------------------------------------------------------------------------------


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", "") or "").split(".")[0] in APPS


def _view_functions(callback):
    """(name, function) of what a URL runs: a function view, or the HTTP methods a class
    view of ours defines (Django's ``view_class``, DRF's ``cls``)."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        function = inspect.unwrap(callback)
        if _ours(function):
            yield f"{function.__module__}.{function.__qualname__}", function
        return
    for method in HTTP_METHODS:
        for klass in view_class.__mro__:
            if method in vars(klass):
                if _ours(klass):
                    yield f"{klass.__module__}.{klass.__qualname__}.{method}", vars(klass)[method]
                break


def test_every_view_is_typed():
    """``request: HttpRequest`` (DRF's ``Request`` in the API), the URL's arguments and the
    response type, on every view of ours that the URLconf reaches (admin views too)."""
    checked, untyped = set(), []
    for pattern in _patterns(get_resolver().url_patterns):
        for name, function in _view_functions(pattern.callback):
            if name in checked:
                continue
            checked.add(name)
            signature = inspect.signature(inspect.unwrap(function))
            missing = [
                parameter.name
                for parameter in signature.parameters.values()
                if parameter.name != "self"
                and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
                and parameter.annotation is inspect.Parameter.empty
            ]
            if signature.return_annotation is inspect.Signature.empty:
                missing.append("return")
            if missing:
                untyped.append(f"{name}: {', '.join(missing)}")
    assert len(checked) > 100  # the walk reached the views
    assert not untyped, "\n".join(untyped)


# --- Celery tasks -------------------------------------------------------------------------


def _our_tasks():
    app.loader.import_default_modules()
    tasks = [task for task in app.tasks.values() if _ours(task.run)]
    assert len(tasks) > 10
    return tasks


def test_a_task_is_its_services_name_plus_task():
    """``submit_pending_task`` calls ``submit_pending``; a renamed task's old name (a
    docstring "The old name of ``<new>_task``") calls the same service as the new one."""
    wrong = []
    for task in _our_tasks():
        function = task.run
        name = function.__name__
        source = inspect.getsource(function)
        doc = inspect.getdoc(function) or ""
        if doc.startswith("The old name of"):
            new = doc.split("``")[1]
            service = new.removesuffix("_task")
            assert any(t.run.__name__ == new for t in _our_tasks()), (name, new)
        else:
            service = name.removesuffix("_task")
        if not name.endswith("_task") or f"{service}(" not in source:
            wrong.append(f"{function.__module__}.{name}")
    assert not wrong, wrong


def test_the_renamed_plans_task_keeps_its_old_name():
    app.loader.import_default_modules()
    from django.conf import settings

    assert {"plans.tasks.renew_due_task", "plans.tasks.renew_subscriptions_task"} <= set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "plans.tasks.renew_due_task" in scheduled
    assert "plans.tasks.renew_subscriptions_task" not in scheduled


# --- Errors -------------------------------------------------------------------------------

# The API's error response is DRF's APIException (it carries a named error's code and
# message to the client); it is not a rule's refusal.
NOT_HELPDESK_ERRORS = {"api.errors.ApiError"}


def _is_error_class(node: ast.ClassDef) -> bool:
    bases = [ast.unparse(base).split(".")[-1] for base in node.bases]
    return node.name.endswith(("Error", "Exception")) or any(
        base.endswith(("Error", "Exception")) or base in {"Exception", "Warning"} for base in bases
    )


def test_named_errors_live_in_each_apps_errors_module():
    elsewhere = [
        f"{_where(path, node)} {node.name}"
        for path in _python_files(with_tests=False)
        if path.name != "errors.py" and path.parts[len(ROOT.parts)] != "bench"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and _is_error_class(node)
    ]
    assert not elsewhere, elsewhere


def test_every_apps_errors_are_on_the_shared_base():
    from importlib import import_module

    from helpdesk.errors import HelpdeskError

    checked, off_base = 0, []
    for name in APPS:
        module = import_module(f"{name}.errors")
        for attribute, value in vars(module).items():
            if not (inspect.isclass(value) and issubclass(value, BaseException)):
                continue
            if value.__module__ != module.__name__:
                continue  # imported, checked where it is defined
            checked += 1
            qualified = f"{module.__name__}.{attribute}"
            if not issubclass(value, HelpdeskError) and qualified not in NOT_HELPDESK_ERRORS:
                off_base.append(qualified)
    assert checked > 20  # every app's errors were found
    assert not off_base, off_base
