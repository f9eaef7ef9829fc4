from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def demo(db):
    """The demo content: curated vocabularies and the five finished seed reports, indexed."""
    call_command(
        "loaddata", FIXTURES / "vocabularies.json", FIXTURES / "demo_reports.json", verbosity=0
    )
    index_now()


@pytest.fixture
def editor(db, client):
    """A member of the Editors group, logged in with ``client``."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


@pytest.fixture
def vocabularies(db):
    call_command("loaddata", FIXTURES / "vocabularies.json", verbosity=0)


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
    """A fresh, empty search index for every test; returns the backend.

    Pages read the index, and a shared one would hold entries of reports that
    other tests created and rolled back.
    """
    from haystack import connections

    info = connections.connections_info["default"]
    old_path = info["PATH"]
    info["PATH"] = str(tmp_path / "index")
    connections.reload("default")
    yield connections["default"].get_backend()
    info["PATH"] = old_path
    connections.reload("default")


def index_now() -> int:
    """Apply every queued index change, as the indexer would."""
    from archive import indexing

    total = 0
    while applied := indexing.apply_batch():
        total += applied
    return total
