"""Edit distance between words, and a word's one-letter deletions: for spelling corrections.

Two words are near when one edit (a letter added, dropped, changed, or two
letters swapped) turns one into the other, or one edit on each side makes
them one string: that is what comparing their ``deletions`` finds, and
``distance`` then measures exactly.
"""


def deletions(word: str) -> set[str]:
    """The word, and the word less each one of its letters."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or ``limit`` when larger."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) >= limit:
            return limit
        previous2, previous = previous, row
    return min(previous[-1], limit)
