"""The search engine's arrays on disk: what a phrase reads of a word's positions."""

import numpy as np
import pytest

from archive.search_backend.arrays import DiskArray, intersect_sorted


@pytest.mark.parametrize(
    "ranges, spread",
    [
        (5, 200_000),  # a rare phrase: a few reads, far apart
        (1_000, 1_000_000),  # more gaps than reads allowed: the largest are skipped
        (50, 3_000),  # close together: one read
        (15_000, 200_000),  # most of the word: read whole
    ],
)
def test_gathered_ranges_hold_what_slicing_the_whole_array_holds(tmp_path, ranges, spread):
    values = np.arange(spread, dtype=np.uint32) * 3
    np.save(tmp_path / "positions.npy", values)
    array = DiskArray(tmp_path / "positions.npy")
    rng = np.random.default_rng(ranges)
    starts = np.sort(rng.choice(spread // 12, ranges, replace=False)) * 12
    ends = starts + rng.integers(1, 12, ranges)
    expected = np.concatenate([values[a:b] for a, b in zip(starts, ends, strict=True)])
    assert np.array_equal(array.gather(starts, ends), expected)
    assert len(array.gather(starts[:0], ends[:0])) == 0


def test_sorted_arrays_intersect_as_numpy_intersects_them():
    rng = np.random.default_rng(3)
    for size_a, size_b in [(0, 10), (10, 0), (5, 10_000), (10_000, 5), (3_000, 3_000)]:
        a = np.unique(rng.integers(0, 20_000, size_a)).astype(np.uint32)
        b = np.unique(rng.integers(0, 20_000, size_b)).astype(np.uint32)
        assert np.array_equal(intersect_sorted(a, b), np.intersect1d(a, b, assume_unique=True))
