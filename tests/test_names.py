"""Names the list does not hold, names two terms share, people, and the reader's control
over the widening: each example of the names issue, as a reader would try it."""

import re
from html import unescape

import pytest

from archive.models import Agency, Person, Region, Report
from archive.names import vocabulary
from archive.search.running import ArchiveQuery, search

from .conftest import index_now
from .factories import make_report

pytestmark = pytest.mark.django_db


def found(text: str, **options) -> set[str]:
    results = search(ArchiveQuery(text=text, per_page=1000, **options))
    return {r.slug for r in results.reports}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def links(html: str, css_class: str) -> dict[str, str]:
    """The links inside the paragraphs of one class: their text to their address."""
    found = {}
    for paragraph in re.findall(rf'<p class="{css_class}"[^>]*>(.*?)</p>', html, re.S):
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', paragraph, re.S):
            found[text] = href
    return found


def also_searched(html: str) -> list[str]:
    match = re.search(r'<p class="also-searched">Also searched: (.*?)</p>', html, re.S)
    if not match:
        return []
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(r'<span class="also-name">(.*?) <a', match.group(1), re.S)
    ]


@pytest.mark.parametrize(
    "typed, listed, place",
    [
        ("Ganggye", "Kanggye", "kanggye"),  # Revised Romanization; only "Kanggye" is listed
        ("Kanggye-si", "Kanggye", "kanggye"),
        ("Dancheon", "Tanchon", "tanchon"),
        ("Dancheon City", "Tanchon", "tanchon"),
    ],
)
def test_a_spelling_the_list_lacks_is_understood_by_its_key(vocabularies, typed, listed, place):
    make_report("Miners", slug="miners", body=f"Miners in {listed} were arrested.")
    make_report("Elsewhere", slug="elsewhere", body="Miners in Hyesan were arrested.")
    index_now()
    assert found(typed) == {"miners"}
    expansion = vocabulary.current().expand(typed)
    assert [t.slug for t in expansion.terms] == [place]
    assert listed in expansion.also_searched


def test_an_abbreviation_and_the_full_name_find_each_other(vocabularies):
    make_report("Short", slug="short", body="The NDC met on Monday.")
    make_report("Long", slug="long", body="The National Defence Commission met on Monday.")
    index_now()
    assert found("NDC") == found("National Defence Commission") == {"short", "long"}


def test_a_name_both_koreas_use_says_what_it_can_mean_and_searches_the_word(client, vocabularies):
    north, south = Region.objects.get(slug="kangwon"), Region.objects.get(slug="gangwon")
    make_report("Wonsan farms", slug="north", body="Farms in Kangwon Province.", regions=[north])
    make_report("Floods", slug="south", body="Floods in Gangwon-do.", regions=[south])
    make_report("Ski resort", slug="word", body="The Gangwon ski resort.")
    index_now()
    html = page(client, "/search/?q=Gangwon")
    assert "“Gangwon” can mean" in html
    assert "showing reports with the word itself" in html
    shown = {r.slug for r in search(ArchiveQuery(text="Gangwon", per_page=100)).reports}
    assert "word" in shown  # not a silent zero: the literal word is searched
    assert "Also searched" not in html  # nothing widened until the reader chooses
    choices = links(html, "meaning")
    assert set(choices) == {"Kangwon (province, North Korea)", "Gangwon (province, South Korea)"}
    north_url = choices["Kangwon (province, North Korea)"]
    assert "means=region%3Akangwon" in north_url
    chosen = client.get("/search/" + north_url)
    assert "north" in {r.slug for r in chosen.context["results"].reports}
    assert "south" not in {r.slug for r in chosen.context["results"].reports}  # tagged South
    note = re.sub(r"\s+", " ", unescape(chosen.content.decode()))
    assert "reports tagged Gangwon (province, South Korea) are left out" in note
    every = client.get("/search/" + links(note, "meaning")["Search every meaning"])
    assert "“Gangwon” can mean" in re.sub(r"\s+", " ", unescape(every.content.decode()))
    assert found("Gangwon", means=("region:gangwon",)) >= {"south", "word"}


@pytest.mark.parametrize(
    "spelling", ["Choi Ryong-hae", "Choe Ryong Hae", "Chwe Ryonghae", "choi ryong hae"]
)
def test_every_spelling_of_a_person_finds_them(vocabularies, spelling):
    make_report("Inspection", slug="inspection", body="Choe Ryong Hae inspected a farm.")
    make_report("Speech", slug="speech", body="Choi Ryong-hae gave a speech.")
    make_report("Namesake", slug="namesake", body="Choe Min Ho inspected a farm.")
    index_now()
    assert found(spelling) == {"inspection", "speech"}
    [term] = vocabulary.current().expand(spelling).terms
    assert term.slug == "choe-ryong-hae"


