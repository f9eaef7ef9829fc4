"""The index lifecycle: queued changes, one writer, rebuilds and reconciling."""

import datetime
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from archive.models import IndexChange, Region, Report
from archive.search import indexing
from archive.search.running import ArchiveQuery, search
from archive.search_backend import ArchiveWhooshBackend, IndexBusy, engine

from .conftest import index_now
from .factories import make_region, make_report, make_topic

pytestmark = pytest.mark.django_db


def found(text="") -> set[str]:
    return {r.headline for r in search(ArchiveQuery(text=text)).reports}


@pytest.fixture
def places(db):
    """North Korea > Ryanggang > Hyesan, and Chagang to move Hyesan into."""
    country = make_region("North Korea", Region.Kind.COUNTRY, slug="north-korea")
    province = make_region("Ryanggang", parent=country, slug="ryanggang")
    return {
        "ryanggang": province,
        "chagang": make_region("Chagang", parent=country, slug="chagang"),
        "hyesan": make_region("Hyesan", Region.Kind.CITY, parent=province, slug="hyesan"),
    }


@pytest.fixture
def held_lock(search_index, monkeypatch):
    """Another writer (a bulk import, say) holds the index lock."""
    monkeypatch.setattr(search_index, "lock_timeout", 0.2)
    search_index.refresh_setup()
    writer = search_index.index.writer()
    yield writer
    if not writer.is_closed:
        writer.cancel()


def test_saving_queues_the_report_and_never_touches_the_index():
    report = make_report("Queued", body="Queued words.")
    assert IndexChange.objects.filter(report_id=report.pk, processed=None).exists()
    assert found("queued") == set()  # not yet: the indexer applies it
    index_now()
    assert found("queued") == {"Queued"}
    assert not IndexChange.objects.filter(processed=None).exists()


def test_a_delete_reaches_the_index_even_while_a_bulk_write_holds_the_lock(held_lock):
    report = make_report("Doomed", body="Doomed words.")
    held_lock.cancel()
    index_now()
    assert found("doomed") == {"Doomed"}

    writer = engine().index.writer()  # lock again
    report_id = report.pk
    report.delete()
    with pytest.raises(IndexBusy):
        indexing.apply_batch()
    assert IndexChange.objects.filter(report_id=report_id, processed=None).exists()
    writer.cancel()
    index_now()
    assert found("doomed") == set()


def test_a_save_during_a_bulk_import_is_searchable_after_it(held_lock, capsys):
    report = make_report("Saved meanwhile", body="Meanwhile words.")
    call_command("run_indexer", "--once")
    assert "stay queued" in capsys.readouterr().err
    held_lock.commit()  # the bulk import finishes
    index_now()
    assert found("meanwhile") == {"Saved meanwhile"}
    assert report.pk in [r.pk for r in search(ArchiveQuery(text="meanwhile")).reports]


def test_a_crash_mid_batch_loses_nothing(search_index, monkeypatch):
    for i in range(5):
        make_report(f"Report {i}", body="Crash words.")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(search_index, "document", crash)
    with pytest.raises(KeyboardInterrupt):
        indexing.apply_batch()
    monkeypatch.undo()
    assert IndexChange.objects.filter(processed=None).count() >= 5
    # Killed after the index committed but before the queue was marked: applied twice, once in.
    monkeypatch.setattr(IndexChange.objects.none().__class__, "update", crash)
    with pytest.raises(KeyboardInterrupt):
        indexing.apply_batch()
    monkeypatch.undo()
    index_now()
    results = search(ArchiveQuery(text="crash"))
    assert results.total == 5 and len({r.pk for r in results.reports}) == 5


def test_search_answers_throughout_a_rebuild(search_index, monkeypatch):
    for i in range(30):
        make_report(f"Report {i}", body="Rebuild words.")
    index_now()
    seen = []
    build = search_index.build_generation

    def watching_build(index, objects, progress=None):
        def progress_and_search(done):
            seen.append(search(ArchiveQuery(text="rebuild")).total)

        return build(index, objects, progress_and_search)

    monkeypatch.setattr(search_index, "build_generation", watching_build)
    call_command("rebuild_search", verbosity=0)
    assert len(seen) == 30 and set(seen) == {30}  # the old index answered every time
    assert search(ArchiveQuery(text="rebuild")).total == 30


