"""The search layer: every measured trap of the stock haystack + Whoosh path."""

import datetime
import random

import pytest
from django.utils import timezone

from archive.models import Region, Report, Source
from archive.search.running import ArchiveQuery, result_count, search

from .conftest import index_now
from .factories import make_agency, make_region, make_report, make_topic

pytestmark = pytest.mark.django_db


def find(text="", **options) -> set[str]:
    return {r.headline for r in search(ArchiveQuery(text=text, **options)).reports}


def facet(results, name) -> dict[str, int]:
    return {v.value: v.count for v in results.facets[name]}


@pytest.fixture
def places(db):
    country = make_region("North Korea", Region.Kind.COUNTRY, slug="north-korea")
    ryanggang = make_region("Ryanggang", parent=country, slug="ryanggang")
    hamgyong = make_region("North Hamgyong", parent=country, slug="north-hamgyong")
    return {
        "country": country,
        "ryanggang": ryanggang,
        "hyesan": make_region("Hyesan", Region.Kind.CITY, parent=ryanggang, slug="hyesan"),
        "samsu": make_region("Samsu County", Region.Kind.COUNTY, parent=ryanggang, slug="samsu"),
        "hamgyong": hamgyong,
        "hoeryong": make_region("Hoeryong", Region.Kind.CITY, parent=hamgyong, slug="hoeryong"),
    }


def test_words_phrases_operators_and_prefixes():
    make_report("Smugglers fined", body="Border smugglers were fined in Hyesan.")
    make_report("Phones seized", body="Chinese mobile phones were seized at the border.")
    make_report("Market news", body="Rice prices rose at the market.")
    index_now()
    assert find("smugglers") == {"Smugglers fined"}
    assert find("smuggler") == {"Smugglers fined"}  # stemmed words still match
    assert find('"mobile phones"') == {"Phones seized"}
    assert find('"phones mobile"') == set()
    assert find("border AND phones") == {"Phones seized"}
    assert find("rice OR smugglers") == {"Market news", "Smugglers fined"}
    assert find("border NOT phones") == {"Smugglers fined"}
    assert find("smug*") == {"Smugglers fined"}


def test_facet_values_are_exact_slugs_with_labels_from_the_database():
    unit = make_agency("No. 8 Inspection Unit", slug="no-8-inspection-unit")
    science = make_topic("Science", slug="science")
    politics = make_topic("Politics", slug="politics")
    reuters = Source.objects.create(name="Reuters, Inc.", slug="reuters-inc")
    make_report(
        "One",
        topics=[science, politics],
        agencies=[unit],
        source=reuters,
        pub_year=2024,
        pub_month=4,
    )
    index_now()
    results = search(ArchiveQuery())
    assert facet(results, "topic") == {"science": 1, "politics": 1}  # not "scienc", "polit"
    assert [(v.value, v.label) for v in results.facets["source"]] == [
        ("reuters-inc", "Reuters, Inc.")
    ]
    assert facet(results, "month") == {"2024-04": 1}
    assert [v.label for v in results.facets["agency"]] == ["No. 8 Inspection Unit"]
    for name, value in [
        ("source", "reuters-inc"),
        ("month", "2024-04"),
        ("topic", "science"),
        ("agency", "no-8-inspection-unit"),
    ]:
        assert find(filters={name: (value,)}) == {"One"}


def test_or_within_a_facet_and_across_facets(places):
    mss = make_agency("Ministry of State Security", slug="mss")
    police = make_agency("Ministry of Social Security", slug="police")
    make_report("A", regions=[places["hyesan"]], agencies=[mss])
    make_report("B", regions=[places["hoeryong"]], agencies=[police])
    make_report("C", regions=[places["samsu"]], agencies=[police])
    index_now()
    assert find(filters={"region": ("hyesan", "hoeryong")}) == {"A", "B"}
    assert find(filters={"region": ("hyesan",), "agency": ("police",)}) == set()
    assert find(filters={"region": ("ryanggang",), "agency": ("police",)}) == {"C"}
    empty = search(ArchiveQuery(filters={"region": ("hyesan",), "agency": ("police",)}))
    assert empty.total == 0 and empty.reports == []
    assert find(filters={"region": ("no-such-place",)}) == set()


