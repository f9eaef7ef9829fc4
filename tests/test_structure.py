"""How the code is put together: no import circles, one registry that everything reads."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from archive import facets
from archive.editing.roles import editor_permissions
from archive.search_backend import SearchEngine, engine
from archive.search_indexes import ReportIndex

ARCHIVE = Path(__file__).resolve().parents[1] / "archive"


def module_imports(everywhere: bool = False) -> dict[str, set[str]]:
    """Module -> the archive modules it imports when it is loaded (not inside functions;
    with ``everywhere``, inside functions too)."""
    modules = {}
    for path in ARCHIVE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ARCHIVE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree) if everywhere else tree.body:
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:  # relative: from the package, up level - 1 steps
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, node.module] if node.module else base)
                subs = {f"{target}.{alias.name}" for alias in node.names} & modules.keys()
                found |= subs or {target}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = (found & modules.keys()) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once, as the path that closes it."""
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_module_of_the_archive_imports_itself_in_a_circle():
    graph = module_imports()
    assert "archive.models.terms" in graph["archive.models"]  # the walk sees the imports
    assert cycles(graph) == []
    # The models never reach up to what reacts to them.
    reached, frontier = set(), {"archive.models"}
    while frontier:
        reached |= frontier
        frontier = {t for node in frontier for t in graph[node]} - reached
    assert not reached & {"archive.search.indexing", "archive.names.vocabulary", "archive.signals"}


# What each wing of archive/ may not import (its ``__init__.py`` says so in words).
# ``pages`` is imported by ``urls`` alone.
FORBIDDEN = {
    "archive.common": {"archive"},  # nothing of the archive at all
    "archive.search_backend": {"archive"},  # the engine: only common
    "archive.names": {"archive.search", "archive.pages", "archive.research", "archive.editing"},
    "archive.search": {"archive.pages", "archive.research", "archive.editing"},
    "archive.editing": {"archive.pages", "archive.research", "archive.search"},
    "archive.research": {"archive.editing"},
    "archive.models": {"archive.search", "archive.pages", "archive.research", "archive.editing"},
}
ALLOWED = {  # exceptions to FORBIDDEN, by the importing wing
    "archive.search_backend": {"archive.search_backend", "archive.common"},
}


def wrong_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs that go against the direction of the wings."""

    def within(name: str, prefix: str) -> bool:
        return name == prefix or name.startswith(prefix + ".")

    wrong = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            for wing, forbidden in FORBIDDEN.items():
                if not within(importer, wing) or within(target, wing):
                    continue
                allowed = ALLOWED.get(wing, set())
                if any(within(target, f) for f in forbidden) and not any(
                    within(target, a) for a in allowed
                ):
                    wrong.append((importer, target))
            pages_user = importer == "archive.urls" or within(importer, "archive.pages")
            if within(target, "archive.pages") and not pages_user:
                wrong.append((importer, target))
    return sorted(set(wrong))


def test_the_wings_import_in_one_direction():
    graph = module_imports(everywhere=True)
    assert "archive.search.running" in graph["archive.pages.views"]  # the walk sees them
    assert wrong_imports(graph) == []


def test_a_wrong_import_between_wings_is_found():
    graph = module_imports(everywhere=True)
    planted = {
        **graph,
        "archive.names.vocabulary": graph["archive.names.vocabulary"] | {"archive.search.form"},
        "archive.search_backend.spelling": {"archive.names.vocabulary"},
        "archive.editing.tagging": graph["archive.editing.tagging"] | {"archive.pages.views"},
    }
    assert wrong_imports(planted) == [
        ("archive.editing.tagging", "archive.pages.views"),
        ("archive.names.vocabulary", "archive.search.form"),
        ("archive.search_backend.spelling", "archive.names.vocabulary"),
    ]


MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 12


def test_no_module_outgrows_a_room():
    """A module past 400 lines has seams to split along (migrations apart)."""
    sizes = {
        str(path.relative_to(ARCHIVE.parent)): len(path.read_text().splitlines())
        for path in ARCHIVE.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES} == {}
    top_level = sorted(path.name for path in ARCHIVE.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level


def test_the_circle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


@pytest.mark.parametrize("facet", facets.TERMS, ids=lambda f: f.name)
def test_every_vocabulary_in_the_registry_is_wired_everywhere(facet):
    model = facet.model
    assert facet.name == model._meta.model_name  # term pages are named after the model
    assert reverse(f"archive:{facet.name}", kwargs={"slug": "x"}) == f"/{facet.url_prefix}/x/"
    assert facet.index_field in ReportIndex.fields
    assert admin.site.is_registered(model)
    assert editor_permissions()[model._meta.model_name] == ["add", "change", "delete", "view"]
    if facet.alias_model is not None:
        assert model._meta.model_name + "alias" == facet.alias_model._meta.model_name
        inlines = admin.site._registry[model].inlines
        assert any(inline.model is facet.alias_model for inline in inlines)


def test_the_search_backend_declares_the_archive_protocol(db):
    assert isinstance(engine(), SearchEngine)


def test_the_readme_lists_exactly_the_protocols_methods():
    # What another engine's backend must provide, as "Running at scale" tells it.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = readme.split("What the backend must provide")[1].split("A test checks")[0]
    declared = {name for name in vars(SearchEngine) if callable(getattr(SearchEngine, name))}
    assert set(re.findall(r"`(\w+)\(", listed)) == {n for n in declared if not n.startswith("_")}


def test_the_readme_names_only_commands_and_make_variables_that_exist():

    from django.core.management import get_commands

    root = ARCHIVE.parent
    readme = (root / "README.md").read_text()
    named = set(re.findall(r"manage\.py (\w+)", readme))
    assert {"create_editor", "createsuperuser", "rebuild_search", "run_indexer"} <= named
    assert named <= set(get_commands()), named - set(get_commands())
    makefile = (root / "Makefile").read_text()
    for variable in re.findall(r"make serve ((?:[A-Z]+=\S+ ?)+)", readme):
        for name in re.findall(r"([A-Z]+)=", variable):
            assert re.search(rf"^{name} \?=", makefile, re.M), name
    assert "make serve PORT=" in readme


@pytest.mark.django_db
def test_editors_and_owners_can_be_created_without_a_prompt(monkeypatch):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "a long passphrase here")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "another long passphrase")
    call_command("create_editor", "alice", email="alice@example.org", stdout=io.StringIO())
    call_command(
        "createsuperuser",
        interactive=False,
        username="owner",
        email="owner@example.org",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="alice").groups.filter(name="Editors").exists()
    assert User.objects.get(username="owner").check_password("another long passphrase")