def test_a_bare_name_two_people_share_widens_to_both_with_a_notice(client, vocabularies):
    trader = Person.objects.get(slug="kim-yong-chol-1962")
    # "Kim Young Chul" is how the press spells the spy chief, not the trader.
    make_report("Talks", slug="talks", body="Kim Yong Chol led the talks.")
    make_report("Spy chief", slug="spy-chief", body="Kim Young Chul arrived in Seoul.")
    index_now()
    html = page(client, "/search/?q=Kim+Yong+Chol")
    assert "“Kim Yong Chol” was searched as" in html
    choices = links(html, "meaning")
    assert set(choices) == {
        "Kim Yong Chol (born circa 1947; alt. circa 1946)",
        "Kim Yong Chol (born 1962-02-18)",
    }
    assert found("Kim Yong Chol") == {"talks", "spy-chief"}
    only_trader = client.get("/search/" + choices["Kim Yong Chol (born 1962-02-18)"])
    assert {r.slug for r in only_trader.context["results"].reports} == {"talks"}
    assert trader.slug in only_trader.request["QUERY_STRING"]


def test_a_name_less_its_direction_widens_to_every_province_it_names(client, vocabularies):
    make_report("North", slug="north", body="A source in North Hamkyung said so.")
    make_report("South", slug="south", body="A source in South Hamkyung said so.")
    make_report("West", slug="west", body="A source in South Pyongan said so.")
    index_now()
    assert found("Hamkyung") == found("Hamgyong") == {"north", "south"}
    html = page(client, "/search/?q=Hamkyung")
    assert re.search(
        r"“Hamkyung” was searched as North Hamgyong \(province, North Korea\) "
        r"and South Hamgyong",
        html,
    )
    assert set(links(html, "meaning")) == {
        "North Hamgyong (province, North Korea)",
        "South Hamgyong (province, North Korea)",
    }


def test_leaving_out_a_name_or_widening_nothing_changes_what_is_found(client, vocabularies):
    make_report("Named", slug="named", body="Arrests by the Ministry of State Security.")
    make_report("Nicknamed", slug="nicknamed", body="A Bowibu agent said so.")
    make_report("Former", slug="former", body="The State Security Department said so.")
    index_now()
    html = page(client, "/search/?q=Bowibu")
    assert {"Ministry of State Security", "State Security Department"} <= set(also_searched(html))
    assert found("Bowibu") == {"named", "nicknamed", "former"}

    leave_out = links(html, "also-searched")
    response = client.get("/search/" + _leave_out_link(html, "Ministry of State Security"))
    assert {r.slug for r in response.context["results"].reports} == {"nicknamed", "former"}
    smaller = re.sub(r"\s+", " ", unescape(response.content.decode()))
    assert "Ministry of State Security" not in also_searched(smaller)
    again = links(smaller, "left-out")["search it again"]
    restored = client.get("/search/" + again)
    assert {r.slug for r in restored.context["results"].reports} == {"named", "nicknamed", "former"}

    exact = client.get("/search/" + links(html, "name-switches")["Exact spelling only"])
    assert {r.slug for r in exact.context["results"].reports} == {"nicknamed"}
    exact_html = re.sub(r"\s+", " ", unescape(exact.content.decode()))
    assert also_searched(exact_html) == []
    assert "Search other names and spellings too" in exact_html
    assert leave_out  # every other name came with its own link


def _leave_out_link(html: str, name: str) -> str:
    match = re.search(rf'<span class="also-name">{re.escape(name)} <a href="([^"]+)"', html)
    assert match, name
    return match.group(1)


def test_as_named_at_the_time_dates_the_other_names_never_the_readers_own(client, vocabularies):
    police = Agency.objects.get(slug="ministry-of-social-security")

    def dated(slug, year, body):
        make_report(slug, slug=slug, body=body, pub_year=year, pub_month=6)

    dated("old-name-then", 2018, "The Ministry of People's Security arrested traders.")
    dated("new-name-now", 2022, "The Ministry of Social Security arrested traders.")
    dated("new-name-before", 2015, "A Ministry of Social Security in Seoul paid pensions.")
    dated("old-name-after", 2023, "Traders still say Ministry of People's Security.")
    make_report("Undated", slug="undated", body="The Ministry of Social Security said so.")
    index_now()
    every = {"old-name-then", "new-name-now", "new-name-before", "old-name-after", "undated"}
    assert found(police.name) == every
    # The name typed is found in any year (a primary source may use it before the
    # vocabulary's date); the other names only in the years they were in use.
    typed_new = {"old-name-then", "new-name-now", "new-name-before", "undated"}
    assert found(police.name, at_the_time=True) == typed_new
    old_name = "Ministry of People's Security"
    assert found(old_name, at_the_time=True) == {
        "old-name-then",
        "old-name-after",
        "new-name-now",
        "undated",
    }
    html = page(client, "/search/?q=Ministry+of+Social+Security")
    toggle = links(html, "name-switches")["As named at the time"]
    response = client.get("/search/" + toggle)
    assert {r.slug for r in response.context["results"].reports} == typed_new
    explained = "Each other name searched in the years it was in use"
    assert explained in unescape(response.content.decode())


