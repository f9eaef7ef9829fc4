"""Learned tagging: whether a report is *about* a term it names, and which topics it is
about, from the labelled sample (``tests/data/tagged_sample.jsonl``) and, later,
editors' decisions.

Each finding of the rules (``findings.findings``: a place, body or person the text
names) becomes a row of features: where and how often the name stands, how it is
named, the words around it, whether a place inside it is named too, the term
itself (its base rate). A logistic regression says how likely an editor is to tag
it. Topics are not names: a linear model per topic reads the whole text (TF-IDF of
words and word pairs), with the topic's trigger phrases as features of their own.

Everything here is deterministic: the same data gives the same model and tags.
"""

import bisect
import math
import re
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from ..models import TagSuggestion
from ..names.types import TEXT_WORD_RE
from .findings import Finding, findings, read_mentions

NAME_KINDS = ("region", "agency", "person")
CONTEXT = 4  # words each side of a mention that are read
MAX_MENTIONS_READ = 20  # a term's mentions whose surroundings are read, at most
TARGET_PRECISION = 0.95  # what an automatic tag must reach, measured on unseen reports
AUTOMATIC, PENDING = TagSuggestion.Decision.AUTOMATIC, TagSuggestion.Decision.PENDING


@dataclass
class Candidate:
    """A term a text names, with the features the model reads."""

    key: tuple[str, str]  # (facet, slug)
    finding: Finding
    features: dict


def candidates(text: str, names, kinds=NAME_KINDS, mentions=None) -> list[Candidate]:
    """The findings of a text (every rule's, as suggestions), each with its features.
    ``mentions``: the text's (``read_mentions``), when the caller has them (others'
    kinds are left out)."""
    if mentions is None:
        every = read_mentions(text, names, set(kinds))  # read once: findings and contexts
    else:
        every = [m for m in mentions if m.entry.facet in kinds]
    found = findings(text, names, set(kinds), mentions=every, passing=True)
    if not found:
        return []
    mentions: dict[tuple[str, int], list] = {}
    for mention in every:
        mentions.setdefault((mention.entry.facet, mention.entry.pk), []).append(mention)
    headline_end = text.find("\n") if "\n" in text else len(text)
    words = [(m.start(), m.group().lower()) for m in TEXT_WORD_RE.finditer(text)]
    starts = [start for start, _ in words]
    size = max(len(text), 1)
    inside_named = {
        ancestor.pk
        for f in found
        if f.entry.facet == "region"
        for ancestor in names.ancestors(f.entry)
        if f.entry.kind != "country"
    }
    per_facet: dict[str, int] = {}
    for f in found:
        per_facet[f.entry.facet] = per_facet.get(f.entry.facet, 0) + 1
    rows = []
    for f in found:
        entry = f.entry
        features = {
            f"facet={entry.facet}": 1.0,
            f"rule={f.rule}": 1.0,
            f"term={entry.facet}:{entry.slug}": 1.0,
            "mentions": math.log1p(f.mentions),
            "twice": float(f.mentions >= 2),
            "thrice": float(f.mentions >= 3),
            "in_lead": float(f.in_lead),
            "in_headline": float(f.start < headline_end),
            "first_at": f.start / size,
            "as_listed": float(f.as_listed),
            "others_of_kind": math.log1p(per_facet[entry.facet] - 1),
        }
        if entry.facet == "region":
            features[f"region_kind={entry.kind}"] = 1.0
            features["place_inside_named"] = float(entry.pk in inside_named)
        for how in f.hows:
            features[f"how={how}"] = 1.0
        for mention in mentions.get((entry.facet, entry.pk), [])[:MAX_MENTIONS_READ]:
            _context(features, words, starts, mention.start, mention.words)
        rows.append(Candidate((entry.facet, entry.slug), f, features))
    return rows


def _context(features: dict, words, starts, start: int, named: str) -> None:
    """The words before and after a mention: single words near it, and the two words
    right before ("member of", "visited the") and the one right after."""
    at = bisect.bisect_left(starts, start)
    length = len(TEXT_WORD_RE.findall(named)) or 1
    before = [w for _, w in words[max(0, at - CONTEXT) : at]]
    after = [w for _, w in words[at + length : at + length + CONTEXT]]
    for word in before:
        features[f"before:{word}"] = features.get(f"before:{word}", 0.0) + 1.0
    for word in after:
        features[f"after:{word}"] = features.get(f"after:{word}", 0.0) + 1.0
    if len(before) >= 2:
        key = f"just_before:{before[-2]}_{before[-1]}"
        features[key] = features.get(key, 0.0) + 1.0
    if after:
        key = f"just_after:{after[0]}"
        features[key] = features.get(key, 0.0) + 1.0


