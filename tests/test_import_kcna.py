"""The whole real KCNA corpus: 19,887 articles, dirt included."""

import json
import os

import pytest
from django.core.management import call_command
from django.db import connection

from archive.models import Report, Topic

from .conftest import SHARED_DATA

CORPUS = SHARED_DATA / "kcna_corpus.jsonl"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    # The same import, run on SQLite: on PostgreSQL it took 40 s of make test's five
    # minutes (the other import tests run on both).
    pytest.mark.skipif(connection.vendor == "postgresql", reason="run on SQLite"),
    # Skipped on a machine without the shared data, never in CI, where it is there.
    pytest.mark.skipif(
        not CORPUS.exists() and not os.environ.get("CI"), reason=f"{CORPUS} is not here"
    ),
]


def test_the_whole_corpus_imports_once(capsys):
    call_command("import_reports", str(CORPUS))
    # 23 records repeat an earlier one (the same address or headline and day, the
    # texts alike): each is named with the line it repeats, and skipped.
    assert Report.objects.count() == 19_887 - 23
    out = capsys.readouterr()
    assert "19864 new, 0 already in the archive, 23 the same story as another" in out.out
    said = out.out + out.err
    assert "kcna_corpus.jsonl:19025: the same story as line 19019 (same source address" in said
    assert "kcna_corpus.jsonl:1091: the same story as line 1087 (same headline and date" in said
    assert "100% 19887/19887" in out.err  # the progress bar reached the end

    # Dirt is mended: no ".," paragraph joins left; every record has its date.
    assert not Report.objects.filter(body__regex=r"[a-z]{4}\.,\s+[A-Z]").exists()
    assert not Report.objects.filter(pub_date=None).exists()
    # A story issued again at the same address, edited, is the same story.
    revised = "http://www.kcna.kp/en/article/q/a713c2df6798b0f051a4fac14e5953be.kcmsf"
    assert Report.objects.filter(original_url=revised).count() == 1
    # The kcna.kp records bring their own sections: kept on the report as the
    # source's sections, not made into topics nobody curated (that is --create-topics).
    assert not Topic.objects.filter(name="Home News").exists()
    assert Report.objects.filter(sections__contains="Home News").count() > 400
    assert "kept as the source's sections: “Home News”" in out.out

    # Importing again with --keep-duplicates adds the skipped ones, and only those: the
    # reports already in the archive are not imported twice.
    call_command("import_reports", str(CORPUS), keep_duplicates=True, verbosity=0)
    assert Report.objects.count() == 19_887
    assert Report.objects.filter(original_url=revised).count() == 2
    # Every record now in, the mending left abbreviations as they were.
    raw = [json.loads(line)["body"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    bodies = list(Report.objects.values_list("body", flat=True))
    for abbreviation in ("U.S., ", "C.C., ", "Co., "):
        assert sum(b.count(abbreviation) for b in bodies) == sum(
            b.count(abbreviation) for b in raw
        ), abbreviation
