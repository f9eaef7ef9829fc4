"""Measuring tags against tags chosen by hand: the reports' own, a file of hand tags,
or the labelled sample (``tests/data/tagged_sample.jsonl``, see its TAGGING.md) by
split. Places may be scored "one level off in the tree" as agreeing (a county for its
province, or the reverse), as an editor browsing by place would not mind."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from ..facets import TERMS
from ..names.vocabulary import current
from .findings import RULES, findings, report_text, scanned_text
from .tagging import SUGGESTED, tags_of


@dataclass
class Case:
    """A text and the tags an editor chose for it by hand: (facet, term slug) pairs."""

    slug: str
    text: str
    truth: set[tuple[str, str]]


@dataclass
class Evaluation:
    """How the suggestions compare with tags editors chose by hand."""

    suggested: int
    correct: int  # suggestions that agree with a hand tag
    tagged: int
    misses: list[tuple[str, str]]  # (report slug, term slug) tagged but not suggested
    extras: list[tuple[str, str, str]]  # (report slug, term slug, evidence) suggested wrongly
    by_facet: dict[str, "Evaluation"] = field(default_factory=dict)
    by_rule: dict[str, "Evaluation"] = field(default_factory=dict)  # no misses or tagged
    found: int | None = None  # hand tags some suggestion agrees with (None: ``correct``)

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        found = self.correct if self.found is None else self.found
        return found / self.tagged if self.tagged else 1.0


def cases_of(reports) -> list[Case]:
    """Reports as cases, their present tags as the truth."""
    names = current()
    return [
        Case(
            report.slug,
            report_text(report),
            {(facet, names.entries[(facet, pk)].slug) for facet, pk in tags_of(report)},
        )
        for report in reports
    ]


def evaluate(cases, kinds=None, near: bool = False, automatic: bool = False) -> Evaluation:
    """Suggest for each case as if it were untagged, and compare with its hand tags:
    in all, by vocabulary (``by_facet``) and by rule (``by_rule``).

    ``kinds``: the facets measured (default: every suggested one); ``near``: a place
    one level off in the tree agrees; ``automatic``: only what would be applied
    without an editor."""
    names = current()
    agree = agreement(names) if near else (lambda key, keys: key in keys)
    kinds = set(kinds or (f.name for f in SUGGESTED))
    by_facet = {kind: Evaluation(0, 0, 0, [], [], found=0) for kind in sorted(kinds)}
    by_rule = {rule: Evaluation(0, 0, 0, [], []) for rule in RULES}
    for case in cases:
        found = {
            (f.entry.facet, f.entry.slug): f
            for f in findings(case.text, names, kinds)
            if f.automatic or not automatic
        }
        truth = {(facet, slug) for facet, slug in case.truth if facet in kinds}
        for key, finding in found.items():
            right = agree(key, truth)
            for tally in (by_facet[key[0]], by_rule[finding.rule]):
                tally.suggested += 1
                tally.correct += right
                if not right:
                    tally.extras.append((case.slug, key[1], finding.evidence))
        for key in sorted(truth):
            by_facet[key[0]].tagged += 1
            if agree(key, set(found)):
                by_facet[key[0]].found += 1
            else:
                by_facet[key[0]].misses.append((case.slug, key[1]))
    parts = list(by_facet.values())
    return Evaluation(
        sum(t.suggested for t in parts),
        sum(t.correct for t in parts),
        sum(t.tagged for t in parts),
        [m for t in parts for m in t.misses],
        [e for t in parts for e in t.extras],
        by_facet=by_facet,
        by_rule={rule: tally for rule, tally in by_rule.items() if tally.suggested},
        found=sum(t.found for t in parts),
    )


def agreement(names):
    """Whether a (facet, slug) agrees with one of a set: the same term, or for places
    its parent or a child of it."""
    parent = {
        entry.slug: names.entries[("region", entry.parent_id)].slug
        for (facet, _), entry in names.entries.items()
        if facet == "region" and ("region", entry.parent_id) in names.entries
    }

    def agree(key, keys) -> bool:
        if key in keys:
            return True
        facet, slug = key
        if facet != "region":
            return False
        return ("region", parent.get(slug)) in keys or any(
            f == "region" and parent.get(other) == slug for f, other in keys
        )

    return agree


SAMPLE = settings.BASE_DIR / "tests" / "data" / "tagged_sample.jsonl"


def sample_cases(path=SAMPLE, splits=("test",)) -> list[Case]:
    """The labelled sample's reports of these splits, as the importer would scan them."""
    cases = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["split"] not in splits:
                continue
            truth = {
                (facet.name, slug)
                for facet in TERMS
                if facet.many
                for slug in entry.get(facet.report_field, [])
            }
            cases.append(Case(entry["id"], _scanned(entry), truth))
    return cases


def _scanned(entry: dict) -> str:
    if entry["source"] != "kcna":
        return scanned_text(entry["title"], entry["body"])
    from .importers.jsonl import parse_record

    fields = ("id", "title", "date", "body")
    record = parse_record(json.dumps({k: entry[k] for k in fields}), str(SAMPLE), 1)
    return scanned_text(record.headline, record.body)


def hand_tagged_cases(tags_path, texts_path) -> list[Case]:
    """Cases from a file of hand tags (a JSON list of {"id", "regions", "agencies",
    "people", "topics"} with term slugs) and a JSON-lines file of the texts by "id",
    cleaned as the importer cleans them."""
    from .importers.jsonl import parse_record

    texts = {}
    with open(texts_path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            record = parse_record(line, str(texts_path), number)
            texts[json.loads(line)["id"]] = scanned_text(record.headline, record.body)
    with open(tags_path, encoding="utf-8") as file:
        hand = json.load(file)
    missing = [entry["id"] for entry in hand if entry["id"] not in texts]
    if missing:
        raise ValueError(f"no text for {len(missing)} hand-tagged id(s), e.g. {missing[0]}")
    return [
        Case(
            entry["id"],
            texts[entry["id"]],
            {
                (facet.name, slug)
                for facet in TERMS
                if facet.many
                for slug in entry.get(facet.report_field, [])
            },
        )
        for entry in hand
    ]


def coverage(reports) -> dict[str, float]:
    """The share of these reports (a queryset) carrying at least one tag of each kind, and
    of an agency or person."""
    total = reports.count() or 1
    shares = {}
    for facet in SUGGESTED:
        tagged = reports.filter(**{f"{facet.report_field}__isnull": False}).distinct()
        shares[facet.name] = tagged.count() / total
    either = reports.filter(Q(agencies__isnull=False) | Q(people__isnull=False)).distinct()
    shares["agency or person"] = either.count() / total
    return shares
