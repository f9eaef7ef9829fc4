"""Retagging the archive after training (``manage.py retag``), and undoing it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from archive.editing import retagging, taggers, tagging
from archive.models import Region, Report, Retagging, TagSuggestion

from .factories import make_report

pytestmark = pytest.mark.django_db

Decision = TagSuggestion.Decision


def regions(report) -> set[str]:
    return {r.slug for r in Report.objects.get(pk=report.pk).regions.all()}


def suggestion(report, slug) -> TagSuggestion:
    return report.tag_suggestions.get(term_id=Region.objects.get(slug=slug).pk)


def test_retag_tags_what_nobody_decided_and_undo_takes_it_back_keeping_editors_decisions(
    vocabularies, capsys
):
    report = make_report("Arrests in North Hamgyong", body="Police were busy.\n\nHyesan was quiet.")
    other = make_report("Floods in Kangwon", body="Rain fell.", status=Report.Status.DRAFT)
    call_command("retag", status="published")
    assert "1 tag(s) applied" in capsys.readouterr().out
    assert regions(report) == {"north-hamgyong"} and regions(other) == set()
    assert suggestion(report, "hyesan").decision == Decision.PENDING
    # An editor decides on one of the run's suggestions before the run is undone.
    tagging.decide_many(
        TagSuggestion.objects.filter(pk=suggestion(report, "hyesan").pk), Decision.ACCEPTED
    )

    call_command("retag", undo=True)
    assert "1 tag(s) it applied taken off" in capsys.readouterr().out
    assert regions(report) == {"hyesan"}  # the editor's accepted tag stays
    assert list(report.tag_suggestions.values_list("decision", flat=True)) == [Decision.ACCEPTED]
    assert Retagging.objects.get().undone is not None
    with pytest.raises(CommandError, match="No retagging to undo"):
        call_command("retag", undo=True)


def fake_taggers(monkeypatch, say: dict[str, tuple[str, float]]):
    """Taggers that decide each named place as ``say`` does (slug -> decision,
    probability), and leave out the rest."""
    real = taggers.decisions_of_many

    def decide(texts, names):
        decided = []
        for made in real(texts, names):
            decided.append([(f, *say[f.entry.slug]) for f, _, _ in made if f.entry.slug in say])
        return decided

    monkeypatch.setattr(taggers, "decisions_of_many", decide)


def test_retag_raises_withdraws_and_undo_restores_each_as_it_was(vocabularies, monkeypatch):
    report = make_report(
        "Arrests in North Hamgyong",
        body="Police were busy.\n\nChongjin, Hyesan and Kangwon were quiet.",
    )
    tagging.suggest(report)  # by the rules: the places in the headline are applied
    before = {s.term.slug: (s.decision, s.probability) for s in report.tag_suggestions.all()}
    assert before["north-hamgyong"] == (Decision.AUTOMATIC, None)
    assert before["chongjin"][0] == Decision.PENDING
    tagging.decide_many(
        TagSuggestion.objects.filter(pk=suggestion(report, "kangwon").pk), Decision.REJECTED
    )
    tagged_before = regions(report)

    fake_taggers(
        monkeypatch,
        {
            "chongjin": (Decision.AUTOMATIC, 0.97),  # waiting, now sure: applied
            "north-hamgyong": (Decision.PENDING, 0.4),  # applied, no longer backed: waits
            "kangwon": (Decision.AUTOMATIC, 0.99),  # an editor rejected it: untouched
        },
    )
    run = retagging.run(Report.objects.all())
    assert (run.applied, run.withdrawn) == (1, 1)  # Hyesan, unbacked, was waiting: it waits
    after = {s.term.slug: (s.decision, s.probability) for s in report.tag_suggestions.all()}
    assert after["chongjin"] == (Decision.AUTOMATIC, 0.97)
    assert after["north-hamgyong"] == (Decision.PENDING, 0.4)
    assert after["kangwon"] == (Decision.REJECTED, None)
    assert "chongjin" in regions(report) and "north-hamgyong" not in regions(report)

    retagging.undo(run)
    restored = {s.term.slug: (s.decision, s.probability) for s in report.tag_suggestions.all()}
    assert restored == {**before, "kangwon": (Decision.REJECTED, None)}
    assert regions(report) == tagged_before


def test_only_the_latest_retagging_can_be_undone(vocabularies):
    make_report("Arrests in North Hamgyong", body="Police were busy.")
    first = retagging.run(Report.objects.all())
    retagging.run(Report.objects.all())
    with pytest.raises(ValueError, match="Only the latest retagging"):
        retagging.undo(first)
