"""The soak's second process: what editors and imports do while its readers read."""

import json
import os
import random
import tempfile
import time
from pathlib import Path

from archive.editing.importers.store import import_file
from archive.models import Report


def edit_for(seconds: float) -> dict:
    """The second process: what editors and imports do, as fast as the database allows."""
    rng = random.Random(7)
    done = {"saved": 0, "published": 0, "unpublished": 0, "deleted": 0, "imported": 0}
    deadline = time.monotonic() + seconds
    batch = 0
    while time.monotonic() < deadline:
        pks = list(Report.objects.values_list("pk", flat=True).order_by("?")[:5])
        action = rng.choice(["save", "save", "publish", "unpublish", "delete", "import"])
        if action == "save":
            for report in Report.objects.filter(pk__in=pks[:3]):
                report.body += f"\n\nUpdated at {time.time():.3f}."
                report.save()
                done["saved"] += 1
        elif action == "publish":
            done["published"] += Report.objects.filter(pk__in=pks, headline__gt="").update(
                status=Report.Status.PUBLISHED
            )
        elif action == "unpublish":
            done["unpublished"] += Report.objects.filter(pk__in=pks[:2]).update(
                status=Report.Status.DRAFT
            )
        elif action == "delete":
            done["deleted"] += (
                Report.objects.filter(pk__in=pks[:1]).delete()[1].get("archive.Report", 0)
            )
        else:
            batch += 1
            records = [
                json.dumps(
                    {
                        "id": f"soak-{batch}-{n}",
                        "title": f"Soak import {batch}-{n}",
                        "date": "2024-05-01",
                        "body": f"Imported during the soak. {n}",
                        "source": "Daily NK",
                    }
                )
                for n in range(50)
            ]
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
                f.write("\n".join(records))
            result = import_file(Path(f.name), status=Report.Status.PUBLISHED)
            os.unlink(f.name)
            done["imported"] += result.created
        time.sleep(0.05)
    return done
