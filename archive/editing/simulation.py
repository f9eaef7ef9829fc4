"""How fast editors' decisions teach the taggers: decisions simulated from the labelled
sample's training half (its hand tags say what an editor would decide), taken in the
review queue's order, and the automatic tags a model trained on them alone applies to
the test half. ``train_taggers --curve`` prints it.

Only the "about" model of places, bodies and people is simulated: a decision is on
one thing a report names. Before any model there is nothing to order by, so the
first decisions come in a fixed shuffled order; after, the queue's order
(``review.UNCERTAINTY``: the probability nearest an even chance first) or, to
compare, the same shuffled order throughout.
"""

import numpy as np

from . import learning

STEPS = (0, 100, 300, 1000)


def curve(training, test, names, agree, steps=STEPS, order: str = "uncertainty") -> list:
    """[(decisions, {kind: (applied, precision, recall)})] at each step: at 0, the rules'
    automatic tags; after, a model trained on that many simulated decisions."""
    from .evaluation import evaluate

    rows, labels, _ = learning.rows_of(training, names, agree)
    shuffled = list(np.random.RandomState(0).permutation(len(rows)))
    decided: list[int] = []
    points = []
    model = None
    for step in steps:
        want = min(step, len(rows))
        while len(decided) < want:
            decided += _next(rows, decided, shuffled, model, want - len(decided), order)
        if step == 0:
            rules = evaluate(test, kinds=learning.NAME_KINDS, near=True, automatic=True)
            figures = {
                kind: (part.suggested, part.precision, part.recall)
                for kind, part in rules.by_facet.items()
            }
        else:
            model = _trained([rows[i] for i in decided], [labels[i] for i in decided])
            applied = learning.applied_tags(test, names, model, None) if model else None
            figures = learning.measure(
                test, applied or [set() for _ in test], agree, learning.NAME_KINDS
            )
        points.append((len(decided), figures))
    return points


def _next(rows, decided, shuffled, model, count: int, order: str) -> list[int]:
    """The next ``count`` rows an editor would decide."""
    taken = set(decided)
    waiting = [i for i in shuffled if i not in taken]
    if model is None or order != "uncertainty":
        return waiting[:count]
    probabilities = model.probabilities([rows[i] for i in waiting])
    nearest = np.argsort(np.abs(probabilities - 0.5), kind="stable")[:count]
    return [waiting[i] for i in nearest]


def _trained(rows, labels):
    """A model and its thresholds from these decisions alone (None: too few of either
    answer to measure a threshold on)."""
    answers = np.bincount(np.asarray(labels, dtype=int), minlength=2)
    if answers.min() < 10:
        return None
    c, thresholds = learning.choose_c(rows, labels)
    model = learning.AboutModel(c).fit(rows, labels)
    model.thresholds = thresholds
    return model
