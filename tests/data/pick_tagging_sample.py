"""Pick the KCNA articles of the labelled sample (see TAGGING.md) and fix each one's split.

Reproducible: plain Python, no Django. Run from the repository root:

    python tests/data/pick_tagging_sample.py [/path/to/kcna_corpus.jsonl] [--batches DIR N]

Prints one line per new article: stratum, split, id, date, title. With
``--batches``, also writes the articles (with their bodies) into N files
``DIR/batch-NN.jsonl`` for tagging by hand.

- The first 60 (``pick_hand_tag_sample.py``, tagged in ``kcna_hand_tags.json``)
  stay in the sample as stratum ``first-60``.
- Eligible: as there, bodies of at least 80 words, and not among the first 60.
- Stratum ``random`` (300): ``random.Random(21).sample()`` over the eligible
  articles of each period in proportion to its size (the corpus has two:
  up to 2013, and from 2014), in file order.
- Stratum ``named`` (300): ``random.Random(22)`` likewise, over the eligible
  articles not yet chosen that name a North Korean place or a person (the
  same rough match as the first 60's).
- Stratum ``more-train`` (800, picked later to train on more): ``random.Random(23)``
  over the eligible articles not yet chosen, in file order, kept only if their id
  falls in the training split; the test and holdout halves stay as they were.
  Further rounds, ``more-train-2`` and ``more-train-3`` (800 each,
  ``random.Random(24)`` and ``(25)``), likewise over what no earlier round
  chose. ``--more STRATUM`` picks a round instead of the first 600.
- Split, by the id alone (so adding reports never moves one): the first 60
  are ``train`` (the rules were tuned on them); of the rest, SHA-1 of the id
  modulo 10: 0-4 ``train``, 5-7 ``test``, 8-9 ``holdout``.
"""

import hashlib
import json
import random
import sys
from pathlib import Path

from pick_hand_tag_sample import CORPUS, MIN_WORDS, ROOT, person_names, pick, place_names
from pick_hand_tag_sample import whole_words as matcher

N_RANDOM, SEED_RANDOM = 300, 21
N_NAMED, SEED_NAMED = 300, 22
PERIOD_SPLIT = "2014"  # dates from this year on are the second period


def split_of(report_id: str, stratum: str) -> str:
    if stratum == "first-60":
        return "train"
    bucket = int(hashlib.sha1(report_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 5 else "test" if bucket < 8 else "holdout"


def proportional(rng: random.Random, articles: list, n: int) -> list:
    """``n`` articles, each period giving its share, in file order."""
    periods = [
        [a for a in articles if a["date"] < PERIOD_SPLIT],
        [a for a in articles if a["date"] >= PERIOD_SPLIT],
    ]
    first = round(n * len(periods[0]) / len(articles))
    chosen = {a["id"] for a in rng.sample(periods[0], first)}
    chosen |= {a["id"] for a in rng.sample(periods[1], n - first)}
    return [a for a in articles if a["id"] in chosen]


def pick_more(corpus_path=CORPUS):
    old, *_ = pick(corpus_path)
    taken = {a["id"] for _, a in old}
    vocab = json.loads((ROOT / "fixtures" / "vocabularies.json").read_text())
    people = json.loads((ROOT / "fixtures" / "people.json").read_text())
    pattern = matcher(place_names(vocab) | person_names(people))
    with open(corpus_path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    eligible = [a for a in articles if len(a["body"].split()) >= MIN_WORDS and a["id"] not in taken]
    first = proportional(random.Random(SEED_RANDOM), eligible, N_RANDOM)
    taken |= {a["id"] for a in first}
    named = [
        a
        for a in eligible
        if a["id"] not in taken and pattern.search(a["title"] + "\n" + a["body"])
    ]
    second = proportional(random.Random(SEED_NAMED), named, N_NAMED)
    return [("random", a) for a in first] + [("named", a) for a in second]


# Rounds of training articles picked later: stratum -> (how many, seed), in order.
MORE = {"more-train": (800, 23), "more-train-2": (800, 24), "more-train-3": (800, 25)}


def pick_train_more(corpus_path=CORPUS, stratum="more-train"):
    """A round of more articles for the training half only (``MORE``), none of them
    chosen before (by the first 600 or an earlier round)."""
    old, *_ = pick(corpus_path)
    taken = {a["id"] for _, a in old} | {a["id"] for _, a in pick_more(corpus_path)}
    for earlier in list(MORE)[: list(MORE).index(stratum)]:
        taken |= {a["id"] for _, a in pick_train_more(corpus_path, earlier)}
    with open(corpus_path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    eligible = [
        a
        for a in articles
        if len(a["body"].split()) >= MIN_WORDS
        and a["id"] not in taken
        and split_of(a["id"], stratum) == "train"
    ]
    count, seed = MORE[stratum]
    chosen = {a["id"] for a in random.Random(seed).sample(eligible, count)}
    return [(stratum, a) for a in eligible if a["id"] in chosen]


if __name__ == "__main__":
    args = sys.argv[1:]
    batches = None
    if "--batches" in args:
        at = args.index("--batches")
        batches = (Path(args[at + 1]), int(args[at + 2]))
        del args[at : at + 3]
    more = None
    if "--more" in args:
        at = args.index("--more")
        more = args[at + 1]
        del args[at : at + 2]
    path = Path(args[0]) if args else CORPUS
    sample = pick_train_more(path, more) if more else pick_more(path)
    for stratum, a in sample:
        print(stratum, split_of(a["id"], stratum), a["id"], a["date"], a["title"], sep="\t")
    if batches:
        folder, count = batches
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            part = sample[n::count]
            with open(folder / f"batch-{n + 1:02d}.jsonl", "w", encoding="utf-8") as out:
                for stratum, a in part:
                    record = {k: a[k] for k in ("id", "date", "title", "body")}
                    out.write(json.dumps({**record, "stratum": stratum}, ensure_ascii=False))
                    out.write("\n")
