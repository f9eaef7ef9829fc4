"""Readable differences between two texts, as HTML marked with ``<ins>`` and ``<del>``.

Bodies are compared paragraph by paragraph, then word by word inside a
paragraph that changed, so a corrected name shows as one struck word and
one inserted word rather than two whole paragraphs. Long runs of unchanged
paragraphs are folded to a line saying how many. Everything is escaped.

The cost is bounded whatever the texts (the diff page is public): the
alignment (``opcodes``) is patience diffing, which matches the common ends
and the items found once on each side, then looks again between those
anchors; an exact comparison is made only of small gaps, and all of it
draws on one ``Budget`` a page. Text the budget does not reach is shown as
replaced, and past ``MAX_SHOWN`` paragraphs the rest is summed up in a line.
Repeated text (thousands of identical paragraphs or words) is the case
ordinary matching (``difflib``) takes quadratic time over.
"""

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

CONTEXT = 1  # unchanged paragraphs shown on each side of a change
MAX_SHOWN = 400  # paragraphs shown of one text's changes; the rest is summed up
WORK = 400_000  # steps one page's comparisons may take (a step is well under a µs)
SMALL_GAP = 2_500  # pairs of items compared exactly in a gap with no anchor

Opcode = tuple[str, int, int, int, int]  # as difflib's: tag, a from, a to, b from, b to


