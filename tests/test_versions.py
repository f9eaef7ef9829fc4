"""Reports citable by version: numbered on public changes only, shown as they were, compared."""

import contextlib
import datetime
import importlib
import json
import signal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from archive.editing.merging import merge_terms
from archive.models import Correction, Region, Report, ReportVersion, TagSuggestion, Topic
from archive.research import diffs
from archive.research.versions import citation_version

from .factories import make_region, make_report, make_topic
from .forms import form_data

pytestmark = pytest.mark.django_db


def numbers(report) -> list[int]:
    return list(ReportVersion.objects.filter(report=report).values_list("number", flat=True))


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_only_changes_readers_see_make_versions():
    report = make_report("Arrests in Hyesan", body="Twelve people were arrested.")
    assert numbers(report) == [1]
    report.editor_notes = "Check the count with the source."
    report.save()
    assert numbers(report) == [1]
    report.body = "Twenty people were arrested."
    report.save()
    assert numbers(report) == [1, 2]
    # Taken back to draft for a rewrite: the drafts are no version; republished, one.
    report.status = Report.Status.DRAFT
    report.save()
    for body in ("Draft one.", "Thirty people were arrested."):
        report.body = body
        report.save()
    assert numbers(report) == [1, 2]
    report.status = Report.Status.PUBLISHED
    report.save()
    assert numbers(report) == [1, 2, 3]
    assert report.versions.get(number=3).content["body"] == "Thirty people were arrested."
    # Taken down and put back unchanged: readers still see version 3.
    for status in (Report.Status.IN_REVIEW, Report.Status.PUBLISHED):
        report.status = status
        report.save()
    assert numbers(report) == [1, 2, 3]
    report.topics.add(make_topic("Arrests"))  # retagged while public
    assert numbers(report) == [1, 2, 3, 4]
    draft = make_report("Unfinished", status=Report.Status.DRAFT)
    draft.body = "More."
    draft.save()
    assert numbers(draft) == []


def test_a_scheduled_report_is_versioned_as_it_goes_public(client, monkeypatch):
    nine = timezone.now() + datetime.timedelta(hours=2)
    report = make_report("Embargoed", body="First text.", publish_at=nine)
    report.body = "Second text."  # edited before its time: still its one version
    report.save()
    cancelled = make_report("Cancelled", body="Never shown.", publish_at=nine)
    cancelled.status = Report.Status.DRAFT  # taken off the schedule: no version left
    cancelled.save()
    assert [(v.number, v.content["body"]) for v in report.versions.all()] == [(1, "Second text.")]
    assert numbers(cancelled) == []
    assert Report.objects.get(pk=report.pk).version is None
    assert client.get(f"{report.get_absolute_url()}v1/").status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: nine + datetime.timedelta(minutes=1))
    assert "Second text." in page(client, f"{report.get_absolute_url()}v1/")
    assert Report.objects.get(pk=report.pk).version.number == 1


def post_change(client, report, **changes):
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(page(client, url), "report_form") | {k: [v] for k, v in changes.items()}
    return client.post(url, data)


def test_an_editors_save_with_tags_and_a_correction_is_one_version(client, editor):
    hyesan = make_region("Hyesan", slug="hyesan")
    fire = make_topic("Fires", slug="fires")
    report = make_report(
        "Fire at a market",
        body="The fire was in Hyesan.\n\nNobody was hurt.",
        regions=[hyesan],
        reporter="Jeong Tae Joo",
    )
    response = post_change(
        client,
        report,
        body="The fire was in Hoeryong.\n\nNobody was hurt.",
        topics=str(fire.pk),
        correction="An earlier version placed the fire in Hyesan.",
    )
    assert response.status_code == 302
    assert numbers(report) == [1, 2]
    assert [t["slug"] for t in report.versions.get(number=2).content["topics"]] == ["fires"]
    changes = page(client, f"{report.get_absolute_url()}changes/")
    log = changes[changes.index('id="version-2"') : changes.index('id="version-1"')]
    assert "An earlier version placed the fire in Hyesan." in log  # listed with version 2
    # Without parameters the page shows the last change.
    assert "The fire was in <del>Hyesan.</del> <ins>Hoeryong.</ins>" in changes
    assert "<ins>Fires</ins>" in changes


