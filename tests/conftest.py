import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

from archive.management.commands import load_initial_data

DATA = Path(__file__).parent / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
SHARED_DATA = settings.SHARED_DATA_DIR
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VOCABULARIES = tuple(load_initial_data.VOCABULARIES)
DEMO = tuple(load_initial_data.FIXTURES)


@dataclass
class Snapshot:
    """Fixtures loaded once a session: their rows, their search index and their vocabulary.

    ``loaddata`` of the demo content takes about half a second (thousands of
    queries); copying the rows it made into a test's database takes a few
    bulk inserts.
    """

    rows: list[tuple[type, str, str, list[tuple]]]  # model, INSERT, "(%s, …)", values
    index: Path
    vocabulary: object

    def restore(self, index_root: Path) -> None:
        from archive.models import VocabularyState
        from archive.names import vocabulary

        with connection.cursor() as cursor:
            for model, insert, row, rows in self.rows:
                if connection.vendor == "postgresql":
                    # COPY: the demo's 2,437 rows in about 20 ms; as INSERTs of many
                    # rows each, 100 to 190 ms, and most tests start with them.
                    table_and_columns = insert.removeprefix("INSERT INTO ")
                    with cursor.cursor.copy(f"COPY {table_and_columns} FROM STDIN") as copy:
                        for values in rows:
                            copy.write_row(values)
                    continue
                # Elsewhere (SQLite), many rows a statement.
                size = connection.ops.bulk_batch_size(model._meta.local_concrete_fields, rows)
                for start in range(0, len(rows), size):
                    batch = rows[start : start + size]
                    cursor.execute(
                        f"{insert} VALUES {', '.join([row] * len(batch))}",
                        [value for values in batch for value in values],
                    )
            models_ = [model for model, *_ in self.rows]
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
        shutil.rmtree(index_root, ignore_errors=True)
        shutil.copytree(self.index, index_root)
        # The vocabulary these rows make, known without reading it again.
        VocabularyState.objects.bump_on_commit()
        vocabulary.prime(self.vocabulary)


_snapshots: dict[tuple, Snapshot] = {}  # (fixtures, then) -> what they made


def _insertable(model) -> tuple[type, str, str, list[tuple]]:
    """The model's rows as an INSERT, the placeholders of a row, and the values they
    take, prepared once."""
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns})"
    rows = [
        tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)
        for obj in models.QuerySet(model).all()
    ]
    return model, insert, f"({', '.join(['%s'] * len(fields))})", rows


def snapshot(fixtures: tuple[Path, ...], tmp_path_factory, then=None) -> Snapshot:
    """Load the fixtures (and index them) in a transaction rolled back, keeping what they
    made; with ``then``, what it makes of the fixtures' own snapshot as well."""
    from haystack import connections

    from archive.names import vocabulary

    if (fixtures, then) in _snapshots:
        return _snapshots[fixtures, then]
    base = snapshot(fixtures, tmp_path_factory) if then else None
    folder = tmp_path_factory.mktemp("snapshot-index")
    info = connections.connections_info["default"]
    old_path, info["PATH"] = info["PATH"], str(folder)
    connections.reload("default")
    try:
        with transaction.atomic():
            if base is None:
                call_command("loaddata", *fixtures, verbosity=0)
            else:
                connections["default"].get_backend().close()
                base.restore(folder)
                then()
            index_now()
            tables = apps.get_app_config("archive").get_models(include_auto_created=True)
            rows = [found for found in map(_insertable, tables) if found[3]]
            names = vocabulary.current()
            transaction.set_rollback(True)
    finally:
        connections["default"].get_backend().close()
        info["PATH"] = old_path
        connections.reload("default")
    _snapshots[fixtures, then] = Snapshot(rows, folder, names)
    return _snapshots[fixtures, then]


@pytest.fixture
def demo(db, tmp_path_factory, search_index):
    """The demo content: curated vocabularies and the five finished seed reports, indexed."""
    load_snapshot(tmp_path_factory, search_index, DEMO)


@pytest.fixture
def vocabularies(db, tmp_path_factory, search_index):
    """The curated vocabularies (places, agencies, topics, sources and their other names)."""
    load_snapshot(tmp_path_factory, search_index, VOCABULARIES)


def load_snapshot(tmp_path_factory, backend, fixtures, then=None):
    found = snapshot(fixtures, tmp_path_factory, then)
    backend.close()
    found.restore(Path(backend.root))


@pytest.fixture
def editor(db, client):
    """A member of the Editors group, logged in with ``client``."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


@pytest.fixture
def write_file(tmp_path):
    """Write a file for the importer and return its path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def search_index(tmp_path):
    """A fresh, empty search index (and vocabulary) for every test; returns the backend.

    Pages read the index, and a shared one would hold entries of reports that
    other tests created and rolled back.
    """
    from haystack import connections

    from archive.names import vocabulary

    # Nor may a test see the vocabulary another test's rolled-back rows made.
    vocabulary.forget()
    info = connections.connections_info["default"]
    old_path = info["PATH"]
    info["PATH"] = str(tmp_path / "index")
    connections.reload("default")
    yield connections["default"].get_backend()
    connections["default"].get_backend().close()
    info["PATH"] = old_path
    connections.reload("default")


def index_now() -> int:
    """Apply every queued index change, as the indexer would."""
    from archive.search import indexing

    total = 0
    while applied := indexing.apply_batch():
        total += applied
    return total


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """With ARCHIVE_DATABASE_TESTS_ONLY set (make test's PostgreSQL run), only the tests
    that use the database: the others (folding, analysis, the structure) and those
    marked ``engine`` (how the search engine reads and ranks) do not depend on it and
    ran on SQLite already."""
    if not os.environ.get("ARCHIVE_DATABASE_TESTS_ONLY"):
        return
    kept, dropped = [], []
    for item in items:
        uses = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        uses = uses and not item.get_closest_marker("engine")
        (kept if uses else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
