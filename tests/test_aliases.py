"""Every spelling finds the same reports: aliases in search, facets, pages, tagging, merging."""

import os
import re
from html import escape, unescape

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from archive.editing import evaluation, tagging
from archive.models import Agency, AgencyAlias, Alias, Region, Report, TagSuggestion, Topic
from archive.search.running import ArchiveQuery, search

from .conftest import SEEDS, SHARED_DATA, index_now
from .factories import make_region, make_report
from .forms import form_data

pytestmark = pytest.mark.django_db

# (canonical name, another name, its kind): each must find the same reports.
VARIANTS = [
    ("North Hamgyong", "North Hamkyung", "press spelling"),
    ("North Hamgyong", "Hamgyŏng-bukto", "McCune-Reischauer"),
    ("North Hamgyong", "Hamgyeongbuk-do", "Revised Romanization"),
    ("North Hamgyong", "hamgyong bukto", "folded, not listed"),
    ("Ryanggang", "Yanggang", "Revised Romanization"),
    ("Ryanggang", "Yangkang", "press spelling"),
    ("Pyongyang", "Phyongyang", "DPRK official"),
    ("Hoeryong", "Hoeryeong", "Revised Romanization"),
    ("Ministry of State Security", "Bowibu", "press spelling"),
    ("Ministry of State Security", "SSD", "abbreviation"),
    ("Ministry of State Security", "State Security Department", "former name"),
    ("Ministry of State Security", "국가보위성", "Korean script"),
    ("Ministry of Social Security", "Ministry of People's Security", "former name"),
    ("Ministry of Social Security", "safety agents", "press spelling"),
]


@pytest.fixture
def seeds(demo):
    index_now()


def found(text: str) -> set[str]:
    """Every report a search finds (not only a first page: ranking must not matter)."""
    results = search(ArchiveQuery(text=text, per_page=1000))
    assert results.total <= 1000
    return {r.slug for r in results.reports}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


@pytest.mark.parametrize("canonical, variant, kind", VARIANTS, ids=[v[2] for v in VARIANTS])
def test_each_kind_of_variant_finds_what_the_canonical_name_finds(seeds, canonical, variant, kind):
    assert found(variant) == found(canonical) != set()


def test_the_canonical_name_finds_reports_that_only_use_a_variant(vocabularies):
    make_report(headline="Arrests", slug="arrests", body="A source in North Hamkyung said so.")
    index_now()
    assert found("North Hamgyong") == {"arrests"}  # the report never says it


def test_names_inside_phrases_are_widened_too(seeds):
    assert found('"source in North Hamgyong Province"') == {"safety-agents-quit-for-safer-jobs"}
    assert found('"source in South Hamgyong Province"') == set()


def test_an_abbreviation_other_bodies_share_widens_only_in_capitals(seeds):
    # "NSA" is also the US National Security Agency: in capitals it may be the MSS.
    assert AgencyAlias.objects.get(name="NSA").ambiguous
    assert found("nsa") == set()
    assert found("NSA") == found("Ministry of State Security") != set()


def test_the_results_page_says_what_else_it_searched(client, seeds):
    response = client.get("/search/?q=Bowibu")
    also = response.context["results"].also_searched
    assert "Ministry of State Security" in also and "State Security Department" in also
    assert "Bowibu" not in also
    shown = re.search(r'<p class="also-searched">(.*?)</p>', response.content.decode(), re.S)
    names = re.findall(r'<span class="also-name">(.*?) <a href="\?q=Bowibu&amp;without=', shown[1])
    assert names == [escape(name) for name in also]  # each with a link that leaves it out
    assert "Did you mean" not in page(client, "/search/?q=Bowibu")  # in no report, but understood
    assert response.context["results"].total == 5


def test_snippets_mark_the_name_the_report_actually_uses(client, seeds):
    html = page(client, "/search/?q=North+Hamgyong")
    assert "<mark>North Hamkyung</mark>" in html  # seed 002's own spelling
    assert "<mark>North Hamgyong</mark>" in html


def test_facet_filter_by_an_alias(client, seeds):
    by_slug = client.get("/search/?agency=ministry-of-state-security").context
    by_alias = client.get("/search/?agency=bowibu").context
    assert by_alias["messages_"] == [
        "“bowibu” is another name for Ministry of State Security; filtering by that."
    ]
    found = [card.report for card in by_slug["cards"]]
    assert [card.report for card in by_alias["cards"]] == found and found
    # The chip shows the canonical name.
    assert [chip.label for chip in by_alias["chips"]] == ["Agency: Ministry of State Security"]
    by_spelling = page(client, "/search/?region=north-hamkyung")
    assert "Region: North Hamgyong" in by_spelling