def test_version_pages_show_the_text_and_tags_as_they_were(client):
    hyesan = make_region("Hyesan", slug="hyesan")
    report = make_report(
        "Fire at a market", body="The fire was in Hyesan.\n\nNobody was hurt.", regions=[hyesan]
    )
    with ReportVersion.objects.one_change():
        report.headline = "Fire at a Hyesan market"
        report.body = "The fire was in Hoeryong.\n\nNobody was hurt."
        report.save()
        report.regions.clear()
    hyesan.name = "Hyesan City"  # renamed later: the old version keeps the name it showed
    hyesan.save()
    url = report.get_absolute_url()
    first, second = report.versions.all()
    old = page(client, f"{url}v1/")
    assert "Fire at a market" in old and "The fire was in Hyesan." in old
    assert '<span class="tag">Hyesan</span>' in old and "Hoeryong" not in old
    assert "You are reading version 1 of this report" in old
    assert f'href="{url}">Read the current version (2)' in old
    assert first.fingerprint in old
    current = page(client, url)
    assert f"version 2, fingerprint {second.fingerprint[:8]}" in current
    assert citation_version(Report.objects.get(pk=report.pk)) == (2, second.fingerprint[:8])
    assert "It is the current version." in page(client, f"{url}v2/")
    assert client.get(f"{url}v3/").status_code == 404
    assert client.get(f"{url}v99999999999999999999/").status_code == 404

    diff = page(client, f"{url}changes/?from=1&to=2")
    assert "Fire at a <ins>Hyesan</ins> market" in diff
    assert "The fire was in <del>Hyesan.</del> <ins>Hoeryong.</ins>" in diff
    assert "<del>Hyesan</del>" in diff  # the tag removed
    assert "Nobody was hurt." in diff  # the unchanged paragraph, for context
    odd = page(client, f"{url}changes/?from=7&to=x")
    assert "There is no version “x”" in odd and "There is no version “7”" in odd


def test_long_unchanged_runs_are_folded_and_text_is_escaped():
    old = [f"Paragraph {n}." for n in range(10)]
    shown = diffs.paragraphs(old, [*old[:5], "<b>New</b> paragraph.", *old[5:]])
    assert [kind for kind, _ in shown] == ["folded", "same", "added", "same", "folded"]
    assert shown[0][1] == "4 unchanged paragraphs"
    assert shown[2][1] == "<ins>&lt;b&gt;New&lt;/b&gt; paragraph.</ins>"


