"""Incidents: one event, its reports with their stance, and how many independent
sources stand behind it; proposed for reports, merged and split by editors."""

import datetime
import json
import time

import pytest
import reversion
from django.core.management import CommandError, call_command
from django.utils import timezone
from reversion.models import Version

from archive.admin.incidents import decide, merge_incidents, split_incident
from archive.editing.merging import merge_reports
from archive.models import (
    Incident,
    IncidentProposal,
    IncidentReport,
    OriginKind,
    Report,
    Source,
    Stance,
)
from archive.search import incidents as candidates

from .conftest import index_now
from .factories import make_region, make_report

pytestmark = pytest.mark.django_db


def make_incident(title="Public execution in Hyesan", **fields):
    fields.setdefault("slug", title.lower().replace(" ", "-"))
    fields.setdefault("status", Report.Status.PUBLISHED)
    return Incident.objects.create(title=title, **fields)


def link(incident, report, **fields):
    return IncidentReport.objects.create(incident=incident, report=report, **fields)


@pytest.fixture
def execution():
    """An execution reported by KCNA twice, by Daily NK from its own source, retold by
    RFA from Daily NK, by NK News, disputed by a defector NK News spoke to, and linked
    from a draft that must not count."""
    kcna = Source.objects.create(name="KCNA", slug="kcna")
    dailynk = Source.objects.create(name="Daily NK", slug="daily-nk")
    rfa = Source.objects.create(name="RFA", slug="rfa")
    nknews = Source.objects.create(name="NK News", slug="nk-news")
    incident = make_incident(start_year=2024, start_month=3)
    state = OriginKind.STATE_MEDIA
    link(incident, make_report("Traitors punished", source=kcna, pub_year=2024), origin_kind=state)
    link(incident, make_report("Trial in Hyesan", source=kcna), origin_kind=state)
    own = OriginKind.OWN_SOURCE
    link(incident, make_report("Execution in Hyesan", source=dailynk), origin_kind=own)
    retold = make_report("Hyesan execution", source=rfa)
    link(incident, retold, origin_kind=own, origin="daily NK ", stance=Stance.ADDS)
    link(incident, make_report("Hyesan: another view", source=nknews), origin=" ")
    link(
        incident,
        make_report("No execution, says defector", source=nknews),
        origin_kind=OriginKind.DEFECTOR,
        origin="A defector from Hyesan",
        stance=Stance.DISPUTES,
        note="Says the trial ended in a prison sentence.",
    )
    draft = make_report("Zorblax draft", status=Report.Status.DRAFT, source=rfa)
    link(incident, draft, origin_kind=OriginKind.IMAGERY, origin="Planet Labs")
    return incident


def test_reports_of_one_origin_count_once(execution):
    # KCNA's two reports are one outlet; RFA retelling Daily NK is Daily NK; the
    # draft's imagery is not public.
    standing = execution.standing()
    assert dict(standing.kinds) == {"state-media": 1, "own-source": 1, "unknown": 1, "defector": 1}
    assert standing.sources == 4
    execution.refresh_from_db()
    assert execution.source_count == 4  # the list's stored count agrees
    # RFA's own reporting is another source.
    retold = IncidentReport.objects.get(report__headline="Hyesan execution")
    retold.origin = ""
    retold.save()
    assert execution.standing().sources == 5
    execution.refresh_from_db()
    assert execution.source_count == 5
    assert "Zorblax" not in str([link.report for link in execution.standing().links])
    # Names compare without case, in any script: the list and the page agree.
    link(execution, make_report("Hyesan, Seoul view"), origin="Égalité Presse")
    link(execution, make_report("Hyesan, Paris view"), origin="ÉGALITÉ PRESSE")
    execution.refresh_from_db()
    assert execution.source_count == execution.standing().sources == 6


