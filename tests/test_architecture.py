"""The import structure of ``src/eligibility``: stages in pipeline order, no circles, no ``api``.

Read from the source with ``ast`` (nothing is imported), so the test is fast
and sees every module. An import at module level runs when the module is
imported; an import inside a function runs only when it is called, so (b)
and (c) are about module-level imports, and the function-level imports that
go upward are listed (and checked) in ``UPWARD_IN_FUNCTIONS``.

Stage order, lowest first (docs/architecture.md)::

    errors, models → rulebooks → case → facts → conditions → backends → decision → caseload | history → cli

A module may import its own stage and the stages below it. ``caseload`` and
``history`` are siblings: neither imports the other. The package
``eligibility/__init__.py`` (the public API) and ``__main__.py`` sit on top.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "eligibility"

RANK = {"errors": 0, "models": 0, "lazy": 0, "rulebooks": 1, "case": 2, "facts": 3, "conditions": 4, "backends": 5,
        "decision": 6, "caseload": 7, "history": 7, "cli": 8}
TOP = 9  # eligibility/__init__.py and __main__.py

# Module-level imports that go up the stage order and cannot be cut without changing what the code does
# (issue 15 later items: the kind protocol, the engine deciding). Each is (importer, imported).
KNOWN_UPWARD = {
    # The lint checks each condition against its kind and the facts it may read: it needs the kinds
    # (conditions/) and the known facts and required parameters (facts/derive.py).
    ("eligibility.rulebooks.lint", "eligibility.conditions"),
    ("eligibility.rulebooks.lint", "eligibility.facts.derive"),
    # The evaluation plan and the nesting/cycle check walk composite conditions through their kinds.
    ("eligibility.rulebooks.plan", "eligibility.conditions"),
    ("eligibility.rulebooks.condition_graph", "eligibility.conditions"),
    # The reload canaries decide real cases (validation, evaluator, timeline) with the new rules.
    ("eligibility.rulebooks.canary", "eligibility.case.validate"),
    ("eligibility.rulebooks.canary", "eligibility.decision.evaluator"),
    ("eligibility.rulebooks.canary", "eligibility.history.timeline"),
    # The consistency rules read derived facts (the age, the end of aktivitetsersättning at the age limit);
    # the per-case validation computes them by their declarations, as the frame does.
    ("eligibility.case.validate", "eligibility.facts.derived"),
    # A target group is an AND composite: its kind comes from the vocabulary, not a name written here.
    ("eligibility.rulebooks.rulebook", "eligibility.conditions.composite"),
    # The derived facts a rulebook needs are read off its leaf conditions' kinds.
    ("eligibility.facts.derive", "eligibility.conditions"),
}

# Function-level imports that go up the stage order (they run only when called, so they make no import-time
# circle; listed here so that each one is a decision, not an accident): none today.
UPWARD_IN_FUNCTIONS: set[tuple[str, str]] = set()

# The one place that may import the HTTP app: the body of the ``serve`` command.
API_IMPORTS_ALLOWED = {("eligibility.cli.serve", "serve")}


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a module of the package (or ``api``)."""

    importer: str
    target: str
    function: str | None  # the enclosing function, None at module level
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(path): (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted((SRC / PACKAGE).rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if node.level > 1:
        base = base[:-(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(names: list[str], base: str) -> list[str]:
    """The modules a ``from base import names`` loads: ``base.name`` where that is a module, else ``base``."""
    modules = _modules()
    found = [f"{base}.{name}" for name in names if f"{base}.{name}" in modules]
    return found if found else [base]


def _walk(tree: ast.AST, function: str | None = None):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _walk(node, function or node.name)
        else:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node, function
            yield from _walk(node, function)


@cache
def _imports() -> tuple[Import, ...]:
    found = []
    for name, (path, tree) in _modules().items():
        is_package = path.name == "__init__.py"
        for node, function in _walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(name, is_package, node)
                targets = _targets([alias.name for alias in node.names], base)
            for target in targets:
                if target.split(".")[0] in (PACKAGE, "api"):
                    found.append(Import(name, target, function, node.lineno))
    return tuple(found)


def _rank(module: str) -> int:
    parts = module.split(".")
    return RANK[parts[1]] if len(parts) > 1 and parts[1] in RANK else TOP


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _goes_up(imp: Import) -> bool:
    low, high = _rank(imp.target), _rank(imp.importer)
    sibling = low == high and _stage(imp.target) != _stage(imp.importer) and low not in (0, TOP)
    return low > high or sibling


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or (node, node) in edges:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_is_seen():
    modules = _modules()
    assert len(modules) > 60 and "eligibility.cli.serve" in modules and "eligibility.decision.evaluator" in modules
    stages = {_stage(m) for m in modules if m != PACKAGE}
    assert stages - {"__main__"} == set(RANK), "a new stage (or a module outside the stages): add it to RANK"


def test_the_library_imports_api_only_inside_the_serve_command():
    api = {(imp.importer, imp.function) for imp in _imports() if imp.target.split(".")[0] == "api"}
    assert api == API_IMPORTS_ALLOWED


def test_no_import_circles_at_module_level():
    edges = {(imp.importer, imp.target) for imp in _imports() if imp.function is None}
    assert _cycles(edges) == []


def test_no_import_circles_even_through_imports_inside_functions():
    edges = {(imp.importer, imp.target) for imp in _imports()}
    assert _cycles(edges) == []


def test_module_level_imports_follow_the_stage_order():
    upward = {(imp.importer, imp.target) for imp in _imports() if imp.function is None and _goes_up(imp)}
    assert upward - KNOWN_UPWARD == set(), "an import goes up the stage order (see the module docstring)"
    assert KNOWN_UPWARD - upward == set(), "a known upward import is gone: remove it from KNOWN_UPWARD"


def test_function_level_upward_imports_are_the_listed_ones():
    upward = {(imp.importer, imp.target) for imp in _imports()
              if imp.function is not None and _goes_up(imp) and imp.target.split(".")[0] != "api"}
    assert upward == UPWARD_IN_FUNCTIONS
