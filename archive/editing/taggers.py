"""The trained taggers in use: the model file (``train_taggers``) read once a process
and refused when corrupt or made for another vocabulary, and what it decides for a
text: tag at once, suggest with a probability, or nothing. Without a fitting model
the rules decide, as on a fresh clone."""

import hashlib
import threading
from pathlib import Path

import joblib
from django.conf import settings

from .findings import Finding, findings, read_mentions
from .learning import AUTOMATIC, NAME_KINDS, PENDING, candidates, topic_entries

FORMAT = 1


_loaded: dict = {"key": None, "model": None, "reason": ""}


_lock = threading.Lock()


def fingerprint(names) -> str:
    """What a model's term features refer to: every term's facet and slug."""
    keys = sorted(f"{facet}:{entry.slug}" for (facet, _), entry in names.entries.items())
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


def loaded(names) -> tuple[dict | None, str]:
    """The trained model (``train_taggers``) if it is there, whole and made for this
    vocabulary, read once a process (again when the file changes); else None, and why.
    Without one, tagging falls back on the rules alone."""
    path = Path(settings.ARCHIVE_TAGGER_MODEL)
    try:
        stat = path.stat()
    except OSError:
        return None, "no model file yet (run train_taggers)"
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if _loaded["key"] != key:
            _loaded.update(key=key, **_read(path))
        model, reason = _loaded["model"], _loaded["reason"]
    if model is not None and model["vocabulary"] != fingerprint(names):
        return None, "the model was trained for another vocabulary: run train_taggers again"
    return model, reason


def _read(path: Path) -> dict:
    try:
        model = joblib.load(path)
        if not isinstance(model, dict) or model.get("format") != FORMAT:
            raise ValueError("not a model of this version")
        return {"model": model, "reason": "ok"}
    except Exception as exc:  # a corrupt or foreign file must not stop an import
        return {
            "model": None,
            "reason": f"the model file cannot be read ({exc.__class__.__name__})",
        }


SUGGEST_FLOOR = 0.05  # a finding less likely than this is not even suggested


def decisions(text: str, names) -> list[tuple[Finding, str, float | None]]:
    """What to do with each thing a text names: tag it at once (``automatic``), ask an
    editor (``pending``), or nothing; with the model's probability. Without a model
    that fits this vocabulary, the rules decide (their automatic ones apply)."""
    return decisions_of_many([text], names)[0]


def decisions_of_many(texts: list[str], names) -> list[list[tuple[Finding, str, float | None]]]:
    """``decisions`` for many texts at once: the models read them in one batch (an
    import's), which costs far less than one text at a time."""
    model, _ = loaded(names)
    if model is None:
        return [
            [(f, AUTOMATIC if f.automatic else PENDING, None) for f in findings(text, names)]
            for text in texts
        ]
    about, topics = model["about"], model["topics"]
    decided: list[list] = [[] for _ in texts]
    rows, owners, topics_named = [], [], []
    for number, text in enumerate(texts):
        every = read_mentions(text, names, {*NAME_KINDS, "topic"})  # one reading a text
        found = candidates(text, names, mentions=every)
        rows += found
        owners += [number] * len(found)
        topic_mentions = [m for m in every if m.entry.facet == "topic"]
        topics_named.append(findings(text, names, {"topic"}, mentions=topic_mentions))
    for row, probability, owner in zip(rows, about.probabilities(rows), owners, strict=True):
        threshold = about.thresholds[row.key[0]]
        decided[owner] += _decision(row.finding, float(probability), threshold)
    entries = {entry.slug: entry for entry in topic_entries(names)}
    by_topic = topics.probabilities(texts) if texts else {}
    for number, text in enumerate(texts):
        named = {f.entry.slug: f for f in topics_named[number]}
        headline = text.split("\n", 1)[0]
        for slug, probabilities in by_topic.items():
            probability = float(probabilities[number])
            if probability < SUGGEST_FLOOR:
                continue
            finding = named.get(slug) or Finding(entries[slug], headline[:300])
            finding.rule = "learned"
            decided[number] += _decision(finding, probability, topics.thresholds[slug])
    return decided


def _decision(finding: Finding, probability: float, threshold: float) -> list:
    if probability >= threshold:
        return [(finding, AUTOMATIC, probability)]
    if probability >= SUGGEST_FLOOR:
        return [(finding, PENDING, probability)]
    return []