def test_an_incident_page_shows_its_timeline_sources_and_disputes(client, execution):
    page = client.get(execution.get_absolute_url()).content.decode()
    assert "6 reports of it" in page  # the draft is not listed
    assert "Zorblax" not in page and "Planet Labs" not in page
    assert "KCNA (state media); Daily NK (the outlet&#x27;s own source" in page
    assert "A defector from Hyesan (a defector&#x27;s testimony)" in page
    assert "Disputed or corrected" in page and "prison sentence" in page
    assert "March 2024" in page  # as precise as known, no day invented


def test_a_report_page_names_its_incidents_and_the_other_sources(client, execution):
    report = Report.objects.get(headline="Execution in Hyesan")
    page = client.get(report.get_absolute_url()).content.decode()
    assert execution.title in page
    assert "one of 6 reports of it · 4 independent sources" in page


def test_incidents_narrow_by_place_and_by_independent_sources(client, execution):
    hyesan = make_region("Hyesan", slug="hyesan")
    execution.regions.add(hyesan)
    single = make_incident("Flood in Musan", start_year=2023)
    link(single, make_report("Flood in Musan"))
    make_incident("Secret arrest", status=Report.Status.DRAFT)
    page = client.get("/incidents/").content.decode()
    assert "2 incidents" in page and "Secret arrest" not in page
    page = client.get("/incidents/", {"sources": 3}).content.decode()
    assert "4 independent sources" in page
    assert 'aria-label="Remove at least 3 independent sources"' in page  # the chosen filter, on top
    assert "1 incident" in page and execution.title in page and "Flood in Musan" not in page
    page = client.get("/incidents/", {"region": "hyesan"}).content.decode()
    assert "1 incident" in page and "Flood in Musan" not in page
    page = client.get("/incidents/", {"year": 2023}).content.decode()
    assert "Flood in Musan" in page and execution.title not in page
    for junk in ({"sources": "many"}, {"page": "-1"}, {"year": "99999"}, {"q": "x" * 5000}):
        assert client.get("/incidents/", junk).status_code == 200


def test_an_unpublished_incident_is_not_found(client, execution):
    execution.status = Report.Status.DRAFT
    execution.save()
    assert client.get(execution.get_absolute_url()).status_code == 404
    report = Report.objects.get(headline="Execution in Hyesan")
    assert execution.title not in client.get(report.get_absolute_url()).content.decode()
    assert execution.slug not in client.get("/sitemap.xml").content.decode()


def test_merge_and_split_keep_links_and_history(execution):
    other = make_incident("Hyesan trial", slug="hyesan-trial")
    extra = make_report("Crowd gathered in Hyesan")
    link(other, extra)
    shared = execution.links.first().report
    link(other, shared)  # already in the kept incident: one link survives
    with reversion.create_revision():
        other.save()  # it had a history before the merge
    other_pk = other.pk
    kept = merge_incidents(execution, [other])
    assert set(kept.links.values_list("report__headline", flat=True)) >= {extra.headline}
    assert kept.links.filter(report=shared).count() == 1
    assert not Incident.objects.filter(slug="hyesan-trial").exists()
    assert Version.objects.get_deleted(Incident).filter(object_id=str(other_pk)).exists()
    moved = list(kept.links.filter(report__headline__startswith="Hyesan"))
    new = split_incident(moved, "Hyesan reports apart")
    assert new.status == Report.Status.DRAFT and new.links.count() == len(moved)
    assert not kept.links.filter(pk__in=[m.pk for m in moved]).exists()


