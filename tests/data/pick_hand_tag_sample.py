"""Pick the 60 KCNA articles that were tagged by hand in kcna_hand_tags.json.

Reproducible: plain Python, no Django. Run from the repository root:

    python tests/data/pick_hand_tag_sample.py [/path/to/kcna_corpus.jsonl]

Prints one line per article: stratum, id, date, title.

- Eligible: bodies of at least 80 words (whitespace-separated tokens).
- Stratum "random" (30): random.Random(14).sample() over all eligible
  articles, in file order.
- Stratum "named" (30): random.Random(15).sample() over the eligible
  articles not already chosen whose title or body names, case-insensitively
  and as whole words, at least one North Korean place of
  fixtures/vocabularies.json other than Pyongyang itself (any region whose
  parent chain reaches north-korea, by its name or any alias; aliases in
  Korean script and aliases flagged ambiguous are left out, so that "Kim
  Jong Suk" the person does not count as Kim Jong Suk County), or one person
  of fixtures/people.json by its name or any alias.
  This is a rough match, good enough for choosing only.
"""

import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The same place the archive's settings read (``ARCHIVE_SHARED_DATA``).
SHARED_DATA = Path(os.environ.get("ARCHIVE_SHARED_DATA", ROOT.parent / "shared" / "data"))
CORPUS = SHARED_DATA / "kcna_corpus.jsonl"
MIN_WORDS = 80
N_RANDOM, SEED_RANDOM = 30, 14
N_NAMED, SEED_NAMED = 30, 15
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def usable(name, ambiguous=False):
    return bool(name) and not ambiguous and not HANGUL.search(name)


def place_names(vocab):
    regions = {o["fields"]["slug"]: o["fields"] for o in vocab if o["model"] == "archive.region"}

    def in_north_korea(slug):
        seen = set()
        while slug and slug not in seen:
            seen.add(slug)
            parent = regions[slug]["parent"]
            if parent and parent[0] == "north-korea":
                return True
            slug = parent[0] if parent else None
        return False

    wanted = {s for s in regions if s != "pyongyang" and in_north_korea(s)}
    names = {regions[s]["name"] for s in wanted}
    for o in vocab:
        f = o["fields"]
        if (
            o["model"] == "archive.regionalias"
            and f["region"][0] in wanted
            and usable(f["name"], f.get("ambiguous"))
        ):
            names.add(f["name"])
    return names


def person_names(people):
    names = set()
    for o in people:
        f = o["fields"]
        if o["model"] == "archive.person" or (
            o["model"] == "archive.personalias" and usable(f["name"])
        ):
            names.add(f["name"])
    return names


def whole_words(names):
    alts = sorted((re.escape(n) for n in names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:{})(?!\w)".format("|".join(alts)), re.IGNORECASE)


def pick(corpus_path=CORPUS):
    vocab = json.loads((ROOT / "fixtures" / "vocabularies.json").read_text())
    people = json.loads((ROOT / "fixtures" / "people.json").read_text())
    pattern = whole_words(place_names(vocab) | person_names(people))

    with open(corpus_path, encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    eligible = [a for a in articles if len(a["body"].split()) >= MIN_WORDS]

    first = random.Random(SEED_RANDOM).sample(eligible, N_RANDOM)
    chosen = {a["id"] for a in first}
    named = [
        a
        for a in eligible
        if a["id"] not in chosen and pattern.search(a["title"] + "\n" + a["body"])
    ]
    second = random.Random(SEED_NAMED).sample(named, N_NAMED)
    return (
        [("random", a) for a in first] + [("named", a) for a in second],
        len(articles),
        len(eligible),
        len(named),
    )


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    sample, total, eligible, named = pick(path)
    print(
        f"# {total} articles, {eligible} with >= {MIN_WORDS} words, "
        f"{named} of the rest name a place or person",
        file=sys.stderr,
    )
    for stratum, a in sample:
        print(stratum, a["id"], a["date"], a["title"], sep="\t")
