"""How fast editors' decisions teach the taggers: decisions simulated from the labelled
sample's training half (its hand tags say what an editor would decide), taken in the
review queue's order, and the automatic tags a model trained on them alone applies to
the test half. ``train_taggers --curve`` prints it.

Only the "about" model of places, bodies and people is simulated: a decision is on
one thing a report names. Before any model there is nothing to order by, so the
first decisions come in a fixed shuffled order; after, the queue's order
(``review.UNCERTAINTY``: the probability nearest an even chance first) or, to
compare, the same shuffled order throughout, or (``audited``) the queue's order with
one decision in five taken at random, on which alone precision is measured.
"""

import numpy as np

from . import learning
from .evaluation import evaluate

STEPS = (0, 100, 300, 1000)
AUDIT = 5  # with ``audited``, one decision in this many is a random one


def curve(training, test, names, agree, steps=STEPS, order: str = "uncertainty") -> list:
    """[(decisions, {kind: (applied, precision, recall)})] at each step: at 0, the rules'
    automatic tags; after, a model trained on that many simulated decisions."""
    rows, labels, _ = learning.rows_of(training, names, agree)
    shuffled = list(np.random.RandomState(0).permutation(len(rows)))
    decided: list[int] = []
    audited: set[int] = set()
    points = []
    model = None
    for step in steps:
        want = min(step, len(rows))
        while len(decided) < want:
            count = want - len(decided)
            if order == "audited" and model is not None:
                random = _next(rows, decided, shuffled, None, max(1, count // AUDIT), order)
                audited.update(random)
                decided += random
                count = want - len(decided)
            picked = _next(rows, decided, shuffled, model, count, order)
            if model is None:
                audited.update(picked)  # before any model, every decision is a random one
            decided += picked
        if step == 0:
            rules = evaluate(test, kinds=learning.NAME_KINDS, near=True, automatic=True)
            figures = {
                kind: (part.suggested, part.precision, part.recall)
                for kind, part in rules.by_facet.items()
            }
        else:
            measured = (
                {n for n, i in enumerate(decided) if i in audited} if order == "audited" else None
            )
            model = _trained([rows[i] for i in decided], [labels[i] for i in decided], measured)
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
    if model is None or order not in ("uncertainty", "audited"):
        return waiting[:count]
    probabilities = model.probabilities([rows[i] for i in waiting])
    nearest = np.argsort(np.abs(probabilities - 0.5), kind="stable")[:count]
    return [waiting[i] for i in nearest]


def _trained(rows, labels, measured_on=None):
    """A model and its thresholds from these decisions alone (None: too few of either
    answer to measure a threshold on), precision measured on ``measured_on`` (all)."""
    answers = np.bincount(np.asarray(labels, dtype=int), minlength=2)
    if answers.min() < 10:
        return None
    c, thresholds = learning.choose_c(rows, labels, measured_on=measured_on)
    model = learning.AboutModel(c).fit(rows, labels)
    model.thresholds = thresholds
    return model