def test_region_counts_and_filters_include_places_inside(places):
    make_report("In Hyesan", regions=[places["hyesan"]])
    make_report("In Samsu", regions=[places["samsu"]])
    make_report("In Hyesan and Samsu", regions=[places["hyesan"], places["samsu"]])
    make_report("In Hoeryong", regions=[places["hoeryong"]])
    index_now()
    counts = facet(search(ArchiveQuery()), "region")
    assert counts["ryanggang"] == 3  # each report once, however many counties it names
    assert counts["north-korea"] == 4
    assert counts["hyesan"] == 2
    assert find(filters={"region": ("ryanggang",)}) == {
        "In Hyesan",
        "In Samsu",
        "In Hyesan and Samsu",
    }
    tree = {v.value: v.parent for v in search(ArchiveQuery()).facets["region"]}
    assert tree["hyesan"] == "ryanggang" and tree["ryanggang"] == "north-korea"


def test_places_of_one_name_and_count_come_in_the_same_order_every_time():
    # North Korea has two Unsan Counties (and more such pairs): tied on name and count,
    # they are listed by slug, not in whatever order a process's hashing gives.
    counties = [
        make_region("Unsan County", Region.Kind.COUNTY, slug=f"unsan-{c}") for c in "fbdaec"
    ]
    for county in counties:
        make_report("Unsan", regions=[county])
    index_now()
    values = [v.value for v in search(ArchiveQuery()).facets["region"]]
    assert values == [f"unsan-{c}" for c in "abcdef"]


def test_facet_counts_equal_counts_done_in_the_database(places):
    rng = random.Random(7)
    agencies = [make_agency(f"Agency {i}", slug=f"agency-{i}") for i in range(4)]
    topics = [make_topic(f"Topic {i}", slug=f"topic-{i}") for i in range(3)]
    leaves = [places[k] for k in ("hyesan", "samsu", "hoeryong")]
    statuses = [Report.Status.PUBLISHED] * 4 + [Report.Status.DRAFT]
    for i in range(60):
        make_report(
            f"Report {i}",
            body=f"Report {i} about {'border' if i % 3 else 'market'} matters.",
            status=rng.choice(statuses),
            regions=rng.sample(leaves, rng.randint(0, 2)),
            agencies=rng.sample(agencies, rng.randint(0, 2)),
            topics=rng.sample(topics, rng.randint(0, 2)),
        )
    index_now()
    published = Report.objects.published()
    for text, region in [("", None), ("border", None), ("", "ryanggang"), ("market", "hyesan")]:
        filters = {"region": (region,)} if region else {}
        results = search(ArchiveQuery(text=text, filters=filters))
        base = published.filter(body__contains=text) if text else published
        if region:
            base = base.tagged_with(Region.objects.get(slug=region))
        assert results.total == base.count()
        for agency in agencies:
            expected = base.filter(agencies=agency).count()
            assert facet(results, "agency").get(agency.slug, 0) == expected
        for topic in topics:
            assert facet(results, "topic").get(topic.slug, 0) == base.filter(topics=topic).count()
    # A count alone (what a narrowed search says of untagged reports) is the same number.
    for text, region in [("border", None), ("", "ryanggang"), ("market", "hyesan"), ("nil", None)]:
        query = ArchiveQuery(text=text, filters={"region": (region,)} if region else {})
        assert result_count(query) == search(query).total


def test_selecting_a_value_keeps_the_other_values_of_that_facet_countable(places):
    make_report("A", regions=[places["hyesan"]])
    make_report("B", regions=[places["hoeryong"]])
    index_now()
    results = search(ArchiveQuery(filters={"region": ("hyesan",)}))
    assert results.total == 1
    counts = facet(results, "region")
    assert counts["hoeryong"] == 1  # still offered, to add with OR
    assert [v.value for v in results.facets["region"] if v.selected] == ["hyesan"]


def test_spelling_suggestion_also_when_nothing_matches():
    make_report("Security agents quit", body="Security agents are leaving the market.")
    index_now()
    # A word two letters off: the suggestion is offered, not shown.
    results = search(ArchiveQuery(text="secrity agnets marrkett"))
    assert (results.total, results.corrected_from) == (0, None)
    assert results.suggestion == "security agents market"
    assert search(ArchiveQuery(text="security")).suggestion is None


