"""What a text names that is worth tagging: each term found (``Finding``), how and
where it is named, and the rule that says what to do with it (``RULES``). The
importer, the admin's suggestions, the evaluation and the learned taggers all start
from ``findings``."""

import functools
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..models import Region, Report
from ..names.known import Vocabulary
from ..names.types import KnownTerm, Mention, stop_pattern
from ..names.vocabulary import current

# "Pyongyang, August 15 (KCNA) -- ": where a wire story was filed, not what it is about.
DATELINE_RE = re.compile(
    r"^[A-Z][\w'’ .-]{1,40}, [A-Z][a-z]{2,8}\.? \d{1,2} \([A-Z][\w ]{1,30}\) --\s*"
)


def report_text(report: Report) -> str:
    return scanned_text(report.headline, report.dek, report.photo_caption, report.body)


def scanned_text(headline: str, *rest: str) -> str:
    """What suggestions are drawn from: the report's texts, the body without its dateline."""
    *middle, body = rest
    return "\n".join(filter(None, [headline, *middle, DATELINE_RE.sub("", body or "")]))


def sentence_at(text: str, start: int, limit: int = 400) -> str:
    """The sentence around a character offset, at most ``limit`` characters."""
    before = max(text.rfind("\n", 0, start), *(text.rfind(p, 0, start) for p in (". ", "? ", "! ")))
    begin = before + 1 if before >= 0 else 0
    ends = [i for i in (text.find(p, start) for p in ("\n", ". ", "? ", "! ")) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    sentence = text[begin:end].strip()
    if len(sentence) > limit:  # keep the words themselves in view
        offset = max(0, start - begin - limit // 2)
        sentence = "…" + sentence[offset : offset + limit - 2] + "…"
    return sentence


@dataclass
class Finding:
    """A term a text names: the words of its first mention, how often and how it is named
    (``Mention.how``), whether in the headline or lead, and the rule that decides it."""

    entry: KnownTerm
    evidence: str
    start: int = 0  # where it is first named
    mentions: int = 0
    hows: set[str] = field(default_factory=set)
    as_listed: bool = False  # named at least once by a listed name as spelled
    in_lead: bool = False
    rule: str = ""

    @property
    def automatic(self) -> bool:
        return RULES[self.rule].automatic


@dataclass(frozen=True)
class Rule:
    description: str
    automatic: bool  # applied without an editor's click (measured precision >= 95%)


RULES = {
    "place": Rule(
        _("a province, city or county named as listed, in the headline or lead, or twice"), True
    ),
    "inside": Rule(_("the province of a place named so"), False),
    "body": Rule(_("a body named in full, in the headline or lead, or twice"), False),
    "folded": Rule(_("a place named in a spelling that is not listed but folds alike"), False),
    "once": Rule(_("a place or body named once, after the lead"), False),
    "abbreviation": Rule(_("a body named only by its abbreviation"), False),
    "person": Rule(_("a person named in full"), False),
    "country": Rule(_("a foreign country in the headline or lead, or named twice"), False),
    "passing": Rule(_("a foreign country named once in passing (the learned taggers only)"), False),
    "topic": Rule(_("a topic's phrases three times, or in the headline or lead"), False),
    "learned": Rule(
        _("the learned taggers, trained on hand-tagged reports and editors' decisions"), False
    ),
}


def findings(
    text: str, names: Vocabulary | None = None, kinds=None, mentions=None, passing=False
) -> list[Finding]:
    """What a text names that is worth suggesting, each with its rule (``RULES``). A
    foreign country named only once in passing (not in the headline or lead) is left out
    unless ``passing`` (the learned taggers weigh it). ``mentions``: the text's
    (``read_mentions``), when the caller has them."""
    if mentions is None:
        mentions = read_mentions(text, names or current(), kinds)
    lead_end = _lead_end(text)
    found: dict[tuple[str, int], Finding] = {}
    for mention in mentions:
        key = (mention.entry.facet, mention.entry.pk)
        finding = found.setdefault(key, Finding(mention.entry, mention.words, mention.start))
        finding.mentions += 1
        finding.hows.add(mention.how)
        finding.as_listed = finding.as_listed or mention.as_listed
        finding.in_lead = finding.in_lead or mention.start < lead_end
    kept = []
    for finding in found.values():
        finding.rule = _rule(finding)
        if finding.rule and (passing or finding.rule != "passing"):
            kept.append(finding)
    return kept


# What a country's people or things are called: "a Russian paper", "south Korean
# warmongers". Not names of the country (a search for "Russian" is not widened to
# Russia), but a report about Russia often names it only so.
DEMONYMS = {
    "south-korea": ("South Korean", "south Korean"),
    "russia": ("Russian",),
    "china": ("Chinese",),
    "malaysia": ("Malaysian",),
}
DEMONYM_RE = re.compile(
    r"\b(" + "|".join(sorted({re.escape(w) for ws in DEMONYMS.values() for w in ws})) + r")s?\b"
)
_DEMONYM_OF = {word: slug for slug, words in DEMONYMS.items() for word in words}


def read_mentions(text: str, names: Vocabulary, kinds=None) -> list[Mention]:
    """Every mention of a term in the text (``Vocabulary.mentions``) and of a country by
    what its people are called (``DEMONYMS``, how "demonym"), in order."""
    found = [m for m in names.mentions(text, kinds) if not _misread(text, m)]
    if kinds is not None and "region" not in kinds:
        return found
    countries = _countries(names)
    more = [
        Mention(countries[slug], match.group(1), "demonym", match.start(), False)
        for match in DEMONYM_RE.finditer(text)
        if (slug := _DEMONYM_OF[match.group(1)]) in countries
    ]
    return sorted(found + more, key=lambda m: m.start) if more else found


STOP_WINDOW = 300  # characters each side of a mention its wrong readings are looked for in


def _misread(text: str, mention: Mention) -> bool:
    """Whether the mention stands inside words that do not name its term ("Minjok
    Thongsin" for Tongsin County; see ``WrongName``)."""
    if not mention.entry.stops:
        return False
    begin = max(0, mention.start - STOP_WINDOW)
    window = text[begin : mention.start + STOP_WINDOW]
    at = mention.start - begin
    return any(
        match.start() <= at < match.end()
        for words in mention.entry.stops
        for match in stop_pattern(words).finditer(window)
    )


@functools.lru_cache(maxsize=4)
def _countries(names: Vocabulary) -> dict[str, KnownTerm]:
    return {
        entry.slug: entry
        for (facet, _), entry in names.entries.items()
        if facet == "region" and entry.kind == Region.Kind.COUNTRY
    }


def _rule(finding: Finding) -> str:
    entry, prominent = finding.entry, finding.in_lead or finding.mentions >= 2
    if entry.facet == "region" and entry.kind == Region.Kind.COUNTRY:
        return "country" if prominent else "passing"
    if entry.facet == "person":
        return "person"
    if entry.facet == "topic":
        return "topic" if finding.in_lead or finding.mentions >= 3 else ""
    if not prominent:
        return "once"
    if "name" in finding.hows:
        if entry.facet != "region":
            return "body"
        return "place" if finding.as_listed else "folded"
    if "abbreviation" in finding.hows:
        return "abbreviation"
    return "inside" if finding.as_listed else "folded"


def _lead_end(text: str) -> int:
    """Where the lead ends: after the headline and the first paragraph."""
    seen, position = 0, 0
    for line in text.split("\n"):
        position += len(line) + 1
        if line.strip():
            seen += 1
            if seen == 2:
                return position
    return len(text)


def named(text: str, names: Vocabulary | None = None, kinds=None) -> list:
    """(term, evidence) for what a text names that is worth suggesting (``findings``)."""
    return [(f.entry, f.evidence) for f in findings(text, names, kinds)]