def test_facet_find_box_finds_a_value_by_any_name(client, seeds):
    response = client.get("/search/?find_agency=bowibu")
    assertContains(response, 'action="#facet-agency"')  # the answer is shown where asked for
    box = next(box for box in response.context["facets"] if box.name == "agency")
    [link] = box.found
    assert (link.label, link.note) == ("Ministry of State Security", "matched alias Bowibu")
    assert "agency=ministry-of-state-security" in link.url
    html = page(client, "/search/?find_region=hamkyung")
    assert "North Hamgyong" in html and "matched alias North Hamkyung" in html
    assert "Nothing here is called “zzzz”" in page(client, "/search/?find_region=zzzz")


def test_an_alias_added_in_the_admin_is_searched_at_once(client, seeds, editor):
    agency = Agency.objects.get(slug="ministry-of-state-security")
    assert found("Kukka Bowibu") == set()
    data = {
        "name": agency.name,
        "slug": agency.slug,
        "abbreviation": agency.abbreviation,
        "description": agency.description,
        "aliases-TOTAL_FORMS": agency.aliases.count() + 1,
        "aliases-INITIAL_FORMS": agency.aliases.count(),
        "aliases-MIN_NUM_FORMS": 0,
        "aliases-MAX_NUM_FORMS": 1000,
    }
    fields = ["name", "kind", "used_from", "used_until", "note"]
    for i, alias in enumerate(agency.aliases.all()):
        data |= {f"aliases-{i}-{f}": getattr(alias, f) or "" for f in fields}
        data |= {f"aliases-{i}-id": alias.pk, f"aliases-{i}-agency": agency.pk}
        if alias.ambiguous:
            data[f"aliases-{i}-ambiguous"] = "on"
    new = agency.aliases.count()
    data |= {f"aliases-{new}-name": "Kukka Bowibu", f"aliases-{new}-kind": "press"}
    response = client.post(reverse("admin:archive_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert found("Kukka Bowibu") == found("Ministry of State Security") != set()
    assert index_now() == 0  # nothing was re-indexed for it


def test_agency_page_shows_the_renaming_history(client, seeds):
    response = client.get("/agencies/ministry-of-social-security/")
    history = [(r.name, r.years, r.current) for r in response.context["history"]]
    # Former names come first, the current one last.
    assert history[0] == ("Ministry of People's Security", "until 2020", False)
    assert history[-1] == ("Ministry of Social Security", "since 2020", True)
    assertContains(response, "<strong>Ministry of Social Security</strong>")
    assertContains(response, "current name, since 2020")


def test_region_page_lists_known_names_by_kind(client, seeds):
    response = client.get("/regions/north-hamgyong/")
    names = {kind: [alias.name for alias in aliases] for kind, aliases in response.context["names"]}
    assert "Hamgyŏng-bukto" in names["McCune-Reischauer"]
    assert "North Hamkyung" in names["Press spelling"]
    assertContains(response, '<span lang="ko">함경북도</span>')


def test_another_spelling_in_the_address_redirects_to_the_term(client, seeds):
    response = client.get("/regions/north-hamkyung/")
    assert response.status_code == 301
    assert response["Location"] == "/regions/north-hamgyong/"
    assert client.get("/regions/nowhere-at-all/").status_code == 404


def test_an_ambiguous_name_widens_nothing_even_when_a_sibling_name_folds_alike(seeds):
    # "Gangwon" folds like "Kangwon" but is also South Korea's province.
    from archive.names import vocabulary

    names = vocabulary.current()
    for typed in ("Gangwon", "Kangwon"):  # both Koreas have a province of these names
        expansion = names.expand(typed)
        assert expansion.also_searched == []
        [meaning] = expansion.meanings
        assert meaning.shared and {t.slug for t in meaning.terms} == {"kangwon", "gangwon"}
    # The reader's choice widens to that province's names.
    assert names.expand("Gangwon", means=("region:kangwon",)).also_searched
    # Spellings that differ only by accents are different words to the index: both are kept.
    widened = names.expand("North Hamgyong").also_searched
    assert "Hamgyŏng-bukto" in widened and "Hamgyong-bukto" in widened
    # A person is not the county named after them; the county's full name is.
    assert names.expand("Kim Jong Suk").also_searched == []
    assert "Kimjongsuk County" in names.expand("Kim Jong Suk County").also_searched


def test_expansion_keeps_fields_boosts_and_spacing(seeds):
    from archive.names import vocabulary

    names = vocabulary.current()
    assert names.expand('regions:"ryanggang"').text == 'regions:"ryanggang"'
    assert names.expand('"Bowibu"^2 arrests').text == '"Bowibu"^2 arrests'
    widened = names.expand("arrests by Bowibu  NOT  Hyesan*").text
    assert widened.startswith('arrests by ("Ministry of State Security" OR ')
    assert widened.endswith(")  NOT  Hyesan*")  # operators and wildcards as typed


def test_the_names_of_a_term_only_unpublished_reports_use_stay_private(client, vocabularies):
    from archive.models import Topic

    secret = Topic.objects.create(name="Operation Nightfall", slug="secret-op")
    secret.aliases.create(name="Nightfall Plan", kind=Alias.Kind.OTHER)
    make_report("Draft", status=Report.Status.DRAFT, body="Nightfall Plan.", topics=[secret])
    make_report("Public", body="Something public.")
    index_now()
    for url in [
        "/search/?topic=nightfall-plan",
        "/search/?q=Nightfall+Plan",
        "/search/?find_topic=nightfall",
    ]:
        html = page(client, url)
        assert "Operation Nightfall" not in html and "secret-op" not in html, url
    assert client.get("/topics/nightfall-plan/").status_code == 404  # no redirect to it


# --- Suggested tags ---------------------------------------------------------


def suggested(report) -> set[str]:
    """Places, bodies and people suggested (topics are another matter)."""
    return {
        s.term.slug
        for s in tagging.new_suggestions(report, set())
        if s.term_type.model_class() is not Topic
    }


def test_suggestions_on_the_five_seeds_against_the_hand_tags(seeds):
    cases = evaluation.cases_of(Report.objects.all())
    result = evaluation.evaluate(cases)
    names = evaluation.evaluate(cases, ["region", "agency", "person"])
    assert (names.tagged, result.tagged) == (34, 49)  # 23 places, 9 bodies, 2 people; 15 topics
    assert names.recall >= 0.9, names.misses
    assert names.precision >= 0.95, names.extras
    topics = result.by_facet["topic"]
    assert topics.precision >= 0.65 and topics.recall >= 0.6, topics.extras
    # The automatic rule makes no mistake here.
    assert result.by_rule["place"].precision == 1.0
    safety = Report.objects.get(slug="safety-agents-quit-for-safer-jobs")
    names = suggested(safety)
    assert "north-hamgyong" in names  # written "North Hamkyung Province"
    assert "ministry-of-social-security" in names  # "safety agents"
    assert {"hoeryong", "chongjin", "kimchaek", "rajin"} <= names
    assert "north-korea" not in names  # every report is about North Korea


def test_a_place_suggests_its_province_too(vocabularies):
    report = make_report("Caught", body="Smugglers were caught near Hyesan last week.")
    found_as = {
        s.term.slug: s.evidence
        for s in tagging.new_suggestions(report, set())
        if s.term_type.model_class() is Region
    }
    assert found_as == {"hyesan": "Hyesan", "ryanggang": "in Hyesan"}


def test_abbreviations_suggest_only_in_capitals(vocabularies):
    assert suggested(make_report(body="The MSS arrested him.")) == {"ministry-of-state-security"}
    assert suggested(make_report(body="Loose mss were found.")) == set()


def test_import_tags_only_by_the_automatic_rule_and_suggests_the_rest(vocabularies, write_file):
    seed = next(s for s in SEEDS if s.name.startswith("002"))
    path = write_file("002.txt", seed.read_text(encoding="utf-8"))
    call_command("import_reports", str(path), verbosity=0)
    report = Report.objects.get()
    automatic = report.tag_suggestions.filter(decision=TagSuggestion.Decision.AUTOMATIC)
    # "North Hamkyung Province", in the lead and again: a province named as listed.
    assert {(s.term.slug, s.rule) for s in automatic} == {("north-hamgyong", "place")}
    assert [r.slug for r in report.regions.all()] == ["north-hamgyong"]
    assert not report.agencies.exists()  # bodies are suggested, not applied
    pending = report.tag_suggestions.filter(decision=TagSuggestion.Decision.PENDING)
    assert {s.term.slug for s in pending} >= {"ministry-of-social-security", "chongjin"}
    chongjin = pending.get(term_id=Region.objects.get(slug="chongjin").pk)
    assert "city of Chongjin" in chongjin.context  # the sentence it was found in


def test_editor_accepts_one_suggestion_and_rejects_another(client, vocabularies):
    editor = User.objects.create_superuser("chief", password="pw")
    client.force_login(editor)
    report = make_report("Searches", body="Agents of the Bowibu searched homes in Hoeryong.")
    assert tagging.suggest(report) == 3  # MSS, Hoeryong and North Hamgyong, none automatic
    suggestions = list(report.tag_suggestions.prefetch_related("term"))
    decisions = {
        s.pk: ("accepted" if s.term.slug == "hoeryong" else "rejected") for s in suggestions
    }
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(client.get(url).content.decode(), "report_form")
    for i, suggestion in enumerate(suggestions):
        assert data[f"tag_suggestions-{i}-id"] == [str(suggestion.pk)]
        data[f"tag_suggestions-{i}-decision"] = [decisions[suggestion.pk]]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [r.slug for r in report.regions.all()] == ["hoeryong"]
    assert not report.agencies.exists()
    # Saving again suggests nothing already decided on.
    assert tagging.suggest(report) == 0


def test_merging_duplicates_keeps_names_as_aliases_and_moves_reports(client, vocabularies):
    client.force_login(User.objects.create_superuser("chief", password="pw"))
    keep = Region.objects.get(slug="hyesan")
    duplicate = make_region("Hyesan-si (dup)", kind=Region.Kind.CITY, slug="hyesan-si-dup")
    Region.objects.filter(pk=duplicate.pk).update(parent=keep.parent)
    RegionAlias = keep.aliases.model
    RegionAlias.objects.create(region=duplicate, name="Hyesan Town", kind=Alias.Kind.OTHER)
    report = make_report(headline="Market closed", body="The market closed.")
    report.regions.add(duplicate)
    index_now()

    url = reverse("admin:archive_region_changelist")
    chosen = {"action": "merge", "_selected_action": [keep.pk, duplicate.pk]}
    confirm = client.post(url, chosen)
    assert confirm.status_code == 200
    assert b"Choose the one to keep" in confirm.content
    done = client.post(url, chosen | {"keep": keep.pk})
    assert done.status_code == 302

    assert not Region.objects.filter(pk=duplicate.pk).exists()
    assert list(report.regions.all()) == [keep]
    names = set(keep.aliases.values_list("name", flat=True))
    assert {"Hyesan-si (dup)", "Hyesan Town"} <= names
    index_now()
    results = search(ArchiveQuery(filters={"region": ("hyesan",)}))
    assert [r.slug for r in results.reports] == [report.slug]
    assert client.get("/regions/hyesan-si-dup/")["Location"] == "/regions/hyesan/"


def test_a_merged_term_keeps_its_old_address_even_unlike_its_name(client, demo):
    client.force_login(User.objects.create_superuser("chief", password="pw"))
    keep = Topic.objects.get(slug="smuggling")
    old = Topic.objects.get(slug="corruption")  # named "Corruption and bribery"
    url = reverse("admin:archive_topic_changelist")
    chosen = {"action": "merge", "_selected_action": [keep.pk, old.pk], "keep": keep.pk}
    assert client.post(url, chosen).status_code == 302
    index_now()
    assert client.get("/topics/corruption/")["Location"] == "/topics/smuggling/"
    assert "“corruption” is another name for Smuggling" in page(client, "/search/?topic=corruption")


def test_a_term_cannot_be_merged_into_a_place_inside_it(client, vocabularies):
    client.force_login(User.objects.create_superuser("chief", password="pw"))
    province = Region.objects.get(slug="north-hamgyong")
    city = Region.objects.get(slug="chongjin")
    url = reverse("admin:archive_region_changelist")
    chosen = {"action": "merge", "_selected_action": [province.pk, city.pk], "keep": city.pk}
    response = client.post(url, chosen, follow=True)
    assert "Not merged: Chongjin lies inside North Hamgyong" in response.content.decode()
    assert Region.objects.filter(pk=province.pk).exists()
    city.refresh_from_db()
    assert city.parent == province


# --- Real data --------------------------------------------------------------

CORPUS = SHARED_DATA / "kcna_corpus.jsonl"


@pytest.mark.skipif(
    not CORPUS.exists() and not os.environ.get("CI"), reason=f"{CORPUS} is not here"
)
@pytest.mark.engine
def test_kcna_spellings_find_the_same_reports(vocabularies, write_file):
    """KCNA writes "North Phyongan" and "South Hamgyong"; other spellings find them."""
    lines = [
        line
        for line in CORPUS.read_text(encoding="utf-8").splitlines()
        if re.search(r"Phyongan|Hamgyong|Ryanggang", line)
    ][:400]
    call_command(
        "import_reports", str(write_file("kcna.jsonl", "\n".join(lines))), "--status", "published"
    )
    index_now()
    for canonical, variants in {
        "North Pyongan": ["North Phyongan", "P'yŏngan-bukto", "Pyeonganbuk-do"],
        "South Hamgyong": ["Hamgyŏng-namdo", "South Hamkyung", "Hamgyeongnam-do"],
        "Ryanggang": ["Yanggang", "Yanggang-do"],
    }.items():
        expected = found(canonical)
        assert len(expected) >= 5, canonical
        for variant in variants:
            assert found(variant) == expected, variant


def test_phrases_are_marked_only_where_their_words_stand_together(client, seeds):
    html = page(client, "/search/?q=Ministry+of+State+Security")
    assert "<mark>Ministry of State Security</mark>" in html
    assert "<mark>state security departments</mark>" in html  # an alias
    # "security" alone ("security reasons", "Security agents") is not marked.
    assert not re.search(r"(?i)<mark>security</mark>", html)


def test_the_report_list_filters_reports_awaiting_tag_decisions(client, vocabularies, editor):
    waiting = make_report("Waiting", body="Arrests in Hoeryong.")
    decided = make_report("Decided", body="Arrests in Hyesan.")
    tagging.suggest(waiting)
    tagging.suggest(decided)
    decided.tag_suggestions.update(decision=TagSuggestion.Decision.REJECTED)
    html = page(client, reverse("admin:archive_report_changelist") + "?suggestions=pending")
    assert "Waiting" in html and "Decided" not in html


def test_merged_addresses_redirect_for_twins_and_through_chains(client, vocabularies):
    from archive.editing.merging import merge_terms

    keep = Region.objects.get(slug="hyesan")
    twin = make_region("Hyesan", kind=Region.Kind.CITY, slug="hyesan-2", parent=keep.parent)
    merge_terms(keep, [twin])  # the same name: only the address is new
    first = Topic.objects.create(name="Kickbacks", slug="kb-2019")
    middle = Topic.objects.create(name="Racketeering", slug="racketeering")
    last = Topic.objects.get(slug="corruption")
    merge_terms(middle, [first])
    merge_terms(last, [middle])
    assert client.get("/regions/hyesan-2/")["Location"] == "/regions/hyesan/"
    assert client.get("/topics/kb-2019/")["Location"] == "/topics/corruption/"
    assert client.get("/topics/racketeering/")["Location"] == "/topics/corruption/"


def test_a_region_whose_only_use_is_a_draft_inside_it_stays_private(client, vocabularies):
    ryanggang = Region.objects.get(slug="ryanggang")
    camp = make_region("Camp Zeta", kind=Region.Kind.DISTRICT, slug="camp-zeta", parent=ryanggang)
    camp.aliases.create(name="Zetaburg", kind=Alias.Kind.PRESS)
    block = make_region("Zeta Block", kind=Region.Kind.DISTRICT, slug="zeta-block", parent=camp)
    make_report("Draft", status=Report.Status.DRAFT, body="Zetaburg.", regions=[block])
    index_now()
    for url in ["/search/?find_region=zeta", "/search/?region=zetaburg", "/search/?q=Zetaburg"]:
        assert "Camp Zeta" not in page(client, url), url
    assert client.get("/regions/zetaburg/").status_code == 404


def test_spellings_of_a_person_do_not_name_the_county(vocabularies):
    from archive.names import vocabulary

    names = vocabulary.current()
    for person in ["Kim Jong-suk", "Kim-Jong-Suk", "kim jong suk"]:
        assert names.expand(person).also_searched == [], person
        assert names.scan(f"{person} was born in 1917.") == [], person
