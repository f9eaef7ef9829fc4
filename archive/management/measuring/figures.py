"""The figures the benchmark and the soak report: percentiles, counts, memory, machine.

Two percentiles, not interchangeable: the benchmark's ``percentile`` sorts and
rounds the position between first and last; the soak's ``nearest_rank`` takes
values already sorted and the rank under the percentage. They can differ by one
place (the 50th of five values: the third, the second).
"""

import os
import platform
import resource
from pathlib import Path

from django.utils import timezone


def percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def nearest_rank(sorted_values: list[float], percent: int) -> float:
    index = max(0, round(len(sorted_values) * percent / 100) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


def count(values) -> dict:
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_memory(master: int) -> list[dict]:
    """Peak and current resident memory of each gunicorn worker (MB), and how much of it
    is the index's memory-mapped files, shared by the workers."""
    found = []
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = {}
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                fields[name] = round(int(value.split()[0]) / 1024)
        found.append(fields)
    return found


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "when": timezone.now().isoformat(timespec="seconds"),
    }