def test_changes_during_a_rebuild_reach_the_new_index(search_index, monkeypatch):
    make_report("Before", body="Early words.")
    index_now()
    build = search_index.build_generation

    def build_while_editing(index, objects, progress=None):
        folder = build(index, objects, progress)
        make_report("During", body="Late words.")  # saved after the snapshot was read
        return folder

    monkeypatch.setattr(search_index, "build_generation", build_while_editing)
    call_command("rebuild_search", verbosity=0)
    index_now()
    assert found("late") == {"During"}
    assert found("early") == {"Before"}


def test_a_long_queue_is_applied_by_building_a_fresh_index(search_index, monkeypatch, settings):
    settings.ARCHIVE_INDEX_REBUILD_AT = 4
    make_report("First", body="Queue words.")
    index_now()
    built = []
    build = search_index.build_generation
    monkeypatch.setattr(
        search_index, "build_generation", lambda *a, **k: built.append(1) or build(*a, **k)
    )
    for i in range(3):  # three waiting: applied batch by batch
        make_report(f"Batch {i}", body="Queue words.")
    index_now()
    assert built == [] and found("queue") == {"First", "Batch 0", "Batch 1", "Batch 2"}
    for i in range(4):  # four, and more than a quarter of the index: one fresh index
        make_report(f"Long {i}", body="Queue words.")
    assert indexing.apply_batch(2) == 4  # the whole queue, whatever the batch
    assert built == [1] and IndexChange.objects.pending().count() == 0
    assert len(found("queue")) == 8


def test_searches_leave_out_withdrawn_reports_with_one_query_however_long_the_queue():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from archive.search.visibility import awaiting_removal

    kept = [make_report(f"Kept {i}", body="Queue words.") for i in range(30)]
    withdrawn = make_report("Withdrawn", body="Queue words.")
    index_now()
    withdrawn.status = Report.Status.DRAFT
    withdrawn.save()
    IndexChange.objects.enqueue(report.pk for report in kept)  # an import's worth, waiting
    with CaptureQueriesContext(connection) as queries:
        assert awaiting_removal() == (withdrawn.pk,)
    # The queued reports are not sent to the database as parameters (past SQLite's
    # limit, 32,766 by default, a search would fail): one query asks which are withdrawn.
    listed = [q["sql"] for q in queries if re.search(r"IN \((\d+, ){9,}", q["sql"])]
    assert len(queries) == 2 and listed == []
    assert search(ArchiveQuery(text="queue")).total == 30  # the withdrawn one left out


def test_scheduled_reports_appear_when_their_time_comes(monkeypatch):
    later = timezone.now() + datetime.timedelta(hours=1)
    make_report("Scheduled", body="Scheduled words.", publish_at=later)
    index_now()
    assert found("scheduled") == set()
    monkeypatch.setattr(timezone, "now", lambda: later + datetime.timedelta(seconds=5))
    index_now()
    assert found("scheduled") == {"Scheduled"}


def test_bulk_status_changes_are_queued():
    reports = [make_report(f"Report {i}", body="Bulk words.") for i in range(3)]
    index_now()
    Report.objects.filter(pk__in=[r.pk for r in reports[:2]]).update(status=Report.Status.WITHDRAWN)
    index_now()
    assert found("bulk") == {"Report 2"}


def test_tag_and_vocabulary_changes_update_facets(places):
    other, city = places["chagang"], places["hyesan"]
    topic = make_topic("Markets", slug="markets")
    report = make_report("Tagged", regions=[city])
    index_now()
    report.topics.add(topic)
    index_now()
    assert {v.value for v in search(ArchiveQuery()).facets["topic"]} == {"markets"}

    topic.slug = "trade"
    topic.save()
    index_now()
    assert {v.value for v in search(ArchiveQuery()).facets["topic"]} == {"trade"}

    city.parent = other  # an editor corrects the tree
    city.save()
    index_now()
    regions = {v.value for v in search(ArchiveQuery()).facets["region"]}
    assert "chagang" in regions and "ryanggang" not in regions

    topic.delete()
    index_now()
    assert search(ArchiveQuery()).facets["topic"] == []


