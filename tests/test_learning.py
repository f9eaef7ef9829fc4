"""The learned taggers: thresholds, determinism, the model file and its measurement."""

import hashlib
import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from archive.editing import evaluation, learning, taggers
from archive.names.vocabulary import current

SAMPLE = Path(__file__).parent / "data" / "tagged_sample.jsonl"


def small_sample(tmp_path, per_split=25) -> Path:
    """The first reports of each split of the labelled sample, as a file of their own."""
    kept, counts = [], {}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        split = json.loads(line)["split"]
        if counts.get(split, 0) < per_split:
            counts[split] = counts.get(split, 0) + 1
            kept.append(line)
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_the_sample_is_split_by_id_and_tagged_with_known_terms(vocabularies):
    entries = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert len(entries) >= 600
    assert {e["split"] for e in entries} == {"train", "test", "holdout"}
    assert all(e["notes"].strip() for e in entries)
    # The split is the id's: adding reports never moves one to another half.
    for e in entries:
        if e["stratum"] != "first-60":
            bucket = int(hashlib.sha1(e["id"].encode()).hexdigest(), 16) % 10
            assert e["split"] == ("train" if bucket < 5 else "test" if bucket < 8 else "holdout")
    known = {(facet, entry.slug) for (facet, _), entry in current().entries.items()}
    fields = {"regions": "region", "agencies": "agency", "people": "person", "topics": "topic"}
    unknown = [
        (e["id"], slug)
        for e in entries
        for field, facet in fields.items()
        for slug in e[field]
        if (facet, slug) not in known
    ]
    assert unknown == []


@pytest.mark.parametrize(
    "probabilities, labels, threshold",
    [
        ([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 1], 0.8),  # below 0.8 precision falls to 3/4
        ([0.9, 0.8, 0.7, 0.6], [1, 1, 1, 1], 0.6),
        ([0.9, 0.8], [0, 1], 1.01),  # no threshold reaches the target: nothing applies
        ([0.9, 0.9, 0.5], [1, 0, 1], 1.01),  # tied probabilities stand or fall together
    ],
)
def test_a_threshold_is_the_lowest_at_which_what_is_above_reaches_the_target(
    probabilities, labels, threshold
):
    assert learning.threshold_for(probabilities, labels, 0.95, floor=0) == threshold


def test_a_precision_measured_on_few_reports_sets_no_threshold_until_it_is_sure():
    # 19 right of 20 is 0.95, but could well be 0.8: nothing is applied on it.
    few = [1.0 - i / 100 for i in range(20)], [1] * 9 + [0] + [1] * 10
    assert learning.threshold_for(*few, 0.95) == 1.01
    # 60 right of 60 is surely above 0.85: the threshold is the lowest of them.
    many = [1.0 - i / 100 for i in range(60)], [1] * 60
    assert learning.threshold_for(*many, 0.95) == pytest.approx(0.41)
    assert learning.lower_bound(60, 60) > learning.FLOOR > learning.lower_bound(19, 20)


def test_the_same_data_gives_the_same_model_and_no_tag_below_its_threshold(vocabularies):
    names = current()
    agree = evaluation.agreement(names)
    cases = evaluation.sample_cases(SAMPLE, ("train",))[:80]
    rows, labels, owners = learning.rows_of(cases, names, agree)
    first = learning.AboutModel(1.0).fit(rows, labels).probabilities(rows)
    second = learning.AboutModel(1.0).fit(rows, labels).probabilities(rows)
    assert np.array_equal(first, second)

    model = learning.AboutModel(1.0).fit(rows, labels)
    model.thresholds = {kind: float(np.median(first)) for kind in learning.NAME_KINDS}
    applied = learning.applied_tags(cases, names, model, None)
    probability = {(owner, row.key): p for row, p, owner in zip(rows, first, owners, strict=True)}
    for owner, tags in enumerate(applied):
        for key in tags:
            assert probability[(owner, key)] >= model.thresholds[key[0]]
    below = [k for k, p in probability.items() if p < model.thresholds[k[1][0]]]
    assert below and not any(key in applied[owner] for owner, key in below)


