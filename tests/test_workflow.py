"""The editorial workflow: scheduling, withdrawal, history and corrections."""

import contextlib
import datetime
import threading

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from archive.models import Correction, Region, Report, TagSuggestion, Topic
from archive.search.running import ArchiveQuery, search

from .conftest import index_now
from .factories import make_region, make_report, make_topic
from .forms import form_data

pytestmark = pytest.mark.django_db


def text(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_a_scheduled_report_appears_everywhere_at_its_time(client, monkeypatch):
    """Nobody acts at 09:00: the clock moves, the indexer's loop runs, the report is public."""
    nine = (timezone.now() + datetime.timedelta(days=1)).replace(hour=9, minute=0, second=0)
    place = make_region("Hyesan", slug="hyesan", kind=Region.Kind.CITY)
    report = make_report("Quarantine lifted", body="Quarantine lifted in Hyesan.", publish_at=nine)
    report.regions.add(place)
    index_now()
    public_pages = ["/", "/search/?q=quarantine", "/feeds/latest/rss/", "/sitemap.xml"]

    def visible() -> list[str]:
        pages = {url: text(client, url) for url in public_pages}
        return [url for url, page in pages.items() if report.slug in page]

    assert visible() == []
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get("/regions/hyesan/").status_code == 404  # only an unpublished report

    monkeypatch.setattr(timezone, "now", lambda: nine - datetime.timedelta(seconds=1))
    index_now()
    assert visible() == []

    monkeypatch.setattr(timezone, "now", lambda: nine + datetime.timedelta(seconds=1))
    index_now()  # one turn of the indexer's loop, as run_indexer does every second
    assert visible() == public_pages
    assert client.get(report.get_absolute_url()).status_code == 200
    assert "Quarantine lifted" in text(client, "/regions/hyesan/")


def test_a_withdrawn_report_is_gone_and_leaves_every_list(client):
    report = make_report("Sources exposed", body="A story with sensitive details.")
    kept = make_report("Kept story", body="Another story.")
    index_now()
    assert "Sources exposed" in text(client, "/feeds/latest/rss/")
    report.status = Report.Status.WITHDRAWN
    report.save()
    index_now()

    gone = client.get(report.get_absolute_url())
    assert gone.status_code == 410
    body = gone.content.decode()
    assert "This report has been withdrawn" in body
    assert "Sources exposed" not in body and "sensitive" not in body
    for url in [
        "/",
        "/search/?q=story",
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/search/rss/?q=story",
        "/sitemap.xml",
        "/archive/",
    ]:
        page = text(client, url)
        assert "Sources exposed" not in page and report.slug not in page, url
    assert kept.slug in text(client, "/sitemap.xml")
    # A draft is simply not found: its address says nothing about it; nor
    # does the address of one withdrawn before it was ever public.
    draft = make_report("Unfinished", status=Report.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Report.Status.WITHDRAWN
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 404


def post_change(client, report, **changes):
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(text(client, url), "report_form") | {k: [v] for k, v in changes.items()}
    return client.post(url, data)


def test_every_admin_change_is_kept_and_can_be_reverted(client, editor):
    report = make_report("Arrests in Hyesan", body="Twelve people were arrested.")
    response = post_change(client, report, headline="Arrests in Hoeryong")
    assert response.status_code == 302
    response = post_change(client, report, body="Twenty people were arrested.")
    assert response.status_code == 302
    versions = Version.objects.get_for_object(report)
    assert len(versions) == 2
    history = text(client, reverse("admin:archive_report_history", args=[report.pk]))
    assert history.count("Changed") >= 2

    # Revert to the first saved version through the admin's revision page.
    oldest = versions.last()
    url = reverse("admin:archive_report_revision", args=[report.pk, oldest.pk])
    response = client.post(url, form_data(text(client, url), "report_form"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.headline == "Arrests in Hoeryong"
    assert report.body == "Twelve people were arrested."
    index_now()
    assert "Twelve people" in text(client, report.get_absolute_url())


def test_a_correction_is_noted_for_readers(client, editor):
    report = make_report("Fire at a market", body="The fire was in Hyesan.")
    response = post_change(
        client,
        report,
        body="The fire was in Hoeryong.",
        correction="An earlier version placed the fire in Hyesan.",
    )
    assert response.status_code == 302
    assert Correction.objects.get(report=report).note.startswith("An earlier version")
    page = text(client, report.get_absolute_url())
    assert f"Corrected {date_format(timezone.now(), 'N j, Y')}" in page
    assert "An earlier version placed the fire in Hyesan." in page
    comment = Version.objects.get_for_object(report).first().revision.comment
    assert comment == "Correction: An earlier version placed the fire in Hyesan."
    # An ordinary edit adds no note.
    post_change(client, report, dek="A new dek.")
    assert Correction.objects.filter(report=report).count() == 1
    # Reverting to the version before the correction keeps the note readers saw.
    first = Version.objects.get_for_object(report).last()
    first.revision.revert(delete=True)
    assert Correction.objects.filter(report=report).count() == 1


def test_a_save_made_meanwhile_is_not_overwritten(client, editor):
    report = make_report("Original headline", body="Text.")
    url = reverse("admin:archive_report_change", args=[report.pk])
    stale = form_data(text(client, url), "report_form")
    Report.objects.filter(pk=report.pk).update(updated=timezone.now() + datetime.timedelta(1))
    stale["headline"] = ["My headline"]
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else saved this report after you opened it" in response.content.decode()
    report.refresh_from_db()
    assert report.headline == "Original headline"


def test_list_actions_are_recorded_in_the_history(client, editor):
    report = make_report("Ready", status=Report.Status.IN_REVIEW)
    url = reverse("admin:archive_report_changelist")
    response = client.post(url, {"action": "publish", "_selected_action": [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    revision = Version.objects.get_for_object(report).first().revision
    assert revision.comment == "Published from the list of reports."
    assert revision.user == editor


def test_term_changes_are_kept_with_their_aliases(client, editor):
    region = make_region("Ryanggang", slug="ryanggang")
    url = reverse("admin:archive_region_change", args=[region.pk])
    data = form_data(text(client, url), "region_form")
    data |= {"name": ["Yanggang"], "aliases-0-name": ["Ryanggang"], "aliases-0-kind": ["dprk"]}
    assert client.post(url, data).status_code == 302
    region.refresh_from_db()
    assert region.name == "Yanggang"
    version = Version.objects.get_for_object(region).first()
    assert {v.object_repr for v in version.revision.version_set.all()} == {"Yanggang", "Ryanggang"}


def test_reports_public_before_their_first_date_was_kept_are_still_gone(client, demo, editor):
    """Reports loaded raw (fixtures) or published before first_published existed."""
    slugs = [
        "safety-agents-quit-for-safer-jobs",
        "n-korea-cracks-down-on-corruption-in-border-patrol",
    ]
    Report.objects.filter(slug__in=slugs).update(first_published=None)
    by_action, by_update = (Report.objects.get(slug=slug) for slug in slugs)
    url = reverse("admin:archive_report_changelist")
    client.post(url, {"action": "withdraw", "_selected_action": [by_action.pk]})
    Report.objects.filter(pk=by_update.pk).update(status=Report.Status.WITHDRAWN)
    for report in (by_action, by_update):
        assert client.get(report.get_absolute_url()).status_code == 410


def test_a_scheduled_report_withdrawn_before_its_time_was_never_public(client, monkeypatch):
    start = timezone.now()
    report = make_report("Embargoed", publish_at=start + datetime.timedelta(hours=1))
    report.publish_at = start + datetime.timedelta(hours=48)  # rescheduled
    report.save()
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(hours=2))
    report.status = Report.Status.WITHDRAWN
    report.save()
    monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(hours=72))
    assert client.get(report.get_absolute_url()).status_code == 404


def test_reverting_a_term_in_its_history_brings_search_back_in_step(client, editor):
    """Reversion restores terms with raw saves; the reports they tag must be queued."""
    country = make_region("North Korea", Region.Kind.COUNTRY, slug="north-korea")
    ryanggang = make_region("Ryanggang", parent=country, slug="ryanggang")
    make_region("Chagang", parent=country, slug="chagang")
    hyesan = make_region("Hyesan", Region.Kind.CITY, parent=ryanggang, slug="hyesan")
    markets = Topic.objects.create(name="Markets", slug="markets")
    make_report("Market closed", regions=[hyesan], topics=[markets])
    index_now()
    # An editor first saves each term as it is, then moves Hyesan and renames the topic.
    for term, changes in [
        (hyesan, {"parent": str(Region.objects.get(slug="chagang").pk)}),
        (markets, {"name": "Trade", "slug": "trade"}),
    ]:
        name = term._meta.model_name
        url = reverse(f"admin:archive_{name}_change", args=[term.pk])
        for data in ({}, changes):
            form = form_data(text(client, url), f"{name}_form") | {k: [v] for k, v in data.items()}
            assert client.post(url, form).status_code == 302
    index_now()
    assert client.get("/topics/trade/").status_code == 200
    assert "chagang" in facet_values("region")

    # Both are reverted to the first version in their history.
    for term in (hyesan, markets):
        name = term._meta.model_name
        first = Version.objects.get_for_object(term).last()
        url = reverse(f"admin:archive_{name}_revision", args=[term.pk, first.pk])
        assert client.post(url, form_data(text(client, url), f"{name}_form")).status_code == 302
    hyesan.refresh_from_db()
    assert hyesan.parent == ryanggang
    index_now()
    assert facet_values("region") == {"north-korea", "ryanggang", "hyesan"}
    assert client.get("/topics/markets/").status_code == 200
    assert client.get("/topics/trade/").status_code == 404


def facet_values(name: str) -> set[str]:
    return {v.value for v in search(ArchiveQuery()).facets[name]}


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_cannot_overwrite_each_other(monkeypatch):
    """Both opened the form before either saved; both press Save at the same moment.

    Each request runs in its own thread with its own database connection. Each
    waits (up to a second) after its check for the other to reach the same point,
    which is what happens when neither check holds a lock.
    """
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client

    from archive.admin.reports import ReportForm

    report = make_report("Original headline", body="Text.")
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    url = reverse("admin:archive_report_change", args=[report.pk])
    opener = Client()
    opener.force_login(user)
    opened = form_data(text(opener, url), "report_form")

    both_checked = threading.Barrier(2)
    check = ReportForm.clean

    def check_then_wait(form):
        cleaned = check(form)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=1)
        return cleaned

    monkeypatch.setattr(ReportForm, "clean", check_then_wait)
    answers = {}

    def save(headline):
        try:
            client = Client()
            client.force_login(user)
            response = client.post(url, opened | {"headline": [headline]})
            answers[headline] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(h,)) for h in ("Mine", "Theirs")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # One save went through; the other was refused with the message, not lost.
    assert sorted(answers.values()) == [200, 302]
    report.refresh_from_db()
    winner = next(h for h, status in answers.items() if status == 302)
    assert report.headline == winner
    assert len(Version.objects.get_for_object(report)) == 1


def test_tags_accepted_on_the_review_screen_meanwhile_are_not_overwritten(client, editor):
    """Editor A opens a report; B accepts a suggestion for it on the review screen; A's
    save is refused with a message naming what changed, and B's tag stays."""
    border = make_topic("Border control", slug="border-control")
    report = make_report("Guards", body="Guards at the border.")
    suggestion = TagSuggestion.objects.for_term(report, Topic, border.pk, "border")
    suggestion.save()
    url = reverse("admin:archive_report_change", args=[report.pk])
    stale = form_data(text(client, url), "report_form")
    review = reverse("admin:archive_tagsuggestion_changelist")
    accepted = client.post(review, {"action": "accept", "_selected_action": [suggestion.pk]})
    assert accepted.status_code == 302
    stale["headline"] = ["My headline"]
    response = client.post(url, stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this report after you opened it" in page
    assert "changed: topics, decisions on suggested tags" in page
    report.refresh_from_db()
    assert report.headline == "Guards"
    assert list(report.topics.all()) == [border]
    assert TagSuggestion.objects.get(pk=suggestion.pk).decision == "accepted"
