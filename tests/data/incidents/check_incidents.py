#!/usr/bin/env python3
"""Validate tests/data/incidents/incidents.jsonl (stdlib only).

Run from the project root:  python tests/data/incidents/check_incidents.py
"""

import collections
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INCIDENTS = os.path.join(HERE, "incidents.jsonl")
CORPUS = os.environ.get("KCNA_CORPUS", "/work/shared/data/kcna_corpus.jsonl")
SEEDS = os.environ.get("KCNA_SEEDS", "/work/shared/seeds")
KINDS = {
    "visit",
    "meeting",
    "ceremony",
    "disaster",
    "campaign",
    "accident",
    "sports",
    "culture",
    "diplomacy",
    "other",
}
STANCES = {"reports", "adds", "disputes", "corrects"}
FIELDS = ["id", "title", "kind", "date_from", "date_to", "places", "reports", "note", "half"]


def main():
    errors = []
    corpus = {}
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            corpus[d["id"]] = d["date"]
    seeds = set(os.listdir(SEEDS)) if os.path.isdir(SEEDS) else set()

    incs = []
    with open(INCIDENTS, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    incs.append(json.loads(line))
                except ValueError as e:
                    errors.append(f"line {n}: bad JSON ({e})")

    seen = set()
    membership = collections.Counter()
    for inc in incs:
        iid = inc.get("id", "?")
        for k in FIELDS:
            if k not in inc:
                errors.append(f"{iid}: missing field {k}")
        if iid in seen:
            errors.append(f"{iid}: duplicate incident id")
        seen.add(iid)
        if inc.get("kind") not in KINDS:
            errors.append("{}: bad kind {!r}".format(iid, inc.get("kind")))
        try:
            d0 = datetime.date.fromisoformat(inc["date_from"])
            d1 = datetime.date.fromisoformat(inc["date_to"])
            if d1 < d0:
                errors.append(f"{iid}: date_to before date_from")
            want = "tuning" if d0.month % 2 == 0 else "test"
            if inc.get("half") != want:
                errors.append("{}: half {!r} but rule says {!r}".format(iid, inc.get("half"), want))
        except (KeyError, ValueError, TypeError):
            errors.append(f"{iid}: invalid dates")
        if not isinstance(inc.get("places"), list):
            errors.append(f"{iid}: places must be a list")
        reps = inc.get("reports", [])
        if len(reps) < 2:
            errors.append(f"{iid}: fewer than 2 reports")
        rids = [r.get("id") for r in reps]
        if len(rids) != len(set(rids)):
            errors.append(f"{iid}: a report is listed twice")
        for r in reps:
            rid = r.get("id")
            if rid not in corpus and rid not in seeds:
                errors.append(f"{iid}: unknown report id {rid!r}")
            if r.get("stance") not in STANCES:
                errors.append("{}: bad stance {!r} for {}".format(iid, r.get("stance"), rid))
            membership[rid] += 1

    # ---- counts
    print(f"incidents: {len(incs)}")
    shared = sum(1 for v in membership.values() if v > 1)
    print(
        f"report memberships: {sum(membership.values())} "
        f"(distinct reports: {len(membership)}; in >1 incident: {shared})"
    )
    print("by half:", dict(collections.Counter(i.get("half") for i in incs)))
    print("by kind:", dict(collections.Counter(i.get("kind") for i in incs).most_common()))
    period = collections.Counter(
        "2011-2012" if i.get("date_from", "") < "2013" else "2023-2024" for i in incs
    )
    print("by period:", dict(period))
    sizes = collections.Counter(len(i.get("reports", [])) for i in incs)
    print("reports per incident:", dict(sorted(sizes.items())))
    print(
        "stances:",
        dict(collections.Counter(r.get("stance") for i in incs for r in i.get("reports", []))),
    )
    if errors:
        print(f"\nERRORS ({len(errors)}):")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
