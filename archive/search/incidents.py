"""Incidents a report may belong to, proposed for an editor to confirm or reject.

Two reports are likely one event when they are alike in words (the engine's
``similar``: their distinctive words shared, from 0 to 1), near in date, their
headlines share words, their openings name the same people, places and delegations
(capitalised names: "Nepali", "Bastala"), and they are tagged with the same places,
bodies, people or topics (a tag is a term, so a place named "North Hamkyung" in one
and "North Hamgyong" in the other is one place). ``Pair.likeness`` weighs those into
the chance that the two are one event; ``propose`` offers the incidents the most
alike reports already belong to, with the reasons in words. ``WEIGHTS`` were fitted
and ``PROPOSE_AT`` chosen on the tuning half of the labelled incidents
(``tests/data/incidents``); ``manage.py evaluate_incidents`` measures both halves.

The work is bounded: one ``similar`` call (``POOL`` reports), one query for their
dates, headlines and openings (``LEAD`` characters), one per tag vocabulary, one for
their incidents.
"""

import datetime
import math
import re
from dataclasses import dataclass, field

from django.db.models.functions import Substr

from ..facets import TERMS
from ..models import Incident, IncidentProposal, IncidentReport, Report
from ..search_backend import engine
from ..search_backend.analysis import is_stop_word

POOL = 40  # reports the engine offers as alike in words
WINDOW = datetime.timedelta(days=10)  # reports further apart in date are not one event
LEAD = 800  # characters of a body read for the names it opens with
# How much each likeness counts, set by ``evaluate_incidents --fit`` (a logistic
# regression over the tuning half's pairs): the chance two reports are one event.
WEIGHTS = {"words": -1.94, "near": 2.93, "tags": 0.22, "title": 1.28, "names": 2.68}
WEIGHTS |= {"rank": -0.29, "relative": 4.8, "crowd": -1.56}
BIAS = -4.12
PROPOSE_AT = 0.6  # pairs under this chance are not proposed
NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?\b")


@dataclass
class Pair:
    """One report beside another, with what they share."""

    other: int  # the other report's id
    words: float  # the engine's likeness, 0 to 1
    days: int | None  # days apart; None when either date is unknown
    shared: list[str] = field(default_factory=list)  # names of the tags both carry
    title: float = 0.0  # share of their headlines' words in common (Jaccard)
    names: float = 0.0  # share of the capitalised names their openings hold in common
    rank: int = 0  # the other's place among the reports most alike in words (0: first)
    relative: float = 1.0  # its likeness in words over the most alike one's
    crowd: float = 0.0  # share of the pool at least half as alike as the first: a digest's sign

    def features(self) -> dict[str, float]:
        return {
            "words": self.words,
            "near": 0.5 if self.days is None else 1 - self.days / WINDOW.days,
            "tags": min(len(self.shared), 3),
            "title": self.title,
            "names": self.names,
            "rank": 1 / (1 + self.rank),
            "relative": self.relative,
            "crowd": self.crowd,
        }

    @property
    def likeness(self) -> float:
        if self.days is not None and self.days > WINDOW.days:
            return 0.0
        z = BIAS + sum(WEIGHTS[name] * value for name, value in self.features().items())
        return 1 / (1 + math.exp(-z))

    def reasons(self) -> list[str]:
        said = [f"alike in words ({self.words:.0%})"]
        if self.days is not None:
            said.append("the same day" if self.days == 0 else f"{self.days} day(s) apart")
        else:
            said.append("a date unknown")
        if self.title:
            said.append(f"headlines share {self.title:.0%} of their words")
        if self.names:
            said.append(f"openings share {self.names:.0%} of their names")
        if self.shared:
            said.append("both tagged " + ", ".join(self.shared[:5]))
        return said