def test_a_clearly_right_correction_shows_its_results_and_keeps_what_was_typed():
    make_report("Security agents quit", body="Security agents are leaving their posts.")
    index_now()
    results = search(ArchiveQuery(text="Secruity agennts"))  # one letter off, each
    assert results.corrected_from == "Secruity agennts"
    assert results.query.text == "Secruity agennts"
    assert [r.headline for r in results.reports] == ["Security agents quit"]
    # As the reader wrote it: the capital kept.
    assert search(ArchiveQuery(text="Secrurityy")).suggestion == "Security"


def test_unpublished_reports_never_show_in_results_facets_or_suggestions():
    secret = make_topic("Secret topic", slug="secret-topic")
    make_report("Public", body="Ordinary words.")
    for status in (Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.WITHDRAWN):
        make_report("Hidden", body="Zorblaxian matters.", status=status, topics=[secret])
    make_report(
        "Scheduled",
        body="Zorblaxian schedule.",
        topics=[secret],
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    index_now()
    assert find("zorblaxian") == set()
    results = search(ArchiveQuery())
    assert results.total == 1
    assert "secret-topic" not in facet(results, "topic")
    assert search(ArchiveQuery(text="zorblaxia")).suggestion is None


def test_withdrawing_or_deleting_removes_the_entry():
    kept = make_report("Kept", body="Common word.")
    withdrawn = make_report("Withdrawn", body="Common word.")
    deleted = make_report("Deleted", body="Common word.")
    index_now()
    assert find("common") == {"Kept", "Withdrawn", "Deleted"}
    Report.objects.filter(pk=withdrawn.pk).update(status=Report.Status.WITHDRAWN)
    deleted.delete()
    index_now()
    assert find("common") == {"Kept"}
    assert kept.pk in {r.pk for r in search(ArchiveQuery(text="common")).reports}


def test_sorting_and_paging_with_unknown_dates_last():
    for year in (2019, 2021, 2020):
        make_report(f"Year {year}", body="Same words.", pub_year=year)
    make_report("Undated", body="Same words.")
    index_now()

    def order(sort, **options):
        return [r.headline for r in search(ArchiveQuery(sort=sort, **options)).reports]

    assert order("newest") == ["Year 2021", "Year 2020", "Year 2019", "Undated"]
    assert order("oldest") == ["Year 2019", "Year 2020", "Year 2021", "Undated"]
    assert order("newest", text="same") == ["Year 2021", "Year 2020", "Year 2019", "Undated"]
    assert order("newest", per_page=2, page=2) == ["Year 2019", "Undated"]
    results = search(ArchiveQuery(per_page=3))
    assert results.total == 4 and results.num_pages == 2
    assert results.histogram == [("2019", 1), ("2020", 1), ("2021", 1)]


def test_date_range_filter():
    make_report("Early", pub_year=2019, pub_month=3, pub_day=1)
    make_report("Late", pub_year=2024, pub_month=4, pub_day=19)
    make_report("Undated")
    index_now()
    assert find(date_from=datetime.date(2020, 1, 1)) == {"Late"}
    assert find(date_to=datetime.date(2019, 12, 31)) == {"Early"}
    window = {"date_from": datetime.date(2019, 3, 1), "date_to": datetime.date(2024, 4, 19)}
    assert find(**window) == {"Early", "Late"}


def test_snippets_highlight_matches_and_escape_the_text():
    make_report("Phones", body="Officials said 2 < 3 & used confiscated phones.")
    index_now()
    results = search(ArchiveQuery(text="phones"))
    (report,) = results.reports
    assert "<mark>phones</mark>" in results.snippets[report.pk]
    assert "2 &lt; 3 &amp; used" in results.snippets[report.pk]


def test_bad_queries_are_refused_clearly_or_searched_as_words():
    make_report("Odd", body="Odd words here.")
    index_now()
    assert find('odd AND (words OR "') == {"Odd"} or find('odd AND (words OR "') == set()
    for bad in [{"filters": {"colour": ("red",)}}, {"sort": "random"}, {"page": 0}]:
        with pytest.raises(ValueError):
            ArchiveQuery(**bad)
    with pytest.raises(ValueError, match="longer than"):
        ArchiveQuery(text="x" * 501)


def test_stock_haystack_queries_still_work_on_the_same_index(places):
    from haystack.query import SearchQuerySet

    make_report("In Hyesan", body="Border news.", regions=[places["hyesan"]])
    index_now()
    assert SearchQuerySet().filter(content="border").count() == 1
    assert SearchQuerySet().narrow('regions:"ryanggang"').count() == 1


def test_relevance_order_is_whooshs_own_bm25f(search_index):
    from whoosh.scoring import BM25F

    bodies = [
        "border " * 5 + "filler " * 5,
        "border filler " + "filler " * 40,
        "border border border",
        "market border " + "word " * 100,
    ]
    for i, body in enumerate(bodies):
        make_report(f"R{i}", body=body)
    index_now()
    ours = [r.headline for r in search(ArchiveQuery(text="border")).reports]
    with search_index.index.searcher(weighting=BM25F()) as searcher:
        stock = [
            searcher.stored_fields(hit.docnum)["django_id"]
            for hit in searcher.search(search_index.parse("border"), limit=None)
        ]
    by_id = {str(r.pk): r.headline for r in Report.objects.all()}
    assert ours == [by_id[pk] for pk in stock]


def test_ranking_agrees_with_whooshs_own_search_across_segments_and_deletions(search_index):
    from whoosh.scoring import BM25F

    rng = random.Random(3)
    words = ["border", "guard", "market", "phone", "rice", "border border"]
    reports = [
        make_report(f"R{i}", body=" ".join(rng.choices(words, k=rng.randint(3, 40))))
        for i in range(60)
    ]
    index_now()
    for report in reports[:10]:  # deletions in the first segment
        report.delete()
    for i in range(20):  # and a second segment
        make_report(f"S{i}", body=" ".join(rng.choices(words, k=rng.randint(3, 40))))
    index_now()
    generation = search_index.generation()
    reader = generation.searcher.reader()
    assert len(reader.leaf_readers()) > 1 or reader.has_deletions()
    ours = search(ArchiveQuery(text="border", per_page=100))
    with search_index.index.searcher(weighting=BM25F()) as searcher:
        hits = searcher.search(search_index.parse("border"), limit=None)
        stock = [int(hit["django_id"]) for hit in hits]
    assert [r.pk for r in ours.reports] == stock
    assert ours.total == len(stock) > 20


def test_cross_counts_agree_with_the_facet_counts():
    places = {name: make_region(name, slug=name.lower()) for name in ("Hyesan", "Musan")}
    army, police = make_agency("Army", slug="army"), make_agency("Police", slug="police")
    make_report("A", body="Rice.", regions=[places["Hyesan"]], agencies=[army, police])
    make_report("B", body="Rice.", regions=[places["Hyesan"], places["Musan"]], agencies=[army])
    make_report("C", body="Rice.", regions=[places["Musan"]], agencies=[], pub_year=2020)
    make_report("D", body="Wheat.", regions=[places["Musan"]], agencies=[police])
    index_now()
    results = search(ArchiveQuery(text="rice"), cross=(("region", "agency"), ("region", "year")))
    grid = results.cross[("region", "agency")]
    assert grid == {
        ("hyesan", "army"): 2,
        ("hyesan", "police"): 1,
        ("musan", "army"): 1,
        ("musan", ""): 1,  # C names no agency
    }
    # "" counts the reports of a row with no year: the undated.
    assert results.cross[("region", "year")] == {
        ("musan", "2020"): 1,
        ("hyesan", ""): 2,
        ("musan", ""): 1,
    }
    # Each row's agencies never exceed the row's own count.
    regions = {v.value: v.count for v in results.facets["region"]}
    assert all(count <= regions[row] for (row, _), count in grid.items())


def test_cross_counts_leave_out_their_own_facets_selection_like_facet_counts():
    hyesan, musan = make_region("Hyesan", slug="hyesan"), make_region("Musan", slug="musan")
    army = make_agency("Army", slug="army")
    make_report("A", body="Rice.", regions=[hyesan], agencies=[army])
    make_report("B", body="Rice.", regions=[musan], agencies=[army])
    index_now()
    query = ArchiveQuery(text="rice", filters={"region": ("hyesan",)})
    results = search(query, cross=(("region", "agency"),), own=("region",))
    # The cell for Musan is the total of the search narrowed to Musan and the army.
    assert results.cross[("region", "agency")] == {("hyesan", "army"): 1, ("musan", "army"): 1}
    assert results.own["region"] == {"hyesan": 1, "musan": 1}
