"""One direction of imports: no module of ``lms`` imports, however indirectly, a module that imports
it back, and the layers named in docs/ARCHITECTURE.md stay apart. Function-level imports count:
a cycle hidden inside a function is still a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT

PACKAGE = PROJECT / "lms"


def module_graph() -> dict[str, set[str]]:
    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.relative_to(PACKAGE).parts or "bundled" in path.parts:
            continue
        name = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # ``from lms import csrf`` imports the module lms.csrf, not the package's namespace
                targets = [
                    f"{node.module}.{a.name}"
                    if f"{node.module}.{a.name}" in modules
                    else node.module
                    for a in node.names
                ]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_lms_modules():
    assert cycles(module_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def package_graph() -> dict[str, set[str]]:
    """The module graph collapsed to ``lms.<package>`` (a top-level module is its own package)."""

    def package(name: str) -> str:
        return ".".join(name.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for name, targets in module_graph().items():
        graph.setdefault(package(name), set()).update(package(t) for t in targets)
    for name, targets in graph.items():
        targets.discard(name)
    return graph


def test_no_import_cycle_among_lms_packages():
    """Whole packages go one way too: content above courses and quizzes, quizzes above courses, the
    plan above staff, certificates and invitations, auth above audit."""
    assert cycles(package_graph()) == []


def test_the_file_formats_import_no_other_lms_package():
    assert {t for t in package_graph()["lms.formats"] if t.startswith("lms")} == set()


def reaches(graph: dict[str, set[str]], start: str, prefix: str) -> list[str]:
    return sorted(t for t in graph[start] if t == prefix or t.startswith(prefix + "."))


def test_lower_layers_do_not_import_higher_ones():
    graph = module_graph()
    rules = [
        ("lms.auth", "lms.api"),  # the API registers its token authenticator with auth
        ("lms.quizzes", "lms.certificates"),  # certificates subscribe to attempt_graded
        ("lms.quizzes.interchange", "lms.quizzes.importer"),
        ("lms.db", "lms.auth"),
        ("lms.days", "lms.plan"),
        ("lms.xlsx", "lms.plan"),
        ("lms.quizzes", "lms.plan"),  # the question sheet writes with lms.xlsx, not the plan's
        ("lms.courses", "lms.quizzes"),  # the course page (lms.learner) sits above both
        ("lms.courses", "lms.plan"),
        ("lms.courses", "lms.content"),  # file formats are lms.formats; sync and library are above
        ("lms.quizzes", "lms.content"),
        ("lms.quizzes", "lms.staff"),  # the question sheet reads rows with lms.sheets
        ("lms.sheets", "lms.staff"),
        ("lms.sheets", "lms.quizzes"),
        ("lms.mail", "lms.plan"),
        ("lms.invitations", "lms.plan"),  # invitations send with lms.mail
        ("lms.staff", "lms.plan"),  # lms.web registers the plan's person_plan with the person page
        ("lms.certificates", "lms.plan"),  # LMS.init_app registers the plan's sign-off look-up
        ("lms.audit", "lms.auth"),  # the audit log's pages are lms.admin, above auth
    ]
    for lower, higher in rules:
        offenders = {
            name: reaches(graph, name, higher)
            for name in graph
            if (name == lower or name.startswith(lower + ".")) and reaches(graph, name, higher)
        }
        assert offenders == {}, f"{lower} must not import {higher}"