def test_reconcile_finds_and_fixes_disagreements(search_index, capsys):
    kept = make_report("Kept", body="Kept words.")
    make_report("Missing", body="Missing words.")
    index_now()
    # Change the database behind the indexer's back (no signals).
    Report.objects.filter(headline="Missing").delete()  # queued, but drop the queue:
    IndexChange.objects.all().delete()
    Report.objects.bulk_create([Report(headline="Unindexed", slug="unindexed", body="x")])
    Report.objects.filter(headline="Unindexed").update(
        status=Report.Status.PUBLISHED, publish_at=timezone.now()
    )
    IndexChange.objects.all().delete()
    call_command("reconcile_search")
    out = capsys.readouterr().out
    assert "missing: 1 report(s)" in out and "not public: 1 report(s)" in out
    call_command("reconcile_search", "--fix")
    index_now()
    call_command("reconcile_search")
    assert "agrees with the database (2 reports)" in capsys.readouterr().out
    assert kept.pk in [r.pk for r in search(ArchiveQuery()).reports]


def test_health_and_admin_show_the_indexer_lag(client, admin_client):
    make_report("Waiting")
    assert json.loads(client.get("/health/").content) == {"status": "ok"}
    health = json.loads(admin_client.get("/health/").content)  # staff see the detail
    assert health["status"] == "ok"
    assert health["indexer"]["pending"] >= 1
    assert health["published_reports"] == 1
    page = admin_client.get("/admin/archive/report/").content.decode()
    assert "Search index: 1 change waiting" in page
    index_now()
    health = json.loads(admin_client.get("/health/").content)
    assert health["indexer"]["pending"] == 0 and health["indexed_reports"] == 1


def test_public_health_says_nothing_of_editorial_work(client):
    make_report("Public")
    index_now()
    before = client.get("/health/")
    make_report("A draft", status=Report.Status.DRAFT)  # queued for the indexer
    after = client.get("/health/")
    assert (before.status_code, before.content) == (after.status_code, after.content)
    assert json.loads(after.content) == {"status": "ok"}


def test_health_is_degraded_when_the_indexer_falls_behind(
    client, admin_client, settings, monkeypatch
):
    assert (settings.ARCHIVE_HEALTH_MAX_LAG, settings.ARCHIVE_HEALTH_MAX_PENDING) == (300, 1000)
    settings.ARCHIVE_HEALTH_MAX_PENDING = 3
    for n in range(3):
        make_report(f"Report {n}")
    assert json.loads(client.get("/health/").content) == {"status": "ok"}
    make_report("One too many")
    response = client.get("/health/")
    assert response.status_code == 200  # monitors: up, but behind
    assert json.loads(response.content) == {"status": "degraded"}
    index_now()
    assert json.loads(client.get("/health/").content) == {"status": "ok"}
    # One change waiting for longer than five minutes is behind too.
    make_report("Waiting")
    later = timezone.now() + datetime.timedelta(seconds=301)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert json.loads(client.get("/health/").content) == {"status": "degraded"}
    detail = json.loads(admin_client.get("/health/").content)
    assert detail["status"] == "degraded" and detail["indexer"]["pending"] == 1


def test_reports_imported_as_published_are_queued(write_file):
    path = write_file(
        "one.jsonl",
        json.dumps({"title": "Imported", "body": "Imported words.", "date": "2024", "source": "X"})
        + "\n",
    )
    call_command("import_reports", str(path), "--status", "published", verbosity=0)
    index_now()
    assert found("imported") == {"Imported"}


def test_reconcile_sees_tag_changes_made_behind_the_indexers_back(capsys):
    topic = make_topic("Markets", slug="markets")
    report = make_report("Tagged", body="Market words.", topics=[topic])
    index_now()
    Report.topics.through.objects.filter(report_id=report.pk).delete()  # no signal
    call_command("reconcile_search")
    assert "stale: 1 report(s)" in capsys.readouterr().out


