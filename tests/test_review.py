"""Tags at real size: automatic tags an editor can revoke, the review screen, the desk."""

import re
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from archive.editing import tagging
from archive.models import Region, Report, TagSuggestion

from .conftest import index_now
from .factories import make_report
from .forms import form_data

pytestmark = pytest.mark.django_db

AUTOMATIC, PENDING = TagSuggestion.Decision.AUTOMATIC, TagSuggestion.Decision.PENDING
REVIEW = reverse("admin:archive_tagsuggestion_changelist")


def regions(report) -> set[str]:
    return {r.slug for r in Report.objects.get(pk=report.pk).regions.all()}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def test_a_province_named_in_the_lead_is_tagged_at_once_and_marked_automatic(vocabularies):
    report = make_report("Arrests in North Hamgyong", body="Police were busy.\n\nHyesan was quiet.")
    tagging.suggest(report)
    assert regions(report) == {"north-hamgyong"}  # Hyesan, named once after the lead, waits
    automatic = report.tag_suggestions.get(decision=AUTOMATIC)
    assert (automatic.term.slug, automatic.rule) == ("north-hamgyong", "place")
    waiting = {s.term.slug for s in report.tag_suggestions.filter(decision=PENDING)}
    assert "hyesan" in waiting


def test_an_editor_revokes_an_automatic_tag_and_it_is_not_made_again(client, editor, vocabularies):
    report = make_report("Arrests in North Hamgyong", body="Police were busy.")
    tagging.suggest(report)
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(client.get(url).content.decode(), "report_form")
    data["regions"] = []  # taken off in the form
    assert client.post(url, data).status_code == 302
    assert regions(report) == set()
    assert report.tag_suggestions.get().decision == TagSuggestion.Decision.REJECTED
    # Saved again, the text still names the province: the decision stands.
    data = form_data(client.get(url).content.decode(), "report_form")
    assert client.post(url, data).status_code == 302
    assert regions(report) == set()


def test_rejecting_an_automatic_suggestion_in_the_form_untags_the_report(
    client, editor, vocabularies
):
    report = make_report("Arrests in North Hamgyong", body="Police were busy.")
    tagging.suggest(report)
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(client.get(url).content.decode(), "report_form")
    assert data["tag_suggestions-0-decision"] == ["automatic"]
    data["tag_suggestions-0-decision"] = ["rejected"]
    assert client.post(url, data).status_code == 302
    assert regions(report) == set()


def test_the_review_screen_filters_counts_and_shows_the_sentence(client, editor, vocabularies):
    for n in range(3):
        make_report(f"Report {n}", body=f"Police were busy.\n\nTraders in Hyesan sold {n} goats.")
    for report in Report.objects.all():
        tagging.suggest(report)
    html = page(client, REVIEW + "?decision__exact=pending")
    assert "Hyesan (3)" in html  # the term filter, with its count
    assert "Traders in <mark>Hyesan</mark> sold 1 goats." in html
    hyesan = Region.objects.get(slug="hyesan")
    term = f"{TagSuggestion.objects.filter(term_id=hyesan.pk).first().term_type_id}:{hyesan.pk}"
    narrowed = client.get(REVIEW, {"decision__exact": "pending", "term": term})
    assert narrowed.context["cl"].result_count == 3
    assert "Regions (" in page(client, REVIEW)  # the kind filter


def test_accept_everywhere_accepts_the_same_term_found_by_the_same_words(
    client, editor, vocabularies
):
    first, second, third = (
        make_report(f"Report {n}", body=f"Police were busy.\n\nTraders in {place} were fined.")
        for n, place in enumerate(["Hyesan", "Hyesan", "Hyesan-si"])
    )
    for report in (first, second, third):
        tagging.suggest(report)
    one = first.tag_suggestions.get(term_id=Region.objects.get(slug="hyesan").pk)
    asked = {"action": "accept_everywhere", "_selected_action": [one.pk]}
    # First the group and a few of its sentences; nothing is decided yet.
    confirm = client.post(REVIEW, asked)
    shown = re.sub(r"\s+", " ", unescape(confirm.content.decode()))
    assert "This tags 2 reports" in shown
    assert "found as “Hyesan”, 2 waiting" in shown
    assert shown.count("Traders in <mark>Hyesan</mark> were fined.") == 2
    assert "hyesan" not in regions(first)
    response = client.post(REVIEW, {**asked, "confirm": "1", "index": "0"}, follow=True)
    assert "2 suggestion(s) accepted across the archive." in response.content.decode()
    assert "hyesan" in regions(first) and "hyesan" in regions(second)
    assert "hyesan" not in regions(third)  # found by other words: still waiting


