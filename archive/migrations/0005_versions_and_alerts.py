"""Report versions (citable states of published reports) and search alerts.

Every published report gets version 1: its present text, dated when it went
public (see ``first_versions``).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from archive.models import versions


def first_versions(apps, schema_editor):
    """Every published report gets version 1 as it is now, dated when it went public.

    No earlier state was kept for readers, so the present text is the first
    version a citation can name. A report scheduled for later gets its
    version dated then, as a save would give it.
    """
    report_model = apps.get_model("archive", "Report")
    version_model = apps.get_model("archive", "ReportVersion")
    many = [f.name for f in report_model._meta.many_to_many]
    reports = (
        report_model.objects.filter(status="published")
        .select_related("source")
        .prefetch_related(*many)
        .iterator(chunk_size=500)
    )
    batch = []
    for report in reports:
        content = versions.snapshot(report, ["source"], many)
        batch.append(
            version_model(
                report_id=report.pk,
                number=1,
                public_from=report.first_published or report.publish_at,
                content=content,
                fingerprint=versions.fingerprint(content),
            )
        )
        if len(batch) >= 500:
            version_model.objects.bulk_create(batch)
            batch = []
    version_model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_tag_rules_and_sections"),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckedReport",
            fields=[
                (
                    "report",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="archive.report",
                        verbose_name="report",
                    ),
                ),
                (
                    "checked",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="checked"),
                ),
            ],
            options={
                "verbose_name": "report checked for alerts",
                "verbose_name_plural": "reports checked for alerts",
            },
        ),
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "address",
                    models.EmailField(
                        help_text="Never shown in clear.",
                        max_length=254,
                        verbose_name="e-mail address",
                    ),
                ),
                (
                    "address_digest",
                    models.CharField(db_index=True, max_length=64, verbose_name="address hash"),
                ),
                (
                    "client_digest",
                    models.CharField(
                        db_index=True, max_length=64, verbose_name="requested from (hash)"
                    ),
                ),
                (
                    "query",
                    models.TextField(
                        help_text="The search's parameters, e.g. “q=bowibu&region=hyesan”.",
                        verbose_name="search",
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="requested"
                    ),
                ),
                (
                    "confirm_digest",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="confirmation token hash"
                    ),
                ),
                (
                    "confirm_sent",
                    models.DateTimeField(
                        db_index=True, null=True, verbose_name="confirmation mailed"
                    ),
                ),
                (
                    "confirmed",
                    models.DateTimeField(blank=True, null=True, verbose_name="confirmed"),
                ),
                (
                    "unsubscribe_token",
                    models.CharField(max_length=64, unique=True, verbose_name="unsubscribe token"),
                ),
                (
                    "last_sent",
                    models.DateTimeField(blank=True, null=True, verbose_name="last alert mailed"),
                ),
            ],
            options={
                "verbose_name": "search alert",
                "verbose_name_plural": "search alerts",
                "ordering": ["-created"],
            },
        ),
        migrations.CreateModel(
            name="ReportVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="1 for the first, e.g. 3.", verbose_name="version"
                    ),
                ),
                (
                    "public_from",
                    models.DateTimeField(
                        db_index=True,
                        help_text="When readers could first see it.",
                        verbose_name="public from",
                    ),
                ),
                ("content", models.JSONField(verbose_name="public fields")),
                (
                    "fingerprint",
                    models.CharField(
                        help_text="SHA-256 of the public fields.",
                        max_length=64,
                        verbose_name="fingerprint",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="archive.report",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "report version",
                "verbose_name_plural": "report versions",
                "ordering": ["report", "number"],
                "get_latest_by": "number",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("report", "number"), name="unique_report_version"
                    )
                ],
            },
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