class AboutModel:
    """P(an editor tags the term | the text names it), one model for every kind."""

    def __init__(self, c: float = 0.5):
        self.vectorizer = DictVectorizer()
        self.model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
        self.thresholds: dict[str, float] = {}

    def fit(self, rows: list[Candidate], labels: list[bool]) -> "AboutModel":
        matrix = self.vectorizer.fit_transform([r.features for r in rows])
        self.model.fit(matrix, np.array(labels, dtype=int))
        return self

    def probabilities(self, rows: list[Candidate]) -> np.ndarray:
        if not rows:
            return np.empty(0)
        matrix = self.vectorizer.transform([r.features for r in rows])
        return self.model.predict_proba(matrix)[:, 1]


class TopicModel:
    """P(an editor tags the topic | the text), a linear model per topic."""

    def __init__(self, topics: list[str], c: float = 4.0):
        self.topics = topics
        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50_000
        )
        self.models: dict[str, LogisticRegression] = {}
        self.c = c
        self.thresholds: dict[str, float] = {}

    def fit(self, texts: list[str], labels: list[set[str]], triggers) -> "TopicModel":
        self.triggers = triggers
        matrix = self._matrix(texts, fit=True)
        for topic in self.topics:
            y = np.array([topic in tags for tags in labels], dtype=int)
            if y.sum() < 2:
                continue
            model = LogisticRegression(C=self.c, max_iter=5000, solver="lbfgs")
            self.models[topic] = model.fit(matrix, y)
        return self

    def _matrix(self, texts: list[str], fit: bool = False):
        words = self.vectorizer.fit_transform(texts) if fit else self.vectorizer.transform(texts)
        counts = [[math.log1p(len(p.findall(t.lower()))) for p in self.triggers] for t in texts]
        return hstack([words, csr_matrix(np.array(counts))]).tocsr()

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        matrix = self._matrix(texts)
        return {topic: m.predict_proba(matrix)[:, 1] for topic, m in self.models.items()}


def trigger_patterns(names) -> list[re.Pattern]:
    """One pattern per topic (in ``topic_slugs`` order): its name and trigger phrases."""
    patterns = []
    for entry in topic_entries(names):
        phrases = [entry.name, *entry.triggers]
        alternatives = "|".join(re.escape(p.lower()) for p in phrases if p)
        patterns.append(re.compile(rf"\b(?:{alternatives})s?\b"))
    return patterns


def topic_entries(names) -> list:
    return sorted((e for e in names.entries.values() if e.facet == "topic"), key=lambda e: e.slug)


# Measured precision must be TARGET_PRECISION, and at least this surely (the lower end
# of a one-sided 95% interval): 19 right of 20 is not yet a precision of 0.95.
FLOOR, Z = 0.85, 1.645


def lower_bound(right, count, z: float = Z):
    """The Wilson score interval's lower end for a proportion ``right / count``: with
    few items, a precision measured on them promises less."""
    count = np.maximum(count, 1)
    share = right / count
    centre = share + z * z / (2 * count)
    spread = z * np.sqrt(share * (1 - share) / count + z * z / (4 * count * count))
    return (centre - spread) / (1 + z * z / count)


def threshold_for(
    probabilities, labels, target: float = TARGET_PRECISION, floor: float | None = None
) -> float:
    """The lowest probability at which what is above it is right at least ``target`` of
    the time, and surely (``lower_bound``) at least ``floor`` (1.01: no such threshold,
    nothing is applied)."""
    floor = FLOOR if floor is None else floor
    order = np.argsort(-np.asarray(probabilities), kind="stable")
    p, y = np.asarray(probabilities)[order], np.asarray(labels, dtype=float)[order]
    right = np.cumsum(y)
    counts = np.arange(1, len(y) + 1)
    precision, surely = right / counts, lower_bound(right, counts)
    best = 1.01
    for i in range(len(p)):
        sure = precision[i] >= target and surely[i] >= floor
        if sure and (i + 1 == len(p) or p[i + 1] < p[i]):
            best = float(p[i])
    return best


def cross_probabilities(fit_predict, n: int, labels, folds: int = 5) -> np.ndarray:
    """Each item's probability from a model fitted without it (``folds``-fold, fixed)."""
    out = np.zeros(n)
    y = np.asarray(labels, dtype=int)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(np.zeros(n), y):
        out[test] = fit_predict(train, test)
    return out


C_CHOICES = (0.2, 0.5, 1.0, 3.0)


def choose_c(
    rows: list[Candidate], labels: list[bool], target: float = TARGET_PRECISION, measured_on=None
):
    """The regularisation whose cross-validated model (on these rows alone) tags the most
    at ``target`` precision, kind by kind; with its thresholds. ``measured_on``: the rows
    precision is measured on (default all; a random audit share of editors' decisions
    measures without the bias of a queue that shows the hardest first)."""
    best = None
    for c in C_CHOICES:

        def fit_predict(train, test, c=c):
            model = AboutModel(c).fit([rows[i] for i in train], [labels[i] for i in train])
            return model.probabilities([rows[i] for i in test])

        probabilities = cross_probabilities(fit_predict, len(rows), labels)
        thresholds, right = {}, 0
        for kind in NAME_KINDS:
            picked = [
                i
                for i, r in enumerate(rows)
                if r.key[0] == kind and (measured_on is None or i in measured_on)
            ]
            kind_labels = [labels[i] for i in picked]
            thresholds[kind] = threshold_for(probabilities[picked], kind_labels, target)
            right += sum(labels[i] for i in picked if probabilities[i] >= thresholds[kind])
        if best is None or right > best[0]:
            best = (right, c, thresholds)
    return best[1], best[2]


