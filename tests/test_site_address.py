"""Every absolute link the site writes comes from its configured address
(``ARCHIVE_SITE_URL``), whatever address a request came by."""

import re

import pytest
from django.test import override_settings

from archive.models import Report
from archive.research import alerts

from .conftest import index_now

pytestmark = pytest.mark.django_db

SITE = "https://archive.example.org"


@override_settings(ARCHIVE_SITE_URL=SITE, ALLOWED_HOSTS=["127.0.0.1"])
def test_links_in_feeds_sitemap_api_citations_and_mail_use_the_configured_address(
    client, demo, mailoutbox
):
    index_now()
    asked = {"HTTP_HOST": "127.0.0.1:8041"}  # as make serve PORT=8041 is reached
    report = Report.objects.published().first()
    pages = {
        "feed": client.get("/feeds/latest/atom/", **asked).content.decode(),
        "search feed": client.get("/search/rss/?q=security", **asked).content.decode(),
        "sitemap": client.get("/sitemap.xml", **asked).content.decode(),
        "api": client.get("/api/v1/search/?q=security", **asked).content.decode(),
        "report": client.get(report.get_absolute_url(), **asked).content.decode(),
        "export": client.get("/search/export.jsonl?q=security", **asked).getvalue().decode(),
    }
    for name, text in pages.items():
        assert f"{SITE}/" in text, name
        assert "127.0.0.1:8041" not in text, name
        assert "http://testserver" not in text, name
    assert f"<loc>{SITE}/reports/{report.slug}/</loc>" in pages["sitemap"]

    client.post("/alerts/", {"address": "reader@example.org", "q": "security"}, **asked)
    alerts.send_queued_mail()
    (mail,) = mailoutbox
    assert re.search(rf"{re.escape(SITE)}/alerts/confirm/[\w-]+/", mail.body)