def test_a_report_alike_in_words_and_date_is_proposed_for_the_incident(execution):
    text = "Public execution of three smugglers at the Hyesan airfield before a crowd."
    known = make_report("Execution at Hyesan airfield", body=text, pub_year=2024, pub_month=3)
    link(execution, known)
    unrelated = make_incident("Tractor plant opened", slug="tractor")
    link(unrelated, make_report("Tractor plant opened", body="A tractor plant opened."))
    new = make_report(
        "Smugglers executed", body=f"{text} Residents were made to watch.", pub_year=2024
    )
    new.pub_month, new.pub_day = 3, 2
    new.save()
    index_now()
    found = candidates.propose(new)
    assert [c.incident for c in found] == [execution]
    assert any("alike in words" in reason for reason in found[0].reasons)
    # Recorded for the editors, confirmed in bulk: linked; a rejection is remembered.
    assert candidates.record_proposals(new) == 1
    decide(IncidentProposal.objects.filter(report=new), IncidentProposal.Decision.REJECTED)
    assert candidates.propose(new) == []
    assert not execution.links.filter(report=new).exists()
    IncidentProposal.objects.filter(report=new).update(decision="waiting")
    decide(IncidentProposal.objects.filter(report=new), IncidentProposal.Decision.CONFIRMED)
    assert execution.links.filter(report=new).exists()


def test_reports_far_apart_in_date_are_not_one_event_and_names_count():
    near = candidates.Pair(other=1, words=0.6, days=1)
    far = candidates.Pair(other=2, words=0.9, days=candidates.WINDOW.days + 1, names=1.0)
    named = candidates.Pair(other=3, words=0.6, days=1, names=0.5, title=0.5)
    undated = candidates.Pair(other=4, words=0.6, days=None)
    assert far.likeness == 0 < undated.likeness < near.likeness < named.likeness
    assert "a date unknown" in undated.reasons()
    assert "openings share 50% of their names" in named.reasons()


def test_the_list_counts_follow_every_change_of_what_is_public(client, execution):
    def listed():
        execution.refresh_from_db()
        return execution.source_count, execution.report_count

    assert listed() == (4, 6)
    dailynk = Report.objects.get(headline="Execution in Hyesan")
    dailynk.status = Report.Status.DRAFT  # a save: RFA's retelling still names Daily NK
    dailynk.save()
    assert listed() == (4, 5)
    Report.objects.filter(headline="Hyesan execution").update(status=Report.Status.WITHDRAWN)
    assert listed() == (3, 4)  # a bulk update: Daily NK's origin is gone
    IncidentReport.objects.filter(report__headline="Trial in Hyesan").delete()
    assert listed() == (3, 3)
    # A scheduled report counts once the indexer sees it come due, not before.
    index_now()
    soon = make_report("Hyesan, later", publish_at=timezone.now() + datetime.timedelta(seconds=1))
    link(execution, soon, origin="Yonhap")
    time.sleep(1.1)  # its time comes
    assert listed() == (3, 3)
    index_now()
    assert listed() == (4, 4)
    assert "4 independent sources" in client.get("/incidents/", {"sources": 4}).content.decode()


def test_incidents_import_in_bulk_whole_or_not_at_all(write_file, capsys):
    make_region("Hyesan", slug="hyesan")
    first = make_report("Smugglers tried", slug="smugglers-tried")
    make_report("Smugglers executed", slug="smugglers-executed")
    good = {
        "title": "Hyesan executions",
        "date_from": "2024-03",
        "places": ["Hyesan", "Phnom Penh"],
        "reports": [{"id": "smugglers-tried"}, {"id": "smugglers-executed", "stance": "adds"}],
    }
    bad = {**good, "title": "Another", "reports": [{"id": "no-such-report"}]}
    path = write_file("incidents.jsonl", "\n".join(json.dumps(r) for r in (good, bad)))
    with pytest.raises(CommandError, match=r"incidents.jsonl:2: no report “no-such-report”"):
        call_command("import_incidents", str(path))
    assert not Incident.objects.exists()  # the good line went back too
    path = write_file("incidents.jsonl", json.dumps(good))
    call_command("import_incidents", str(path), "--status", "published")
    incident = Incident.objects.get()
    assert (incident.start_year, incident.start_month, incident.start_day) == (2024, 3, None)
    assert [r.slug for r in incident.regions.all()] == ["hyesan"]
    assert "Places not in the vocabulary: Phnom Penh." in incident.editor_notes
    assert incident.links.get(report=first).stance == Stance.REPORTS
    call_command("import_incidents", str(path))  # again: skipped, not doubled
    assert Incident.objects.count() == 1
    assert "0 incident(s) imported, 1 already in the archive" in capsys.readouterr().out