def rows_of(cases, names, agree) -> tuple[list[Candidate], list[bool], list[int]]:
    """Every case's candidates, whether its hand tags agree with each, and whose it is."""
    rows, labels, owners = [], [], []
    for number, case in enumerate(cases):
        truth = {key for key in case.truth if key[0] in NAME_KINDS}
        for candidate in candidates(case.text, names):
            rows.append(candidate)
            labels.append(agree(candidate.key, truth))
            owners.append(number)
    return rows, labels, owners


def applied_tags(cases, names, about: AboutModel, topics: "TopicModel | None"):
    """For each case, the (facet, slug) tags the models would apply automatically, each
    with the rule of its finding ("learned" for a topic)."""
    rows, _, owners = rows_of(cases, names, lambda key, keys: False)
    applied: list[dict] = [{} for _ in cases]
    for row, probability, owner in zip(rows, about.probabilities(rows), owners, strict=True):
        if probability >= about.thresholds.get(row.key[0], 2.0):
            applied[owner][row.key] = row.finding.rule
    if topics is not None and cases:
        for topic, probabilities in topics.probabilities([c.text for c in cases]).items():
            threshold = topics.thresholds.get(topic, 2.0)
            for number, probability in enumerate(probabilities):
                if probability >= threshold:
                    applied[number][("topic", topic)] = "learned"
    return applied


def measure_by_rule(cases, applied, agree) -> dict[str, tuple[int, float]]:
    """rule -> (tags applied, precision) against the cases' hand tags."""
    counts: dict[str, list[int]] = {}
    for case, tags in zip(cases, applied, strict=True):
        for key, rule in tags.items():
            tally = counts.setdefault(rule, [0, 0])
            tally[0] += 1
            tally[1] += agree(key, {k for k in case.truth if k[0] == key[0]})
    return {rule: (n, right / n) for rule, (n, right) in sorted(counts.items())}


def measure(cases, applied, agree, kinds=(*NAME_KINDS, "topic")) -> dict:
    """kind -> (tags applied, precision, recall) against the cases' hand tags."""
    figures = {}
    for kind in kinds:
        suggested = right = tagged = found = 0
        for case, tags in zip(cases, applied, strict=True):
            truth = {key for key in case.truth if key[0] == kind}
            mine = {key for key in tags if key[0] == kind}
            suggested += len(mine)
            right += sum(agree(key, truth) for key in mine)
            tagged += len(truth)
            found += sum(agree(key, mine) for key in truth)
        figures[kind] = (
            suggested,
            right / suggested if suggested else 1.0,
            found / tagged if tagged else 1.0,
        )
    return figures


# Topics' regularisation, chosen by five-fold cross-validation on the training half alone
# (then 1,173 reports): topic tags right at the target precision, of 634, for C = 1, 4,
# 16, 64, 256, 1024: 118, 160, 183, 194, 216, 177.
TOPIC_C = 256.0


def fit_topics(
    cases, names, target: float = TARGET_PRECISION, c: float = TOPIC_C, measured: int | None = None
) -> TopicModel:
    """Topic models fitted on the cases, with thresholds at which five-fold predictions
    on these cases (the first ``measured`` of them) reach ``target`` precision: a
    topic's own where it is sure (``threshold_for``), else one shared by the rest.
    Per topic, on 2,773 training reports: 646 topic tags right of 679 applied, against
    573 of 603 with one threshold for all (five-fold, same data)."""
    slugs = [entry.slug for entry in topic_entries(names)]
    triggers = trigger_patterns(names)
    texts = [case.text for case in cases]
    tags = [{slug for facet, slug in case.truth if facet == "topic"} for case in cases]
    pooled = {slug: np.zeros(len(texts)) for slug in slugs}
    splitter = KFold(n_splits=5, shuffle=True, random_state=0)
    for train, test in splitter.split(texts):
        model = TopicModel(slugs, c).fit(
            [texts[i] for i in train], [tags[i] for i in train], triggers
        )
        for slug, probabilities in model.probabilities([texts[i] for i in test]).items():
            pooled[slug][test] = probabilities
    kept = slice(0, measured)
    truth = {s: np.array([s in t for t in tags[kept]]) for s in slugs}
    shared = threshold_for(
        np.concatenate([pooled[s][kept] for s in slugs]),
        np.concatenate([truth[s] for s in slugs]),
        target,
    )
    model = TopicModel(slugs, c).fit(texts, tags, triggers)
    # A topic common enough to be sure of its own threshold has it; the others share one.
    own = {s: threshold_for(pooled[s][kept], truth[s], target) for s in model.models}
    model.thresholds = {s: own[s] if own[s] <= 1.0 else shared for s in model.models}
    return model