def test_clearing_a_terms_reports_and_bulk_term_updates_reach_the_index(places):
    other, city = places["chagang"], places["hyesan"]
    topic = make_topic("Smuggling", slug="smuggling")
    make_report("Tagged", body="Tagged words.", regions=[city], topics=[topic])
    index_now()
    topic.report_set.clear()
    Region.objects.filter(pk=city.pk).update(parent=other)
    index_now()
    results = search(ArchiveQuery())
    assert results.facets["topic"] == []
    regions = {v.value for v in results.facets["region"]}
    assert "chagang" in regions and "ryanggang" not in regions


def test_renaming_a_term_makes_its_new_name_searchable():
    topic = make_topic("Mobile phones", slug="phones")
    make_report("Tagged", body="Other words.", topics=[topic])
    index_now()
    topic.name = "Zebrafone networks"
    topic.save()
    index_now()
    assert found("zebrafone") == {"Tagged"}


def test_a_withdrawn_report_leaves_counts_before_the_indexer_runs(client):
    topic = make_topic("Secret topic", slug="secret-topic")
    report = make_report("Going", body="Zygomorphic words.", topics=[topic], pub_year=2019)
    make_report("Staying", body="Other words.")
    index_now()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.WITHDRAWN)
    results = search(ArchiveQuery(text="zygomorphic"))
    assert results.total == 0 and results.facets["topic"] == []
    assert search(ArchiveQuery()).total == 1
    assert search(ArchiveQuery()).histogram == []
    assert client.get("/topics/secret-topic/").status_code == 404


def test_words_of_removed_reports_are_never_suggested():
    report = make_report("Informant", body="Informant Pakchangsu spoke.")
    make_report("Other", body="Border words.")
    index_now()
    results = search(ArchiveQuery(text="pakchangs"))
    assert results.suggestion == "pakchangsu" and results.corrected_from == "pakchangs"
    report.body = "A source spoke."
    report.save()
    index_now()
    assert search(ArchiveQuery(text="pakchangs")).suggestion is None
    assert search(ArchiveQuery(text="stamp:x")).suggestion is None


def _open_files_under(folder) -> list[str]:
    fds = Path("/proc/self/fd")
    targets = []
    for fd in fds.iterdir():
        try:
            targets.append(os.readlink(fd))
        except OSError:
            continue
    return [t for t in targets if t.startswith(str(folder))]


def test_a_long_running_worker_holds_one_searcher_after_several_rebuilds(search_index):
    make_report("Rebuilt report")
    index_now()
    root = Path(search_index.root)
    for _ in range(3):
        assert search(ArchiveQuery(text="rebuilt")).total == 1  # a searcher is open
        call_command("rebuild_search", verbosity=0)
    assert search(ArchiveQuery(text="rebuilt")).total == 1
    assert ArchiveWhooshBackend.open_searchers() == 1
    live = root / (root / "CURRENT").read_text().strip()
    # No file of a removed generation is held open (its disk space is given back).
    assert [f for f in _open_files_under(root) if not f.startswith(str(live))] == []