def test_name_dates_follow_the_reports_using_a_name_when_an_editor_applies_them(
    vocabularies, capsys
):
    from django.core.management import call_command

    from archive.models import AgencyAlias

    make_report(
        "Visit", slug="visit-2012", pub_year=2012, body="He visited the Ministry of State Security."
    )
    make_report(
        "Arrests", slug="arrests-2018", pub_year=2018, body="Bowibu agents arrested traders."
    )
    index_now()
    assert found("Bowibu", at_the_time=True) == {"arrests-2018"}  # the MSS counts from 2016
    call_command("name_dates")
    listed = capsys.readouterr().out
    assert "! Ministry of State Security (from 2016): used from 2012 (visit-2012)" in listed
    assert AgencyAlias.objects.filter(name="Ministry of State Security").count() == 0

    call_command("name_dates", apply=True, name=["Ministry of State Security"])
    alias = AgencyAlias.objects.get(name="Ministry of State Security")
    assert alias.used_from == 2012 and "visit-2012" in alias.note  # where the year came from
    assert found("Bowibu", at_the_time=True) == {"arrests-2018", "visit-2012"}


def test_a_person_page_gives_birth_and_posts_and_a_body_lists_its_holders(client, vocabularies):
    spy_chief = Person.objects.get(slug="kim-yong-chol-1946")
    bureau = Agency.objects.get(slug="reconnaissance-general-bureau")
    make_report("Talks", slug="talks", body="Kim Yong Chol led the talks.", people=[spy_chief])
    make_report("Spies", slug="spies", body="The bureau sent agents.", agencies=[bureau])
    index_now()
    html = page(client, "/people/kim-yong-chol-1946/")
    assert "Born circa 1947; alt. circa 1946" in html
    assert re.search(
        r'<a href="/agencies/reconnaissance-general-bureau/">Director of the '
        r'Reconnaissance General Bureau</a> <span class="years">2009–2016</span>',
        html,
    )
    # The United Front Department has no published report: named, not linked.
    assert "Director of the United Front Department" in html
    assert 'href="/agencies/united-front-department/"' not in html
    bureau_page = page(client, "/agencies/reconnaissance-general-bureau/")
    holder = '<a href="/people/kim-yong-chol-1946/">Kim Yong Chol</a>'
    assert f"Director of the Reconnaissance General Bureau: {holder}" in bureau_page
    # A holder only a draft names is not listed: their page does not exist.
    trader = Person.objects.get(slug="kim-yong-chol-1962")
    trader.positions.create(title="Agent of the Reconnaissance General Bureau", agency=bureau)
    make_report("Draft", slug="draft", status=Report.Status.DRAFT, people=[trader])
    index_now()
    assert "Agent of the Reconnaissance" not in page(client, bureau.get_absolute_url())
    make_report("Out", slug="out", people=[trader])
    index_now()
    assert "Agent of the Reconnaissance" in page(client, bureau.get_absolute_url())


def test_a_long_name_is_understood_whole_not_by_the_body_named_inside_it(vocabularies):
    names = vocabulary.current()
    for text in [
        "Central Committee of the Workers' Party of Korea",
        '"Presidium of the Political Bureau of the WPK Central Committee"',
    ]:
        expansion = names.expand(text)
        assert len(expansion.terms) == 1, text
        assert "Workers' Party of Korea" not in [t.name for t in expansion.terms]


def test_narrowing_by_a_term_says_how_many_more_reports_name_it_untagged(client, vocabularies):
    mss = Agency.objects.get(slug="ministry-of-state-security")
    make_report("Tagged", slug="tagged", body="Bowibu agents came.", agencies=[mss])
    make_report("Named", slug="named", body="The Ministry of State Security arrested him.")
    make_report("Other", slug="other", body="Rain fell.")
    index_now()
    html = page(client, "/search/?agency=ministry-of-state-security")
    assert "Showing the 1 tagged Ministry of State Security; 1 more report names it" in html
    link = re.search(r'<a href="([^"]+)">Show every report naming Ministry of State Security', html)
    everyone = client.get("/search/" + unescape(link.group(1)))
    assert {r.slug for r in everyone.context["results"].reports} == {"tagged", "named"}
    narrowed = page(client, "/search/?q=bowibu&agency=ministry-of-state-security")
    assert "1 more report names it without the tag" in narrowed
    term = page(client, "/agencies/ministry-of-state-security/")
    assert "1 more report names Ministry of State Security without being tagged with it" in term
    # Nothing to say when every report naming it is tagged.
    make_report("Named", slug="named-2", body="Bowibu again.", agencies=[mss])
    Report.objects.filter(slug="named").delete()
    index_now()
    assert "more report" not in page(client, "/search/?agency=ministry-of-state-security")