def test_bulk_updates_and_imports_of_published_reports_make_version_1(write_file):
    drafts = [make_report(f"Draft {n}", status=Report.Status.DRAFT) for n in range(3)]
    Report.objects.filter(pk__in=[d.pk for d in drafts[:2]]).update(status=Report.Status.PUBLISHED)
    assert [numbers(d) for d in drafts] == [[1], [1], []]
    records = [
        {"title": f"Imported {n}", "body": "Text.", "date": "2024-03-02", "source": "Daily NK"}
        for n in range(2)
    ]
    path = write_file("new.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    call_command("import_reports", str(path), status="published", verbosity=0)
    imported = Report.objects.filter(headline__startswith="Imported")
    assert [numbers(r) for r in imported] == [[1], [1]]
    assert imported[0].versions.get().content["source"] == {"slug": "daily-nk", "name": "Daily NK"}


def test_the_migration_gives_published_reports_version_1_as_they_are():
    public = make_report("Old story", topics=[make_topic("Markets")])
    scheduled = make_report("Later", publish_at=timezone.now() + datetime.timedelta(days=1))
    draft = make_report("Draft", status=Report.Status.DRAFT)
    made = {v.report_id: v for v in ReportVersion.objects.all()}
    ReportVersion.objects.all().delete()
    migration = importlib.import_module("archive.migrations.0005_versions_and_alerts")
    migration.first_versions(apps, None)
    after = {v.report_id: v for v in ReportVersion.objects.all()}
    assert set(after) == {public.pk, scheduled.pk} and draft.pk not in made
    assert after[public.pk].public_from == Report.objects.get(pk=public.pk).first_published
    assert after[scheduled.pk].public_from == scheduled.publish_at
    # The same fingerprint a save would give: saving again makes no version 2.
    assert after[public.pk].fingerprint == made[public.pk].fingerprint
    ReportVersion.objects.record([public.pk, scheduled.pk])
    assert numbers(public) == numbers(scheduled) == [1]


def test_each_demo_report_has_one_version_with_its_tags(demo):
    for report in Report.objects.published():
        (version,) = report.versions.all()
        slugs = [t["slug"] for t in version.content["regions"]]
        assert slugs == sorted(report.regions.values_list("slug", flat=True)), report.slug


def test_merging_terms_is_one_change_for_the_reports_they_tag():
    keep, merged = make_topic("Smuggling"), make_topic("Smugglers")
    report = make_report("Smugglers caught", topics=[merged])
    merge_terms(keep, [merged])
    assert numbers(report) == [1, 2]
    assert [t["slug"] for t in report.versions.get(number=2).content["topics"]] == [keep.slug]


@pytest.mark.parametrize("url", ["/feeds/latest/rss/", "/feeds/latest/atom/"])
def test_corrections_are_entries_of_their_own_in_the_feeds(client, url):
    report = make_report("Fire at a market")
    correction = Correction.objects.create(report=report, note="The county was wrong.")
    draft = make_report("Secret story", status=Report.Status.DRAFT)
    Correction.objects.create(report=draft, note="Not for readers.")
    feed = page(client, url)
    assert "Correction: Fire at a market" in feed and "The county was wrong." in feed
    assert f"/reports/{report.slug}/changes/#correction-{correction.pk}" in feed
    assert "Secret story" not in feed and "Not for readers." not in feed


@contextlib.contextmanager
def within(seconds: int):
    """Fails the test when the block runs longer than a worker may (it then is killed)."""

    def stop(signum, frame):
        raise TimeoutError(f"still comparing after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def revised(body: str, new_body: str):
    report = make_report("Repeated text", body=body)
    report.body = new_body
    report.save()
    return report


def test_comparing_versions_of_repeated_text_answers_and_shows_the_change(client):
    # 60,000 identical paragraphs, one changed: difflib took over 120 s (the worker
    # was killed) and two such requests stalled the site.
    before = "Long live.\n\n" * 60_000
    after = "Long live.\n\n" * 30_000 + "Long live the army.\n\n" + "Long live.\n\n" * 29_999
    report = revised(before, after)
    with within(30):
        diff = page(client, f"{report.get_absolute_url()}changes/?from=1&to=2")
    assert "Long <del>live.</del> <ins>live the army.</ins>" in diff
    assert "29,999 unchanged paragraphs" in diff or "29999 unchanged paragraphs" in diff


def test_a_long_rewrite_shows_its_first_changes_and_links_both_versions_whole(client):
    before = "\n\n".join(f"Paragraph {n} as first written." for n in range(1000))
    report = revised(before, before.replace("first written", "corrected later"))
    diff = page(client, f"{report.get_absolute_url()}changes/?from=1&to=2")
    assert diff.count('class="diff-changed"') == diffs.MAX_SHOWN
    url = report.get_absolute_url()
    assert (
        f'600 more changed paragraphs are not shown. Read <a href="{url}v1/">version 1</a> '
        f'and <a href="{url}v2/">version 2</a> whole.' in diff
    )


def test_a_diff_too_long_to_show_is_summed_up_not_left_out():
    old = [f"Paragraph {n % 2}." for n in range(60_000)]
    new = [f"Paragraph {(n + 1) % 2} again." for n in range(60_000)]
    with within(30):
        shown = diffs.paragraphs(old, new)
    kinds = [kind for kind, _ in shown]
    assert kinds[-1] == "more" and len(shown) <= diffs.MAX_SHOWN + 1
    assert shown[-1][1] == f"{60_000 - diffs.MAX_SHOWN:d} more changed paragraphs are not shown."
    with within(30):  # 5,000 identical words, one changed, in one paragraph
        line = diffs.words("word " * 5000, "word " * 2500 + "name " + "word " * 2499)
    assert line.count("<del>") == 1 and "<ins>name</ins>" in line


def test_exactly_as_many_changes_as_are_shown_keep_the_paragraph_after_them():
    old = [f"Paragraph {n}." for n in range(diffs.MAX_SHOWN)] + ["The end."]
    new = [f"Paragraph {n}, changed." for n in range(diffs.MAX_SHOWN)] + ["The end."]
    shown = diffs.paragraphs(old, new)
    assert [kind for kind, _ in shown[-2:]] == ["changed", "same"]
    assert shown[-1][1] == "The end."


def test_word_diffs_match_difflibs_on_ordinary_edits():
    """The bounded alignment finds what difflib finds where both can afford to look."""
    from difflib import SequenceMatcher

    old = "The Ministry of State Security arrested three people in Hyesan last week"
    new = "The MSS arrested three smugglers in Hyesan on Tuesday last week"
    old, new = old.split(" "), new.split(" ")
    ours = diffs.opcodes(old, new, diffs.Budget())
    assert ours == SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def test_comparisons_are_cached_and_new_ones_rate_limited(client, settings):
    settings.ARCHIVE_DIFF_RATE = "2/min"
    reports = [revised(f"Text {n}.", f"Text {n}, corrected.") for n in range(3)]
    urls = [f"{r.get_absolute_url()}changes/?from=1&to=2" for r in reports]
    assert [client.get(urls[0]).status_code for _ in range(4)] == [200] * 4  # cached
    assert client.get(urls[1]).status_code == 200
    refused = client.get(urls[2])
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(urls[0]).status_code == 200  # still served from the cache
    assert (
        client.get(reports[0].get_absolute_url() + "changes/").status_code == 200
    )  # the same pair


@pytest.mark.parametrize("action", ["accept", "accept_everywhere"])
def test_tags_accepted_on_the_review_screen_make_a_version(client, editor, action):
    """The review screen's bulk tagging records a version and a new fingerprint, so a
    citation of the page matches what it cites."""
    border = make_topic("Border control", slug="border-control")
    report = make_report("Guards", body="Guards at the border.")
    suggestion = TagSuggestion.objects.for_term(report, Topic, border.pk, "border")
    suggestion.save()
    first = report.versions.get()
    review = reverse("admin:archive_tagsuggestion_changelist")
    response = client.post(review, {"action": action, "_selected_action": [suggestion.pk]})
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # "accept everywhere" asks first
        response = client.post(
            review, {"action": action, "_selected_action": [suggestion.pk], "confirm": "yes"}
        )
    assert numbers(report) == [1, 2]
    second = report.versions.get(number=2)
    assert second.fingerprint != first.fingerprint
    assert "Border control" in page(client, report.get_absolute_url())
    assert f"version 2, fingerprint {second.fingerprint[:8]}" in page(
        client, report.get_absolute_url()
    )


def test_accepting_tags_of_two_kinds_at_once_is_one_version(client, editor):
    hyesan = make_region("Hyesan", slug="hyesan")
    border = make_topic("Border control", slug="border-control")
    report = make_report("Guards in Hyesan", body="Guards at the border in Hyesan.")
    suggestions = [
        TagSuggestion.objects.for_term(report, Region, hyesan.pk, "Hyesan"),
        TagSuggestion.objects.for_term(report, Topic, border.pk, "border"),
    ]
    for suggestion in suggestions:
        suggestion.save()
    review = reverse("admin:archive_tagsuggestion_changelist")
    selected = [s.pk for s in suggestions]
    assert (
        client.post(review, {"action": "accept", "_selected_action": selected}).status_code == 302
    )
    assert numbers(report) == [1, 2]  # not a version with the region only, then another
    tags = report.versions.get(number=2).content
    assert [t["name"] for t in tags["regions"]] == ["Hyesan"]
    assert [t["name"] for t in tags["topics"]] == ["Border control"]
