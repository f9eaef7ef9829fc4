"""The benchmark's corpus: reports made up to any size from the KCNA articles."""

import json
import random
from pathlib import Path

from django.utils import timezone

from archive.management.measuring.queries import COMMON, RARE
from archive.models import Agency, Region, Report, Source, Topic


def make_corpus(size: int, corpus: Path) -> None:
    """Real articles first, then new ones recombined from their paragraphs; tagged at random."""
    rng = random.Random(2024)
    records = []
    if corpus.exists():
        with corpus.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines]
    paragraphs = [p for r in records for p in r["body"].split("\n\n") if len(p) > 80]
    titles = [r["title"] for r in records]
    if not paragraphs:  # no corpus here: words from a small generator
        words = (COMMON + RARE + ["security", "border", "market", "officials", "report"]) * 3
        paragraphs = [" ".join(rng.choices(words, k=60)) + "." for _ in range(2000)]
        titles = [" ".join(rng.choices(words, k=6)).capitalize() for _ in range(2000)]
    leaves = list(Region.objects.exclude(kind=Region.Kind.COUNTRY).values_list("pk", flat=True))
    agencies = list(Agency.objects.values_list("pk", flat=True))
    topics = list(Topic.objects.values_list("pk", flat=True))
    sources = list(Source.objects.all())
    now = timezone.now()
    through = {name: getattr(Report, name).through for name in ("regions", "agencies", "topics")}
    batch, links = [], {name: [] for name in through}

    def flush():
        created = Report.objects.bulk_create(batch)
        for report, tags in zip(created, [b._tags for b in batch], strict=True):
            for name, pks in tags.items():
                column = {"regions": "region_id", "agencies": "agency_id", "topics": "topic_id"}[
                    name
                ]
                links[name] += [through[name](report_id=report.pk, **{column: pk}) for pk in pks]
        for name, rows in links.items():
            through[name].objects.bulk_create(rows)
            rows.clear()
        batch.clear()

    for n in range(size):
        if n < len(records):
            title, body = records[n]["title"], records[n]["body"]
        else:
            title = rng.choice(titles)
            body = "\n\n".join(rng.sample(paragraphs, rng.randint(3, 8)))
        year = rng.randint(2011, 2024) if rng.random() > 0.1 else None
        report = Report(
            headline=title[:300],
            slug=f"bench-{n}",
            body=body,
            status=Report.Status.PUBLISHED,
            publish_at=now,
            source=rng.choice(sources) if sources else None,
            pub_year=year,
            pub_month=rng.randint(1, 12) if year else None,
        )
        report.pub_date = report.date.sort_date()
        report._tags = {
            "regions": rng.sample(leaves, rng.randint(1, 3)),
            "agencies": rng.sample(agencies, rng.randint(0, 2)),
            "topics": rng.sample(topics, rng.randint(1, 2)),
        }
        batch.append(report)
        if len(batch) == 2000:
            flush()
    if batch:
        flush()