def test_health_says_what_failed_but_not_how(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: secret')

    monkeypatch.setattr(indexing, "status", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"
    assert "10.0.0.5" not in response.content.decode()
    assert "10.0.0.5" in caplog.text  # the detail is in the log, for whoever runs the site


def test_reports_imported_as_published_are_indexed_once(write_file):
    records = [
        {"title": f"Imported {n}", "body": "Imported words.", "date": "2024", "source": "X"}
        for n in range(3)
    ]
    path = write_file("three.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    call_command("import_reports", str(path), "--status", "published", verbosity=0)
    assert index_now() == 3  # not again as "came due" since the indexer last looked
    assert found("imported") == {"Imported 0", "Imported 1", "Imported 2"}


def test_a_rebuild_marks_done_what_it_covered_and_keeps_what_came_after(search_index, monkeypatch):
    for n in range(5):
        make_report(f"Imported {n}", body="Imported words.")  # queued, not yet applied
    build = search_index.build_generation

    def build_while_editing(index, objects, progress=None):
        folder = build(index, objects, progress)
        make_report("Queued meanwhile", body="Late words.")  # after the rebuild read
        applied = make_report("Applied meanwhile", body="Later words.")
        # The indexer applies this one to the old index before the switch.
        IndexChange.objects.filter(report_id=applied.pk).update(processed=timezone.now())
        return folder

    monkeypatch.setattr(search_index, "build_generation", build_while_editing)
    call_command("rebuild_search", verbosity=0)
    assert found("imported") == {f"Imported {n}" for n in range(5)}
    assert index_now() == 2  # the import is not redone
    assert found("late") == {"Queued meanwhile"}
    assert found("later") == {"Applied meanwhile"}


def test_a_killed_rebuild_leaves_no_workers_and_its_folder_goes_at_the_next(search_index):
    """``kill -9`` of a rebuild left its forked workers writing for about 45 s and a
    folder of hundreds of MB behind."""
    root = Path(search_index.path)
    script = (
        "import os, sys, time\n"
        "from archive.search_backend.folders import children_die_with_this_process\n"
        "with children_die_with_this_process():\n"
        "    child = os.fork()\n"
        "    if child == 0:\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    print(child, flush=True)\n"
        "    time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=BASE_DIR
    )
    with parent.stdout:
        child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)

    make_report("Arrests in Hyesan")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = root / "gen-20200101-000000-killed"
    left.mkdir(parents=True)
    (left / "BUILDING").write_text(f"{socket.gethostname()} {dead.pid}")  # killed
    (left / "_MAIN_1.toc").write_text("half written")
    elsewhere = root / "gen-20200101-000000-other-host"  # a rebuild in another container
    elsewhere.mkdir()
    (elsewhere / "BUILDING").write_text("another-host 1")
    indexing.rebuild()
    assert not left.exists()
    assert elsewhere.exists()  # its process cannot be asked after; written to just now
    assert list(root.glob("gen-*/BUILDING")) == [elsewhere / "BUILDING"]  # ours finished
    assert [r.headline for r in search(ArchiveQuery(text="Hyesan")).reports] == [
        "Arrests in Hyesan"
    ]


BASE_DIR = settings.BASE_DIR


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_search_opening_the_index_as_the_indexer_commits_answers(search_index, monkeypatch):
    """Whoosh lists the folder for the newest table of contents, then opens it: a commit
    in between deleted it, and the page answered 500 (seen in ``make soak`` with
    threaded workers, each thread opening the index)."""
    from whoosh import index as whoosh_index

    make_report("Arrests in Hyesan")
    index_now()
    real_read = whoosh_index.TOC.read
    calls = []

    def read_once_too_late(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError("_MAIN_51.toc")  # the commit deleted it meanwhile
        return real_read(*args, **kwargs)

    monkeypatch.setattr(whoosh_index.TOC, "read", staticmethod(read_once_too_late))
    search_index.setup_complete = False
    found = search(ArchiveQuery(text="Hyesan")).reports
    assert [r.headline for r in found] == ["Arrests in Hyesan"] and len(calls) >= 2


def test_a_scheduled_report_decided_on_after_its_time_still_reaches_the_index(monkeypatch):
    """The indexer queues a report that fell due only if it was last saved before its
    time: a suggestion rejected just after (before the indexer looked) stamped it later,
    and it never reached the index."""
    from archive.editing import tagging
    from archive.models import TagSuggestion, Topic

    start = timezone.now()
    border = make_topic("Border control", slug="border-control")
    report = make_report("Guards at the border", publish_at=start + datetime.timedelta(hours=1))
    suggestion = TagSuggestion.objects.for_term(report, Topic, border.pk, "border")
    suggestion.save()
    index_now()  # the indexer has looked: nothing due yet
    later = start + datetime.timedelta(hours=1, seconds=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    tagging.decide_many(TagSuggestion.objects.filter(pk=suggestion.pk), "rejected")
    index_now()
    assert [r.headline for r in search(ArchiveQuery(text="guards")).reports] == [
        "Guards at the border"
    ]