def test_train_taggers_writes_a_model_for_this_vocabulary_and_measures_it(
    vocabularies, tmp_path, capsys
):
    output = tmp_path / "taggers.joblib"
    call_command(
        "train_taggers", sample=str(small_sample(tmp_path)), output=str(output), evaluate=True
    )
    model = joblib.load(output)
    assert model["vocabulary"] == taggers.fingerprint(current())
    assert model["trained_on"] == {"sample": 25, "decided": 0}
    assert set(model["about"].thresholds) == set(learning.NAME_KINDS)
    printed = capsys.readouterr().out
    assert "test: 25 reports" in printed and "holdout: 25 reports" in printed
    for kind in ("region", "agency", "person", "topic"):
        assert f"\n{kind}" in printed
    assert "by rule" in printed and "\nplace " in printed


@pytest.fixture
def trained(vocabularies, tmp_path, settings):
    """Taggers trained on a small part of the sample, in use."""
    settings.ARCHIVE_TAGGER_MODEL = tmp_path / "taggers.joblib"
    call_command(
        "train_taggers",
        sample=str(small_sample(tmp_path, per_split=60)),
        output=str(settings.ARCHIVE_TAGGER_MODEL),
    )
    return joblib.load(settings.ARCHIVE_TAGGER_MODEL)


KIM_VISITS = (
    "Kim Jong Un Inspects Farm in Ryanggang Province\n"
    "Kim Jong Un inspected a potato farm in Taehongdan County, Ryanggang Province.\n"
    "He was accompanied by Jo Yong Won. Kim Jong Un praised the farmers, and said the "
    "Workers' Party of Korea would help the county. Kim Jong Un visited the fields."
)


def test_with_taggers_a_finding_is_applied_only_above_its_threshold(trained):
    from archive.editing.findings import findings

    names = current()
    decided = taggers.decisions(KIM_VISITS, names)
    assert decided and all(probability is not None for _, _, probability in decided)
    about, topics = trained["about"], trained["topics"]
    for finding, decision, probability in decided:
        kind = finding.entry.facet
        threshold = (
            topics.thresholds[finding.entry.slug] if kind == "topic" else about.thresholds[kind]
        )
        assert (decision == "automatic") == (probability >= threshold)
        assert probability >= taggers.SUGGEST_FLOOR
    # The rules alone would have asked about Kim Jong Un; the model decides.
    assert any(f.entry.slug == "kim-jong-un" for f in findings(KIM_VISITS, names))
    assert "kim-jong-un" in {f.entry.slug for f, _, _ in decided}


def test_without_a_fitting_model_tagging_falls_back_on_the_rules_and_staff_see_why(
    trained, settings, admin_client, client
):
    from archive.models import Region

    assert taggers.loaded(current())[1] == "ok"
    assert json.loads(admin_client.get("/health/").content)["taggers"] == "ok"
    assert "taggers" not in json.loads(client.get("/health/").content)
    assert "The learned taggers decide" in admin_client.get("/admin/").content.decode()
    # A vocabulary changed since training: the model's terms no longer match.
    Region.objects.create(name="Nowhere County", slug="nowhere-county", kind="county")
    model, reason = taggers.loaded(current())
    assert model is None and "another vocabulary" in reason
    decided = taggers.decisions(KIM_VISITS, current())
    assert decided and all(probability is None for _, _, probability in decided)
    assert json.loads(admin_client.get("/health/").content)["taggers"] == reason
    desk = admin_client.get("/admin/").content.decode()
    assert "The rules alone decide" in desk and "another vocabulary" in desk
    # A corrupt file: imports and saves still work, by the rules.
    settings.ARCHIVE_TAGGER_MODEL.write_bytes(b"not a model")
    model, reason = taggers.loaded(current())
    assert model is None and "cannot be read" in reason
    assert all(p is None for _, _, p in taggers.decisions(KIM_VISITS, current()))


def test_a_country_named_by_its_people_or_in_passing_is_weighed_by_the_model_only(
    vocabularies,
):
    from archive.editing.findings import findings

    names = current()
    text = (
        "Russian Paper Praises Songun Politics\n"
        "The Russian paper Patriot carried an article.\n"
        "It said south Korean warmongers and their masters stood condemned, as did a "
        "Foundation of China."
    )
    rows = {row.key: row for row in learning.candidates(text, names)}
    assert rows[("region", "russia")].features["in_headline"] == 1.0
    assert rows[("region", "russia")].features["how=demonym"] == 1.0
    assert ("region", "south-korea") in rows and ("region", "china") in rows
    # The rules suggest the country in the headline, never one named once in passing.
    by_rules = {f.entry.slug: f.rule for f in findings(text, names, {"region"})}
    assert by_rules == {"russia": "country"}
    assert rows[("region", "china")].finding.rule == "passing"


