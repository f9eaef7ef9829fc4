"""Readable differences between two texts, as HTML marked with ``<ins>`` and ``<del>``.

Bodies are compared paragraph by paragraph, then word by word inside a
paragraph that changed, so a corrected name shows as one struck word and
one inserted word rather than two whole paragraphs. Long runs of unchanged
paragraphs are folded to a line saying how many. Everything is escaped.
"""

from difflib import SequenceMatcher

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

CONTEXT = 1  # unchanged paragraphs shown on each side of a change
MAX_WORDS = 5000  # longer paragraphs are compared whole: word matching grows quadratically


def words(old: str, new: str) -> SafeString:
    """One line of text with the words removed and added marked."""
    a, b = old.split(), new.split()
    if len(a) > MAX_WORDS or len(b) > MAX_WORDS:
        return _whole(old, new)
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", " ".join(b[j1:j2])))
    return mark_safe(" ".join(parts))


def _whole(old: str, new: str) -> SafeString:
    removed = format_html("<del>{}</del>", old) if old else ""
    added = format_html("<ins>{}</ins>", new) if new else ""
    return mark_safe(" ".join(filter(None, [removed, added])))


def paragraphs(old: list[str], new: list[str]) -> list[tuple[str, SafeString]]:
    """(kind, html) for each paragraph shown: "same", "changed", "added", "removed", "folded"."""
    shown = []
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = old[i1:i2]
            head = same[:CONTEXT] if index > 0 else []
            tail = same[-CONTEXT:] if index < len(opcodes) - 1 else []
            if len(same) <= len(head) + len(tail):
                head, tail = same, []
            shown += [("same", escape(p)) for p in head]
            folded = len(same) - len(head) - len(tail)
            if folded:
                message = ngettext(
                    "%(n)d unchanged paragraph", "%(n)d unchanged paragraphs", folded
                ) % {"n": folded}
                shown.append(("folded", escape(message)))
            shown += [("same", escape(p)) for p in tail]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        if op == "replace":
            pairs = min(len(removed), len(added))
            shown += [("changed", words(a, b)) for a, b in zip(removed, added, strict=False)]
            removed, added = removed[pairs:], added[pairs:]
        shown += [("removed", format_html("<del>{}</del>", p)) for p in removed]
        shown += [("added", format_html("<ins>{}</ins>", p)) for p in added]
    return shown
