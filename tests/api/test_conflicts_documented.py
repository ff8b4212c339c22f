"""Every operation that can answer 409 says so in the Swagger document (issue 22, item 11).

A 409 comes from a domain error whose status is 409 (`registry.errors.Conflict` and its kind). The test follows
each route's method through the project's code — every function, class and module attribute its body names,
resolved through the module that defines it, then theirs in turn — and collects the operations from which such an
error class is reachable. Before the fix four of them did not document 409: `POST /practitioners/{id}/declarations`
(an overlapping period), `DELETE /exam-sessions/{s}/registrations/{a}` (nothing to withdraw),
`POST /draws/{id}/disclose` (disclosed already) and `POST /practitioners/{id}/keys` (a deleted person).

The walk over-approximates (a name mentioned is a name called) and misses calls through objects whose type it
cannot see (`obj.method()` on a value); the project's style — services and repositories as module functions —
keeps that second gap small.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from types import FunctionType, ModuleType
from typing import Any

import pytest
from flask_restx.swagger import extract_path

from api import _namespaces
from registry.errors import RegistryError

PROJECT = ("api", "services", "registry", "graph", "interface", "adapters")
METHODS = ("get", "post", "put", "patch", "delete")
# Operations whose code catches the 409 errors it reaches and answers otherwise (the walk does not read `except`).
CAUGHT = {("post", "/exam-results/import"): "each row's conflict is reported in the import's row report"}


def _ours(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in PROJECT


def _is_conflict(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, RegistryError) and obj.status == 409


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    """What a name or a dotted attribute chain refers to in `scope` (a module's globals), or None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if isinstance(owner, (ModuleType, type)):
            return getattr(owner, node.attr, None)
    return None


def _functions_of(obj: Any) -> list[FunctionType]:
    """The plain functions behind a function, a decorated function or a class of ours."""
    if isinstance(obj, type):
        return [f for f in vars(obj).values() if isinstance(f, FunctionType)]
    obj = inspect.unwrap(obj) if callable(obj) else obj
    return [obj] if isinstance(obj, FunctionType) else []


class ConflictFinder:
    """Which 409 error classes a function can reach through the project's code."""

    def __init__(self) -> None:
        self.seen: dict[Any, set[type]] = {}

    def reachable(self, function: FunctionType) -> set[type]:
        if function in self.seen:
            return self.seen[function]
        self.seen[function] = found = set()  # a cycle contributes nothing new
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError):
            return found
        scope = function.__globals__
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            target = _resolve(node, scope)
            if target is None:
                continue
            if _is_conflict(target):
                found.add(target)
            elif _ours(target) and not (isinstance(target, type) and issubclass(target, BaseException)):
                for inner in _functions_of(target):
                    found |= self.reachable(inner)
        return found


def _operations() -> list[tuple[str, str, FunctionType]]:
    """(method, Swagger path, the undecorated method) of every route."""
    operations = []
    for namespace in _namespaces():
        for route in namespace.resources:
            for url in route.urls:
                path = extract_path(namespace.path.rstrip("/") + url) if url else namespace.path
                for method in METHODS:
                    if handler := getattr(route.resource, method, None):
                        operations.append((method, path.rstrip("/") or "/", inspect.unwrap(handler)))
    return operations


def _undocumented(spec: dict[str, Any]) -> list[str]:
    finder = ConflictFinder()
    missing = []
    for method, path, handler in _operations():
        conflicts = finder.reachable(handler)
        if (
            conflicts
            and (method, path) not in CAUGHT
            and "409" not in spec["paths"][path][method]["responses"]
        ):
            missing.append(f"{method.upper()} {path} ({', '.join(sorted(c.__name__ for c in conflicts))})")
    return sorted(missing)


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/swagger.json").get_json()


def test_the_walk_finds_the_conflicts_that_are_documented(spec):
    # The finder is worth its name: it reaches the 409s that were declared by hand from the start.
    finder = ConflictFinder()
    found = {(method, path) for method, path, handler in _operations() if finder.reachable(handler)}
    assert {
        ("post", "/certificates"),
        ("post", "/practitioners"),
        ("post", "/draws/{draw_id}/responses"),
    } <= found


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/practitioners/{practitioner_id}/declarations"),
        ("delete", "/exam-sessions/{session_id}/registrations/{application_id}"),
        ("post", "/draws/{draw_id}/disclose"),
        ("post", "/practitioners/{practitioner_id}/keys"),
    ],
)
def test_the_conflicts_found_by_hand_are_documented(spec, method, path):
    assert "409" in spec["paths"][path][method]["responses"]


def test_every_operation_that_can_answer_409_documents_it(spec):
    assert _undocumented(spec) == []
