"""Incidents a report may belong to, proposed for an editor to confirm or reject.

Two reports are likely one event when they are alike in words (the engine's
``similar``: their distinctive words shared, from 0 to 1), near in date, and tagged
with the same places, bodies, people or topics (a tag is a term, so a place named
"North Hamkyung" in one and "North Hamgyong" in the other is one place). ``likeness``
weighs those into one figure; ``propose`` offers the incidents the most alike reports
already belong to, with the reasons in words. The weights and ``PROPOSE_AT`` were set
on the tuning half of the labelled incidents (``tests/data/incidents``) and are
measured on the other half by ``manage.py evaluate_incidents``.

The work is bounded: one ``similar`` call (``POOL`` reports), one query per tag
vocabulary over those reports, one query for their incidents.
"""

import datetime
from dataclasses import dataclass, field

from ..facets import TERMS
from ..models import Incident, IncidentProposal, IncidentReport, Report
from ..search_backend import engine

POOL = 40  # reports the engine offers as alike in words
WINDOW = datetime.timedelta(days=10)  # reports further apart in date are not one event
TAG_WEIGHT = 0.08  # each shared tag adds this to the likeness, up to MAX_TAGS
MAX_TAGS = 3
PROPOSE_AT = 0.35  # pairs under this are not proposed


@dataclass
class Pair:
    """One report beside another, with what they share."""

    other: int  # the other report's id
    words: float  # the engine's likeness, 0 to 1
    days: int | None  # days apart; None when either date is unknown
    shared: list[str] = field(default_factory=list)  # names of the tags both carry

    @property
    def likeness(self) -> float:
        if self.days is not None and self.days > WINDOW.days:
            return 0.0
        near = 1.0 if self.days is None else 1 - 0.5 * self.days / WINDOW.days
        return near * (self.words + TAG_WEIGHT * min(len(self.shared), MAX_TAGS))

    def reasons(self) -> list[str]:
        said = [f"alike in words ({self.words:.0%})"]
        if self.days is not None:
            said.append("the same day" if self.days == 0 else f"{self.days} day(s) apart")
        else:
            said.append("a date unknown")
        if self.shared:
            said.append("both tagged " + ", ".join(self.shared[:5]))
        return said


def pairs(report: Report, pool: int = POOL) -> list[Pair]:
    """The reports most like this one in words, each as a ``Pair``, best first."""
    alike = dict(engine().similar(report.pk, f"{report.headline}\n{report.body}", pool))
    alike.pop(report.pk, None)
    dates = dict(Report.objects.filter(pk__in=alike).values_list("pk", "pub_date"))
    shared = _shared_tags(report, list(alike))
    found = []
    for pk, words in alike.items():
        days = None
        if report.pub_date and dates.get(pk):
            days = abs((report.pub_date - dates[pk]).days)
        found.append(Pair(pk, words, days, shared.get(pk, [])))
    return sorted(found, key=lambda pair: -pair.likeness)


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
        IncidentProposal.objects.update_or_create(
            report=report,
            incident=candidate.incident,
            decision=IncidentProposal.Decision.WAITING,
            defaults={"score": candidate.score, "reasons": candidate.reasons},
        )
    return IncidentProposal.objects.filter(
        report=report, decision=IncidentProposal.Decision.WAITING
    ).count()