def test_editors_propose_incidents_for_reports_in_bulk(client, editor, execution):
    text = "Public execution of three smugglers at the Hyesan airfield before a crowd."
    link(execution, make_report("Execution at Hyesan airfield", body=text, pub_year=2024))
    new = make_report("Smugglers executed", body=f"{text} Residents watched.", pub_year=2024)
    index_now()
    response = client.post(
        "/admin/archive/report/",
        {"action": "propose_incidents", "_selected_action": [new.pk]},
        follow=True,
    )
    assert "1 proposal(s) wait for a decision" in response.content.decode()
    page = client.get(f"/admin/archive/report/{new.pk}/change/").content.decode()
    assert "incidents proposed for this report" in page.lower() and execution.title in page


def test_the_api_gives_incidents_as_their_pages_do(client, execution):
    listed = client.get("/api/v1/incidents/", {"sources": 4}).json()
    assert listed["total"] == 1 and listed["incidents"][0]["independent_sources"] == 4
    assert listed["incidents"][0]["began"] == {
        "year": 2024,
        "month": 3,
        "day": None,
        "precision": "month",
        "text": "March 2024",
    }
    record = client.get(listed["incidents"][0]["api_url"]).json()
    assert record["source_kinds"] == {
        "state-media": 1,
        "own-source": 1,
        "unknown": 1,
        "defector": 1,
    }
    assert len(record["reports"]) == 6 and "Zorblax" not in json.dumps(record)
    assert {r["stance"] for r in record["reports"]} == {"reports", "adds", "disputes"}
    execution.status = Report.Status.DRAFT
    execution.save()
    assert client.get("/api/v1/incidents/").json()["total"] == 0
    assert client.get(listed["incidents"][0]["api_url"]).status_code == 404


def test_feeds_tell_of_new_incidents_and_of_an_incidents_new_reports(client, execution):
    feed = client.get("/incidents/atom/").content.decode()
    assert execution.title in feed and "4 independent sources" in feed
    assert "Zorblax" not in feed
    own = client.get(f"{execution.get_absolute_url()}atom/").content.decode()
    assert own.count("<entry>") == 6 and "Zorblax" not in own and "Planet Labs" not in own
    assert "No execution, says defector (disputes it)" in own
    assert "From A defector from Hyesan (a defector" in own
    page = client.get(execution.get_absolute_url()).content.decode()
    assert f'href="{execution.get_absolute_url()}atom/"' in page


def test_incidents_download_with_their_public_reports(client, execution):
    response = client.get("/incidents/export.jsonl", {"sources": 2})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["X-Archive-Total"] == "1" and len(lines) == 1
    record = json.loads(lines[0])
    assert record["slug"] == execution.slug and len(record["reports"]) == 6
    assert "Zorblax" not in lines[0] and "Planet Labs" not in lines[0]
    csv = b"".join(client.get("/incidents/export.csv").streaming_content).decode()
    header, row = csv.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("slug,url,api_url,title")
    assert "state-media: 1" in row and "reports; reports; reports; adds; reports; disputes" in row
    page = client.get("/incidents/", {"sources": 2}).content.decode()
    assert 'href="/incidents/export.csv?sources=2"' in page