class Budget:
    """The steps left for one page's comparisons: each one draws on it."""

    def __init__(self, steps: int = WORK):
        self.left = steps

    def take(self, steps: int) -> bool:
        """Spend ``steps`` if there are that many left; False (and nothing spent) if not."""
        if steps > self.left:
            return False
        self.left -= steps
        return True


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget) -> list[Opcode]:
    """How to turn ``a`` into ``b``: "equal", "replace", "delete" and "insert" runs, in order.

    Unlike difflib, a gap the budget cannot pay for is replaced whole, so the
    work never passes the budget plus one look at each side.
    """
    blocks = []  # (i, j, size): a[i:i+size] == b[j:j+size]
    gaps = [(0, len(a), 0, len(b))]
    while gaps:
        alo, ahi, blo, bhi = gaps.pop()
        # The common beginning and end (the usual edit leaves most of a text alone).
        start = 0
        while alo + start < ahi and blo + start < bhi and a[alo + start] == b[blo + start]:
            start += 1
        if start:
            blocks.append((alo, blo, start))
            alo, blo = alo + start, blo + start
        end = 0
        while alo < ahi - end and blo < bhi - end and a[ahi - end - 1] == b[bhi - end - 1]:
            end += 1
        if end:
            blocks.append((ahi - end, bhi - end, end))
            ahi, bhi = ahi - end, bhi - end
        if alo == ahi or blo == bhi or not budget.take(start + end + ahi - alo + bhi - blo):
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            previous_i, previous_j = alo, blo
            for i, j in anchors:
                blocks.append((i, j, 1))
                gaps.append((previous_i, i, previous_j, j))
                previous_i, previous_j = i + 1, j + 1
            gaps.append((previous_i, ahi, previous_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= SMALL_GAP and budget.take((ahi - alo) * (bhi - blo)):
            blocks += _exact(a, alo, ahi, b, blo, bhi)
    return _as_opcodes(sorted(blocks), len(a), len(b))


def _unique_anchors(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """(i, j) of items found once in each range, the longest run in the same order on
    both sides (patience sorting: the longest increasing run of their j)."""
    in_a = Counter(a[alo:ahi])
    in_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1 and in_a.get(b[j]) == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if a[i] in where_b]
    if not pairs:
        return []
    tops: list[int] = []  # the smallest last j of an increasing run of each length
    top_index: list[int] = []
    back: list[int] = []  # each pair's predecessor in its run
    for index, (_i, j) in enumerate(pairs):
        length = bisect_left(tops, j)
        back.append(top_index[length - 1] if length else -1)
        if length == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[length] = j
            top_index[length] = index
    run, index = [], top_index[-1]
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    return run[::-1]


def _exact(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int, int]]:
    """The matching items of a small gap, by the longest common subsequence."""
    n, m = ahi - alo, bhi - blo
    lengths = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = lengths[i], lengths[i + 1]
        for j in range(m - 1, -1, -1):
            if a[alo + i] == b[blo + j]:
                row[j] = below[j + 1] + 1
            else:
                row[j] = max(below[j], row[j + 1])
    found, i, j = [], 0, 0
    while i < n and j < m:
        if a[alo + i] == b[blo + j]:
            found.append((alo + i, blo + j, 1))
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return found


def _as_opcodes(blocks: list[tuple[int, int, int]], n: int, m: int) -> list[Opcode]:
    codes: list[Opcode] = []
    i = j = 0
    for bi, bj, size in [*blocks, (n, m, 0)]:
        tag = {(True, True): "replace", (True, False): "delete", (False, True): "insert"}.get(
            (i < bi, j < bj)
        )
        if tag:
            codes.append((tag, i, bi, j, bj))
        if size:
            if codes and codes[-1][0] == "equal":  # neighbouring matches are one run
                codes[-1] = ("equal", codes[-1][1], bi + size, codes[-1][3], bj + size)
            else:
                codes.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return codes


def words(old: str, new: str, budget: Budget | None = None) -> SafeString:
    """One line of text with the words removed and added marked."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in opcodes(a, b, budget or Budget()):
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", " ".join(b[j1:j2])))
    return mark_safe(" ".join(parts))


def paragraphs(
    old: list[str], new: list[str], budget: Budget | None = None
) -> list[tuple[str, SafeString]]:
    """(kind, html) for each paragraph shown: "same", "changed", "added", "removed",
    "folded" (a line saying how many unchanged paragraphs are not shown) and "more"
    (how many changed paragraphs past ``MAX_SHOWN`` are not shown)."""
    budget = budget or Budget()
    shown: list[tuple[str, SafeString]] = []
    codes = opcodes(old, new, budget)
    changed = 0  # paragraphs of changes shown so far
    for index, (op, i1, i2, j1, j2) in enumerate(codes):
        if op == "equal":
            shown += _unchanged(old[i1:i2], first=index == 0, last=index == len(codes) - 1)
            continue
        room = MAX_SHOWN - changed
        removed, added = old[i1:i2][:room], new[j1:j2][:room]
        changed += max(len(removed), len(added))
        pairs = min(len(removed), len(added)) if op == "replace" else 0
        shown += [("changed", words(a, b, budget)) for a, b in zip(removed, added, strict=False)]
        shown += [("removed", format_html("<del>{}</del>", p)) for p in removed[pairs:]]
        shown += [("added", format_html("<ins>{}</ins>", p)) for p in added[pairs:]]
        if changed >= MAX_SHOWN:
            left = sum(max(c[2] - c[1], c[4] - c[3]) for c in codes[index:] if c[0] != "equal")
            left -= max(len(removed), len(added))
            if left:  # else only unchanged paragraphs follow: shown as usual
                message = ngettext(
                    "%(n)d more changed paragraph is not shown.",
                    "%(n)d more changed paragraphs are not shown.",
                    left,
                ) % {"n": left}
                shown.append(("more", escape(message)))
                break
    return shown


def _unchanged(same: list[str], first: bool, last: bool) -> list[tuple[str, SafeString]]:
    """A run of unchanged paragraphs: the ones beside a change, and how many between."""
    head = [] if first else same[:CONTEXT]
    tail = [] if last else same[-CONTEXT:]
    if len(same) <= len(head) + len(tail):
        head, tail = same, []
    shown = [("same", escape(p)) for p in head]
    folded = len(same) - len(head) - len(tail)
    if folded:
        message = ngettext("%(n)d unchanged paragraph", "%(n)d unchanged paragraphs", folded) % {
            "n": folded
        }
        shown.append(("folded", escape(message)))
    return shown + [("same", escape(p)) for p in tail]
