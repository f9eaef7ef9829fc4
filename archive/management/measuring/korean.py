"""Korean search, measured without the analyser's own answers (``evaluate_search``).

- **Inflected forms.** A written word of a Korean report that is a word plus a
  common particle (보위부가, 인민들의, 조국을), where the bare word is also written
  alone somewhere in the reports, is an inflected form of that word. For a seeded
  sample of them (and for all of them), searching the bare word must find every
  report holding the inflected form. The pairs come from the text and a list of particles, not from
  the analyser, so it is judged, not asked.
- **North and South spelling.** Pairs of one word in the North's spelling and the
  South's (로동/노동, 력사/역사 …), from a list written down from the two
  orthographies, not from the folding rule: each pair must find the same reports.
"""

import random
import re
from collections import defaultdict
from collections.abc import Callable

from archive.models import Report

# Particles and the commonest endings a noun takes, longest first.
PARTICLES = sorted(
    [
        *("은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "로", "과", "와"),
        *("도", "만", "께서", "에게", "까지", "부터", "으로써", "로써", "과의", "와의"),
        *("에는", "에서는", "에게서", "이다", "이며", "이고", "들이", "들은", "들을", "들의"),
    ],
    key=len,
    reverse=True,
)
INFLECTED_RE = re.compile(r"^([가-힣]{2,8}?)(" + "|".join(PARTICLES) + r")$")
WORD_RE = re.compile(r"[가-힣]+")
# One word in the North's spelling and in the South's (initial ㄹ and ㄴ).
NORTH_SOUTH = [
    ("로동", "노동"),
    ("력사", "역사"),
    ("령도", "영도"),
    ("리익", "이익"),
    ("련합", "연합"),
    ("로력", "노력"),
    ("녀성", "여성"),
    ("락원", "낙원"),
    ("래일", "내일"),
    ("론설", "논설"),
    ("량강도", "양강도"),
    ("리론", "이론"),
    ("련대", "연대"),
    ("로인", "노인"),
    ("례의", "예의"),  # 禮儀; 藝術 is 예술 in both
    ("륙군", "육군"),
    ("리상", "이상"),
    ("력량", "역량"),
    ("로선", "노선"),
]


def inflected_recall(found: Callable[[str], frozenset], seed: int, size: int | None = 200) -> dict:
    """Recall of the reports holding a sampled inflected form (every one, without
    ``size``), searching its bare word."""
    holding: dict[str, set[int]] = defaultdict(set)  # written word -> reports
    for pk, body in Report.objects.published().filter(language="ko").values_list("pk", "body"):
        for word in set(WORD_RE.findall(body)):
            holding[word].add(pk)
    pairs = sorted(
        (match.group(1), word)
        for word in holding
        if (match := INFLECTED_RE.match(word)) and match.group(1) in holding
    )
    chosen = pairs if size is None else random.Random(seed).sample(pairs, min(size, len(pairs)))
    held = hit = 0
    missed = []
    for bare, inflected in chosen:
        reports = holding[inflected]
        got = len(reports & found(bare))
        held, hit = held + len(reports), hit + got
        if got < len(reports):
            missed.append(f"{bare} / {inflected}")
    return {
        "pairs": len(chosen),
        "of": len(pairs),
        "recall": round(hit / held, 3) if held else None,
        "missed": missed[:20],
    }


def north_south(found: Callable[[str], frozenset]) -> dict:
    """For each pair in the reports: do both spellings find the same reports?"""
    same, rows = 0, []
    for north, south in NORTH_SOUTH:
        a, b = found(north), found(south)
        if not a and not b:
            continue
        rows.append({"north": north, "south": south, "found": len(a), "same": a == b})
        same += a == b
    return {"pairs": len(rows), "same": same, "rows": rows}
