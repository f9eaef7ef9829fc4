"""Terms get ``reference``: in the curated vocabulary, public before any published report uses it.

Existing terms are marked as the archive treated them until now, without the
leak: the terms of ``fixtures/vocabularies.json`` (listed here as they were
when the field was added) are reference vocabulary, and so is any term no
report uses at all (such terms were public). A term only unpublished reports
use stays private; one published reports use is public through them.
"""

from django.db import migrations, models

CURATED = {
    "region": [
        "north-korea",
        "south-korea",
        "china",
        "russia",
        "malaysia",
        "pyongyang",
        "rason",
        "nampo",
        "kaesong",
        "south-pyongan",
        "north-pyongan",
        "chagang",
        "south-hwanghae",
        "north-hwanghae",
        "kangwon",
        "south-hamgyong",
        "north-hamgyong",
        "ryanggang",
        "hyesan",
        "pochon-county",
        "kim-jong-suk-county",
        "samsu-county",
        "hoeryong",
        "chongjin",
        "kimchaek",
        "rajin",
        "uiju-county",
        "sinuiju",
        "sakju-county",
        "changsong-county",
        "pyoktong-county",
        "chosan-county",
        "usi-county",
        "wiwon-county",
        "manpo",
        "chasong-county",
        "chunggang-county",
        "kim-hyong-jik-county",
        "samjiyon",
        "taehongdan-county",
        "musan-county",
        "yonsa-county",
        "onsong-county",
        "saeppyol-county",
        "kyonghung-county",
        "sonbong",
    ],
    "agency": [
        "ministry-of-state-security",
        "ministry-of-social-security",
        "korean-peoples-army",
        "defense-security-command",
        "no-8-inspection-unit",
        "reconnaissance-general-bureau",
        "organization-and-guidance-department",
        "ministry-of-national-defence",
    ],
    "topic": [
        "border-control",
        "corruption",
        "defections",
        "overseas-workers",
        "surveillance",
        "mobile-phones",
        "smuggling",
        "personnel",
        "public-discontent",
    ],
    "source": [
        "daily-nk",
    ],
}


def used_terms(apps, name: str) -> set[int]:
    """Primary keys of the terms some report is tagged with (a region: or a place in it)."""
    report = apps.get_model("archive", "Report")
    if name == "source":
        return set(report.objects.exclude(source=None).values_list("source_id", flat=True))
    field = report._meta.get_field({"region": "regions", "agency": "agencies"}.get(name, "topics"))
    tagged = set(field.remote_field.through.objects.values_list(f"{name}_id", flat=True))
    if name != "region":
        return tagged
    parents = dict(apps.get_model("archive", "Region").objects.values_list("pk", "parent_id"))
    used = set()
    for pk in tagged:
        while pk is not None and pk not in used:
            used.add(pk)
            pk = parents.get(pk)
    return used


def mark_reference(apps, schema_editor):
    for name, slugs in CURATED.items():
        model = apps.get_model("archive", name)
        curated = set(model.objects.filter(slug__in=slugs).values_list("pk", flat=True))
        unused = set(model.objects.values_list("pk", flat=True)) - used_terms(apps, name)
        pks = sorted(curated | unused)
        for start in range(0, len(pks), 500):  # within every database's limit of parameters
            model.objects.filter(pk__in=pks[start : start + 500]).update(reference=True)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="reference",
            field=models.BooleanField(
                default=False,
                help_text="Tick for a term of the curated vocabulary (e.g. a county from the gazetteer): its names are public before any published report uses it, so its other spellings redirect and widen searches. Leave unticked for a term made for unpublished work: it stays private until a report using it is published.",
                verbose_name="in the reference vocabulary",
            ),
        ),
        migrations.AddField(
            model_name="region",
            name="reference",
            field=models.BooleanField(
                default=False,
                help_text="Tick for a term of the curated vocabulary (e.g. a county from the gazetteer): its names are public before any published report uses it, so its other spellings redirect and widen searches. Leave unticked for a term made for unpublished work: it stays private until a report using it is published.",
                verbose_name="in the reference vocabulary",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="reference",
            field=models.BooleanField(
                default=False,
                help_text="Tick for a term of the curated vocabulary (e.g. a county from the gazetteer): its names are public before any published report uses it, so its other spellings redirect and widen searches. Leave unticked for a term made for unpublished work: it stays private until a report using it is published.",
                verbose_name="in the reference vocabulary",
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="reference",
            field=models.BooleanField(
                default=False,
                help_text="Tick for a term of the curated vocabulary (e.g. a county from the gazetteer): its names are public before any published report uses it, so its other spellings redirect and widen searches. Leave unticked for a term made for unpublished work: it stays private until a report using it is published.",
                verbose_name="in the reference vocabulary",
            ),
        ),
        migrations.RunPython(mark_reference, migrations.RunPython.noop),
    ]