def test_the_curve_starts_from_the_rules_and_trains_on_the_decisions_alone(vocabularies):
    from archive.editing import simulation

    names = current()
    agree = evaluation.agreement(names)
    training = evaluation.sample_cases(SAMPLE, ("train",))[:120]
    test = evaluation.sample_cases(SAMPLE, ("test",))[:40]
    points = simulation.curve(training, test, names, agree, steps=(0, 20, 200))
    assert [decided for decided, _ in points] == [0, 20, 200]
    rules = evaluation.evaluate(test, kinds=learning.NAME_KINDS, near=True, automatic=True)
    assert points[0][1]["region"][0] == rules.by_facet["region"].suggested
    # Twenty decisions are too few to measure a threshold on: nothing is applied.
    assert all(applied == 0 for applied, _, _ in points[1][1].values())
    assert sum(applied for applied, _, _ in points[2][1].values()) > 0
    audited = simulation.curve(training, test, names, agree, steps=(0, 200), order="audited")
    assert [decided for decided, _ in audited] == [0, 200]


def test_the_about_page_gives_the_taggers_figures_measured_on_reports_they_never_saw(
    trained, client
):
    measured = trained["measured"]
    assert measured["reports"] == 60 and set(measured["kinds"]) == {*learning.NAME_KINDS, "topic"}
    html = client.get("/about/").content.decode()
    assert "On 60 more reports tagged by hand and never trained on" in html
    applied, _, recall = measured["kinds"]["person"]
    assert f"<th>Person</th><td>{applied}</td>" in html
    assert f"{round(recall * 100)}%</td></tr>" in html


def test_a_finding_is_described_by_where_and_how_it_is_named_and_the_words_around_it(
    vocabularies,
):
    rows = {row.key: row.features for row in learning.candidates(KIM_VISITS, current())}
    kim, county = rows[("person", "kim-jong-un")], rows[("region", "taehongdan-county")]
    assert kim["in_headline"] == 1.0 and kim["thrice"] == 1.0
    assert kim["after:inspected"] >= 1 and kim["just_after:visited"] == 1.0
    assert kim["term=person:kim-jong-un"] == 1.0 and kim["rule=person"] == 1.0
    assert county["just_before:farm_in"] == 1.0 and county["in_headline"] == 0.0
    # Ryanggang is named, and a place inside it too: a sign the report is about it.
    assert rows[("region", "ryanggang")]["place_inside_named"] == 1.0
    assert "place_inside_named" in county and county["place_inside_named"] == 0.0


def test_coverage_is_the_share_of_published_reports_carrying_each_kind(vocabularies, capsys):
    from archive.models import Region, Report

    from .factories import make_report

    make_report("One", regions=[Region.objects.get(slug="hyesan")])
    make_report("Two")
    make_report("Draft", status=Report.Status.DRAFT, regions=[Region.objects.get(slug="hyesan")])
    call_command("suggest_tags", coverage=True)
    printed = capsys.readouterr().out
    assert "2 published reports" in printed and "region             50.0%" in printed
    assert "topic               0.0%" in printed


def test_only_published_reports_decisions_train_the_taggers(vocabularies):
    from archive.editing import tagging
    from archive.management.commands.train_taggers import decided_cases
    from archive.models import Report, TagSuggestion

    from .factories import make_report

    draft = make_report(
        "Arrests in North Hamgyong", body="Police in Hyesan.", status=Report.Status.DRAFT
    )
    tagging.suggest(draft)
    tagging.decide_many(draft.tag_suggestions.all(), TagSuggestion.Decision.ACCEPTED)
    assert decided_cases() == []  # an editor decided, but nobody may read it yet
    draft.publish(timezone.now())
    draft.save()
    (case,) = decided_cases()
    assert case.slug == draft.slug and ("region", "hyesan") in case.truth


def test_thresholds_are_measured_only_on_the_rows_asked_for():
    # One feature says yes; the sample (even rows) agrees with it, the decisions (odd
    # rows) were taken hardest first and mostly contradict it.
    rows, labels = [], []
    for i in range(200):
        says = i % 4 < 2
        rows.append(learning.Candidate(("region", "x"), None, {"says": float(says)}))
        labels.append(says if i % 2 == 0 else (says and i % 8 == 1))
    sample = set(range(0, 200, 2))
    _, on_sample = learning.choose_c(rows, labels, measured_on=sample)
    _, on_everything = learning.choose_c(rows, labels)
    assert on_sample["region"] < 1.01  # the sample alone shows the feature is right
    assert on_everything["region"] == 1.01  # mixed with the decisions, nothing is sure