def test_counts_stay_true_through_saves_splits_reverts_and_merged_reports(execution):
    stale = Incident.objects.get(pk=execution.pk)  # a form opened now
    Report.objects.filter(headline="Trial in Hyesan").update(status=Report.Status.DRAFT)
    Report.objects.filter(headline="Traitors punished").update(status=Report.Status.DRAFT)
    stale.summary = "Edited in a form opened before the withdrawals."
    stale.save()  # it writes every field: the counts are counted again
    execution.refresh_from_db()
    assert (execution.source_count, execution.report_count) == (3, 4)
    # A split recounts both sides.
    moved = list(execution.links.filter(report__headline__startswith="Hyesan"))
    new = split_incident(moved, "Hyesan, other views")
    new.status = Report.Status.PUBLISHED
    new.save()
    execution.refresh_from_db()
    new.refresh_from_db()
    assert (execution.source_count, execution.report_count) == (2, 2)
    assert (new.source_count, new.report_count) == (2, 2)
    # A duplicate merged into another report: the kept report carries its incidents.
    dailynk = Report.objects.get(headline="Execution in Hyesan")
    copy = make_report("Execution in Hyesan (copy)", source=dailynk.source)
    merge_reports(copy, [dailynk])
    assert execution.links.filter(report=copy).exists()
    execution.refresh_from_db()
    assert execution.report_count == 2


def test_an_incident_dated_only_as_its_reports_are_is_never_given_a_day(client, execution):
    for link in execution.links.all():
        Report.objects.filter(pk=link.report_id).update(pub_year=2024, pub_month=None, pub_day=None)
    Report.objects.filter(pk__in=execution.links.values("report")).update(pub_date="2024-01-01")
    page = client.get(execution.get_absolute_url()).content.decode()
    assert "Jan. 1, 2024" not in page and 'datetime="2024-01-01"' not in page
    record = client.get(f"/api/v1/incidents/{execution.slug}/").json()
    assert (
        record["first_reported"]["precision"] == "year" and record["first_reported"]["day"] is None
    )


def test_proposals_survive_unlinking_and_merging(execution):
    text = "Public execution of three smugglers at the Hyesan airfield before a crowd."
    link(execution, make_report("Execution at Hyesan airfield", body=text, pub_year=2024))
    new = make_report("Smugglers executed", body=f"{text} Residents watched.", pub_year=2024)
    index_now()
    candidates.record_proposals(new)
    decide(IncidentProposal.objects.filter(report=new), IncidentProposal.Decision.CONFIRMED)
    execution.links.filter(report=new).delete()  # an editor took the link off again
    assert candidates.record_proposals(new) == 1  # proposed again, not a crash
    other = make_incident("Hyesan airfield", slug="hyesan-airfield")
    IncidentProposal.objects.create(report=new, incident=other, score=0.7)
    merge_incidents(execution, [other])  # both proposed for one report: one proposal kept
    assert IncidentProposal.objects.filter(report=new).count() == 1


def test_a_report_page_says_how_it_stands_to_its_incident(client, execution):
    report = Report.objects.get(headline="No execution, says defector")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "one of 6 reports of it · 4 independent sources · this report disputes it" in page


def test_an_impossible_date_or_a_report_listed_twice_stops_an_import(write_file):
    make_report("Smugglers tried", slug="smugglers-tried")
    base = {"title": "Trial", "reports": [{"id": "smugglers-tried"}]}
    for bad, why in (
        ({"date_from": "2024-02-30"}, "impossible date"),
        ({"date_from": "2024-05", "date_to": "2023"}, "ends before it begins"),
        ({"reports": [{"id": "smugglers-tried"}, {"id": "smugglers-tried"}]}, "listed twice"),
    ):
        path = write_file("bad.jsonl", json.dumps({**base, **bad}))
        with pytest.raises(CommandError, match=why):
            call_command("import_incidents", str(path))
    assert not Incident.objects.exists()


def test_a_report_that_came_due_counts_even_if_retagged_first(execution):
    index_now()
    soon = make_report("Hyesan, later", publish_at=timezone.now() + datetime.timedelta(seconds=1))
    link(execution, soon, origin="Yonhap")
    time.sleep(1.1)
    Report.objects.filter(pk=soon.pk).retagged()  # stamps it updated after it came due
    index_now()
    execution.refresh_from_db()
    assert execution.source_count == 5