def test_the_queue_opens_on_what_a_decision_teaches_most_with_its_group_and_track_record(
    client, editor, vocabularies
):
    for n in range(4):
        make_report(f"Report {n}", body=f"Police were busy.\n\nTraders in Hyesan sold {n} goats.")
    for report in Report.objects.order_by("pk"):
        tagging.suggest(report)
    hyesan = TagSuggestion.objects.filter(term_id=Region.objects.get(slug="hyesan").pk)
    first, second, third, fourth = hyesan.order_by("pk")
    for suggestion, probability in [(first, 0.75), (second, 0.45), (third, 0.25)]:
        TagSuggestion.objects.filter(pk=suggestion.pk).update(probability=probability)
    tagging.decide_many(TagSuggestion.objects.filter(pk=fourth.pk), TagSuggestion.Decision.ACCEPTED)

    response = client.get(REVIEW, {"decision__exact": "pending"})
    shown = [s.pk for s in response.context["cl"].result_list if s.term_id == first.term_id]
    # Nearest an even chance first; 0.75 and 0.25 tie, then by age; the rules'
    # suggestion, without a probability, comes last among them.
    assert shown == [second.pk, first.pk, third.pk]
    html = page(client, REVIEW + "?decision__exact=pending")
    assert "45%" in html and "editors kept 100% of 1" in html  # Hyesan's and the rule's
    row = re.search(r"<tr>.*?Hyesan.*?</tr>", html).group()
    assert '<td class="field-group">3</td>' in row  # three wait in its group

    rejecting = {"action": "reject_everywhere", "_selected_action": [second.pk], "confirm": "1"}
    client.post(REVIEW, rejecting)
    assert not hyesan.filter(decision=PENDING).exists()
    assert hyesan.filter(decision=TagSuggestion.Decision.REJECTED).count() == 3


def test_bulk_decisions_reach_the_search_index(client, editor, vocabularies):
    report = make_report("Report", body="Police were busy.\n\nTraders in Hyesan were fined.")
    tagging.suggest(report)
    index_now()
    assert client.get("/regions/hyesan/").status_code == 404  # no report has it yet
    pending = report.tag_suggestions.filter(decision=PENDING).values_list("pk", flat=True)
    client.post(REVIEW, {"action": "accept", "_selected_action": list(pending)})
    index_now()
    assert client.get("/regions/hyesan/").context["results"].total == 1
    accepted = report.tag_suggestions.filter(decision=TagSuggestion.Decision.ACCEPTED)
    chosen = list(accepted.values_list("pk", flat=True))
    # As from the screen showing accepted suggestions (it opens on undecided ones).
    client.post(
        REVIEW + "?decision__exact=accepted", {"action": "reject", "_selected_action": chosen}
    )
    index_now()
    assert client.get("/regions/hyesan/").status_code == 404


def test_the_review_screen_opens_on_what_waits_and_all_is_a_choice(client, editor, vocabularies):
    report = make_report("Arrests in North Hamgyong", body="Police were busy.\n\nHyesan was quiet.")
    tagging.suggest(report)  # North Hamgyong applied, Hyesan and Ryanggang waiting
    shown = client.get(REVIEW).context["cl"]
    assert {s.decision for s in shown.result_list} == {PENDING}
    html = page(client, REVIEW)
    assert re.search(r'<li class="selected">\s*<a href="\?decision__exact=pending"', html)
    everything = client.get(REVIEW, {"decision__exact": "all"}).context["cl"]
    assert {s.decision for s in everything.result_list} == {PENDING, AUTOMATIC}
    assert "Regions (3)" in page(client, REVIEW + "?decision__exact=all")
    assert "Regions (2)" in html  # the counts follow the decision shown


def test_the_admin_home_shows_what_waits_and_the_search_lag(client, editor, vocabularies):
    make_report("In review", status=Report.Status.IN_REVIEW, body="Traders in Hyesan.")
    tagging.suggest(Report.objects.get())
    html = page(client, reverse("admin:index"))
    assert re.search(r"Reports in review</a></th><td>1</td>", html)
    assert re.search(r"Suggested tags to decide</a></th><td>\d", html)
    assert "1 change waiting" in html or "changes waiting" in html
    assert "The same verdict as /health/." in html


