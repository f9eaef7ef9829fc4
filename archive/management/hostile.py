"""Queries a hostile or careless client sends: each must answer 200 in well under a second.

An adversarial test found that each of the first group could hold a worker
for seconds (a junk word in the spelling corrector, wildcards and ranges
over the whole lexicon, field syntax reaching internal fields). ``make
bench`` times every one at 100,000 reports through gunicorn, ``make soak``
loops them from two clients while two others browse, and the fuzz test
adds them to its generated URLs.
"""

import random
import statistics
import string
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

_rng = random.Random(11)
_junk = ["".join(_rng.choices(string.ascii_lowercase, k=_rng.randint(6, 14))) for _ in range(70)]

# (path, query parameters)
HOSTILE: list[tuple[str, dict]] = [
    # What the adversarial test measured.
    ("/search/", {"q": "".join(_rng.choices(string.ascii_lowercase, k=120))}),
    ("/search/", {"q": " ".join(_junk[:62])}),
    ("/search/", {"q": " ".join(["a"] * 500)}),
    ("/search/", {"q": "*"}),
    ("/search/", {"q": "*a*"}),
    ("/search/", {"q": "?????"}),
    ("/search/", {"q": "text:[a TO z]"}),
    ("/search/", {"q": "spelling:*"}),
    ("/search/", {"q": "북한" * 125}),
    ("/search/rss/", {"q": " ".join(_junk[:40])}),
    ("/search/atom/", {"q": "".join(_rng.choices(string.ascii_lowercase, k=120))}),
    # Their kin: wildcards.
    ("/search/", {"q": "a*"}),
    ("/search/", {"q": "ab*"}),
    ("/search/", {"q": "abc*"}),
    ("/search/", {"q": "co*"}),
    ("/search/", {"q": "**"}),
    ("/search/", {"q": "*?*"}),
    ("/search/", {"q": "?*"}),
    ("/search/", {"q": "a?b*c"}),
    ("/search/", {"q": "pe*le*"}),
    ("/search/", {"q": " ".join(f"{w[:3]}*" for w in _junk[:30])}),
    # Fields, ranges, fuzzy terms and the parser's own syntax.
    ("/search/", {"q": "{a TO z}"}),
    ("/search/", {"q": "[* TO *]"}),
    ("/search/", {"q": "text:*"}),
    ("/search/", {"q": "headline:*"}),
    ("/search/", {"q": "stamp:x"}),
    ("/search/", {"q": "django_id:[0 TO 999999]"}),
    ("/search/", {"q": "*:*"}),
    ("/search/", {"q": "korea~"}),
    ("/search/", {"q": "security~3 people~2 party~2"}),
    ("/search/", {"q": "(" * 200 + "korea" + ")" * 200}),
    ("/search/", {"q": "NOT " * 100 + "korea"}),
    ("/search/", {"q": " OR ".join(_junk[:60])}),
    ("/search/", {"q": " AND ".join(["korea", "people", "party", "army"] * 15)}),
    ("/search/", {"q": "korea^99999 people^-1"}),
    ("/search/", {"q": '"' + " ".join(["the", "of", "and"] * 30) + '"'}),
    ("/search/", {"q": '"' + " ".join(["korea", "people", "party"] * 20) + '"'}),
    ("/search/", {"q": " ".join(f'"{w} korea"' for w in _junk[:30])}),
    ("/search/", {"q": '"""' * 50}),
    # Odd text.
    ("/search/", {"q": "\u200b" * 300}),
    ("/search/", {"q": "🙂" * 200}),
    ("/search/", {"q": "\u202e" + "korea" * 50}),
    ("/search/", {"q": "9" * 400}),
    ("/search/", {"q": "1e999 -1e999 NaN inf"}),
    ("/search/", {"q": "x" * 499 + " korea"}),
    ("/search/", {"q": " ".join(_junk[:62]), "sort": "oldest"}),
    # Parameters a scraper or a broken link sends.
    ("/search/", {"q": "korea", "page": "10000"}),
    ("/search/", {"q": "people", "region": [f"place-{i}" for i in range(60)]}),
    ("/search/", {"year": [str(y) for y in range(1900, 2030)]}),
    ("/search/", {"q": "party", "from": "0001-01-01", "to": "9999-12-31"}),
    ("/search/", {"find_region": "a" * 100, "find_agency": "*", "find_topic": "?"}),
    ("/search/", {"q": "*", "sort": "oldest", "page": "5000"}),
    ("/search/rss/", {"q": "*", "region": "north-korea"}),
]


def hostile_urls() -> list[str]:
    return [f"{path}?{urlencode(params, doseq=True)}" for path, params in HOSTILE]


def hostile_phase(base: str, seconds: float, browsing: list[str]) -> dict:
    """Two clients loop the hostile list while two others browse ``browsing`` paths.

    Returns the browsers' p50/p95 (ms), the slowest hostile answer, and every
    status seen: what a reader feels while someone hammers the site.
    """
    attacks, pages = hostile_urls(), list(browsing)
    found = {"browse": [], "hostile": []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(kind: str, paths: list[str], seed: int):
        rng = random.Random(seed)
        order = list(paths)
        rng.shuffle(order)
        i = 0
        while time.monotonic() < deadline:
            path = order[i % len(order)]
            i += 1
            started = time.perf_counter()
            status = fetch_status(base + path)
            with lock:
                found[kind].append((status, (time.perf_counter() - started) * 1000))

    threads = [threading.Thread(target=client, args=("hostile", attacks, n)) for n in range(2)]
    threads += [threading.Thread(target=client, args=("browse", pages, 10 + n)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    browse = sorted(ms for _, ms in found["browse"])
    statuses = {}
    for status, _ in found["browse"] + found["hostile"]:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "seconds": seconds,
        "browse_requests": len(browse),
        "browse_p50_ms": round(statistics.median(browse), 1) if browse else None,
        "browse_p95_ms": round(browse[min(len(browse) - 1, int(0.95 * len(browse)))], 1)
        if browse
        else None,
        "hostile_requests": len(found["hostile"]),
        "hostile_slowest_ms": round(max((ms for _, ms in found["hostile"]), default=0), 1),
        "statuses": statuses,
    }


def fetch_status(url: str, timeout: float = 60) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0