def pairs(report: Report, pool: int = POOL) -> list[Pair]:
    """The reports most like this one in words, each as a ``Pair``, best first."""
    alike = dict(engine().similar(report.pk, f"{report.headline}\n{report.body}", pool))
    alike.pop(report.pk, None)
    others = Report.objects.filter(pk__in=alike).annotate(lead=Substr("body", 1, LEAD))
    shared = _shared_tags(report, list(alike))
    mine = _opening(report.headline, report.body[:LEAD])
    found = []
    ranked = sorted(alike, key=lambda pk: -alike[pk])
    rank = {pk: place for place, pk in enumerate(ranked)}
    top = alike[ranked[0]] if ranked else 1.0
    crowd = sum(1 for w in alike.values() if w >= top / 2) / pool
    for pk, headline, lead, date in others.values_list("pk", "headline", "lead", "pub_date"):
        days = abs((report.pub_date - date).days) if report.pub_date and date else None
        theirs = _opening(headline, lead)
        found.append(
            Pair(
                pk,
                alike[pk],
                days,
                shared.get(pk, []),
                title=_overlap(mine[0], theirs[0]),
                names=_overlap(mine[1], theirs[1]),
                rank=rank[pk],
                relative=alike[pk] / top if top else 0.0,
                crowd=crowd,
            )
        )
    return sorted(found, key=lambda pair: -pair.likeness)


def _opening(headline: str, lead: str) -> tuple[set[str], set[str]]:
    """A headline's words as the index holds them (stop words out) and the capitalised
    names of the headline and the lead."""
    words = {w for w in engine().indexed_words(headline) if not is_stop_word(w)}
    return words, set(NAME_RE.findall(f"{headline}. {lead}"))


def _overlap(mine: set, theirs: set) -> float:
    return len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0


def _shared_tags(report: Report, others: list[int]) -> dict[int, list[str]]:
    shared: dict[int, list[str]] = {}
    for facet in TERMS:
        if not facet.is_term or not facet.many:
            continue
        mine = {term.pk: str(term) for term in getattr(report, facet.report_field).all()}
        if not mine:
            continue
        through = Report._meta.get_field(facet.report_field).remote_field.through
        column = Report._meta.get_field(facet.report_field).m2m_reverse_field_name()
        rows = through.objects.filter(report__in=others, **{f"{column}__in": list(mine)})
        for pk, term in rows.values_list("report", column):
            shared.setdefault(pk, []).append(mine[term])
    return shared


@dataclass
class Candidate:
    incident: Incident
    score: float
    reasons: list[str]


def propose(report: Report, limit: int = 5) -> list[Candidate]:
    """Incidents (any status: editors see drafts) that reports most like this one
    belong to, best first; not those it is linked to or an editor rejected for it."""
    by_report = {pair.other: pair for pair in pairs(report) if pair.likeness >= PROPOSE_AT}
    if not by_report:
        return []
    excluded = set(
        IncidentReport.objects.filter(report=report).values_list("incident", flat=True)
    ) | set(
        IncidentProposal.objects.filter(
            report=report, decision=IncidentProposal.Decision.REJECTED
        ).values_list("incident", flat=True)
    )
    best: dict[int, tuple[Pair, Report]] = {}
    links = IncidentReport.objects.filter(report__in=by_report).select_related("report")
    for link in links.exclude(incident__in=excluded):
        pair = by_report[link.report_id]
        if link.incident_id not in best or pair.likeness > best[link.incident_id][0].likeness:
            best[link.incident_id] = (pair, link.report)
    incidents = Incident.objects.in_bulk(list(best))
    chosen = sorted(best, key=lambda pk: -best[pk][0].likeness)[:limit]
    return [
        Candidate(
            incidents[pk],
            round(best[pk][0].likeness, 3),
            [f"like “{best[pk][1].title}”", *best[pk][0].reasons()],
        )
        for pk in chosen
    ]


def record_proposals(report: Report) -> int:
    """Store this report's proposals for the editors' queue (a decided one is kept as
    decided); the number waiting."""
    for candidate in propose(report):
        # Confirmed once and unlinked since (a split, an editor): waiting again.
        IncidentProposal.objects.update_or_create(
            report=report,
            incident=candidate.incident,
            defaults={
                "score": candidate.score,
                "reasons": candidate.reasons,
                "decision": IncidentProposal.Decision.WAITING,
            },
        )
    return IncidentProposal.objects.filter(
        report=report, decision=IncidentProposal.Decision.WAITING
    ).count()