def test_saving_an_unchanged_report_records_no_revision(client, editor, vocabularies):
    url = reverse("admin:archive_report_add")
    data = {
        "headline": "Smugglers fined",
        "slug": "smugglers-fined",
        "status": "draft",
        "body": "First paragraph.\n\nSecond paragraph.",
        "publish_at_0": "2026-01-01",
        "publish_at_1": "09:00:00",
    }
    client.post(url, data)
    report = Report.objects.get()
    change = reverse("admin:archive_report_change", args=[report.pk])
    before = Version.objects.get_for_object(report).count()
    data = form_data(client.get(change).content.decode(), "report_form")
    data["body"] = [data["body"][0].replace("\n", "\r\n")]  # as a browser sends a textarea
    assert client.post(change, data).status_code == 302
    assert LogEntry.objects.latest("pk").get_change_message() == "No fields changed."
    assert Version.objects.get_for_object(report).count() == before


def test_a_term_page_says_how_many_of_its_reports_were_tagged_automatically_and_how(
    client, vocabularies
):
    for n in range(3):
        report = make_report(f"Arrests in North Hamgyong {n}", body="Police were busy.")
        tagging.suggest(report)  # the headline's province: applied by the rule "place"
    learned = TagSuggestion.objects.filter(decision=AUTOMATIC).first()
    TagSuggestion.objects.filter(pk=learned.pk).update(probability=0.97)  # as the taggers do
    draft = make_report("Arrests in North Hamgyong", body="Busy.", status=Report.Status.DRAFT)
    tagging.suggest(draft)  # a draft's tag is nobody's business
    index_now()
    html = page(client, "/regions/north-hamgyong/")
    assert "3 reports were tagged North Hamgyong automatically, not by an editor:" in html
    assert 'href="/about/#rule-place"' in html and 'href="/about/#rule-learned"' in html
    assert re.search(r"listed, in the headline or lead, or twice</a> \(2\)", html)
    about = page(client, "/about/")
    assert 'id="rule-place"' in about and 'id="rule-learned"' in about
    assert "The learned taggers are not in use on this site" in about


def test_a_row_shows_the_words_found_in_a_window_of_their_sentence():
    from archive.admin.suggestions import AROUND, marked

    long = "word " * 60 + "Traders in Hyesan sold goats" + " more" * 60
    row = TagSuggestion(evidence="Hyesan", context=long.strip())
    shown = str(marked(row))
    assert shown.startswith("…") and shown.endswith("…") and "<mark>Hyesan</mark>" in shown
    assert len(shown) <= 2 * AROUND + len("<mark>Hyesan</mark>") + 2
    short = TagSuggestion(evidence="Hyesan", context="Traders in Hyesan.")
    assert str(marked(short)) == "Traders in <mark>Hyesan</mark>."


def test_words_that_do_not_name_a_term_are_rejected_by_a_pattern_and_stop_at_the_source(
    client, editor, vocabularies
):
    from archive.models import WrongName

    def suggested_places(report) -> set[str]:
        return {s.term.slug for s in report.tag_suggestions.all()}

    texts = [
        "Lunch was served.\n\nWorkers dined at the Yonggwang Street Restaurant on Sunday.",
        "Lunch was served.\n\nCooks of the Yonggwang Street Restaurant won a prize.",
        "Rain fell.\n\nFarmers in Yonggwang County brought in the harvest.",
    ]
    reports = [make_report(f"Report {n}", body=text) for n, text in enumerate(texts)]
    for report in reports:
        tagging.suggest(report)
    assert all("yonggwang-county" in suggested_places(r) for r in reports)
    restaurant = reports[0].tag_suggestions.get(
        term_id=Region.objects.get(slug="yonggwang-county").pk
    )
    asked = {"action": "reject_by_pattern", "_selected_action": [restaurant.pk], "index": "0"}
    preview = client.post(REVIEW, {**asked, "pattern": "… Street Restaurant"})
    shown = re.sub(r"\s+", " ", unescape(preview.content.decode()))
    assert "“… Street Restaurant” matches 2 waiting suggestions" in shown
    client.post(REVIEW, {**asked, "pattern": "… Street Restaurant", "confirm": "1"})
    county = Region.objects.get(slug="yonggwang-county").pk
    decided = TagSuggestion.objects.filter(term_id=county).order_by("report_id")
    assert [s.decision for s in decided] == ["rejected", "rejected", "pending"]
    assert WrongName.objects.get().pattern == "… Street Restaurant"

    # From now on the words suggest nothing; the county named as itself still does.
    later = make_report("Later", body="Rain fell.\n\nA new Yonggwang Street Restaurant opened.")
    tagging.suggest(later)
    assert "yonggwang-county" not in suggested_places(later)
    again = make_report("Again", body="Rain fell.\n\nYonggwang County farmers met.")
    tagging.suggest(again)
    assert "yonggwang-county" in suggested_places(again)
