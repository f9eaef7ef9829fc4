"""Production settings, security headers, login throttling and hostile report text."""

import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from .conftest import index_now
from .factories import make_agency, make_region, make_report

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '"><svg onload=alert(1)>',
]


class _ActiveParts(HTMLParser):
    """What a browser would run: scripts without src, on… handlers, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("<script> inline")


def active_parts(html: str) -> list[str]:
    parser = _ActiveParts()
    parser.feed(html)
    return parser.found


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DJANGO_HTTPS": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ARCHIVE_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_pages_send_the_security_headers(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_style():
    """What the policy would block: inline <script>, <style>, style= and on…= handlers."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style", r"\sstyle=", r"\son[a-z]+="):
            if re.search(pattern, html):
                found.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert found == []


def test_admin_login_is_throttled(client):
    User.objects.create_superuser("chief", password="right-password-123")
    User.objects.create_superuser("other", password="right-password-456")
    url = "/admin/login/?next=/admin/"
    for _ in range(4):
        response = client.post(url, {"username": "chief", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    fifth = client.post(url, {"username": "chief", "password": "wrong"})
    assert fifth.status_code == 429
    assert "Too many failed logins" in fifth.content.decode()
    # Locked: even the right password is refused now.
    locked = client.post(url, {"username": "chief", "password": "right-password-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out.
    other = client.post(url, {"username": "other", "password": "right-password-456"})
    assert other.status_code == 302


def test_hostile_text_is_inert_on_every_page_snippet_and_feed(client):
    place = make_region(f"Hyesan {HOSTILE[0]}", slug="hyesan")
    agency = make_agency(f"Bureau {HOSTILE[1]}", slug="bureau")
    report = make_report(
        f"Alert {HOSTILE[0]}",
        slug="alert",
        dek=f"Dek {HOSTILE[1]}",
        body="\n\n".join(f"Alert paragraph {h}" for h in HOSTILE),
        keywords=HOSTILE[3],
        reporter=HOSTILE[2],
        photo_caption=HOSTILE[1],
        original_url="javascript:alert(1)",
        regions=[place],
        agencies=[agency],
    )
    index_now()
    pages = [
        "/",
        report.get_absolute_url(),
        "/search/?q=alert",
        "/search/?q=alert+paragraph",
        "/regions/hyesan/",
        "/agencies/bureau/",
        "/search/?find_region=hyesan",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "Alert" in html, url
        assert active_parts(html) == [], url
    for url in [
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/search/rss/?q=alert",
        "/search/atom/?q=alert",
    ]:
        tree = ElementTree.fromstring(client.get(url).content)
        escaped = False
        for element in tree.iter():
            # Descriptions and summaries are HTML to a feed reader once the XML is
            # read; titles are text.
            if element.tag.rsplit("}", 1)[-1] in ("description", "summary", "content"):
                value = element.text or ""
                assert active_parts(value) == [], (url, element.tag)
                escaped = escaped or "&lt;img src=x onerror" in value
        assert escaped, url  # the hostile dek is there, as escaped text


@pytest.mark.parametrize(
    "query, message",
    [
        ("region=%00", ""),  # nothing left of it: simply no filter
        ("source=a%00b", "There is no source “ab”"),
        ("agency=%00nowhere", "There is no agency “nowhere”"),
        ("topic=" + "x" * 5000, "There is no topic “xxxx"),
        ("q=%00", ""),
    ],
)
def test_control_characters_and_huge_values_are_refused_politely(client, query, message):
    """PostgreSQL refuses NUL in text: such values must never reach a query."""
    response = client.get(f"/search/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_behind_the_proxy_each_client_is_throttled_on_its_own(client, settings):
    from archive.common.clients import client_address

    settings.PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    User.objects.create_superuser("chief", password="right-password-123")
    url = "/admin/login/?next=/admin/"
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    for n in range(5):
        # A spoofed first entry changes nothing: the proxy's entry is counted.
        spoofed = {**attacker, "HTTP_X_FORWARDED_FOR": f"1.1.1.{n}, 203.0.113.9"}
        client.post(url, {"username": "chief", "password": "wrong"}, **spoofed)
    locked = client.post(url, {"username": "chief", "password": "right-password-123"}, **attacker)
    assert locked.status_code == 429
    editor = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    allowed = client.post(url, {"username": "chief", "password": "right-password-123"}, **editor)
    assert allowed.status_code == 302

    class Request:
        META = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "a, b"}

    assert client_address(Request) == "b"


def test_nul_in_any_query_parameter_never_reaches_a_query(client):
    User.objects.create_superuser("chief", password="pw")
    client.force_login(User.objects.get(username="chief"))
    assert client.get("/admin/archive/report/?status=%00").status_code in (200, 302)
    assert client.get("/admin/archive/region/?q=%00").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/a%00b/",
        "/alerts/unsubscribe/a%00b/",
        "/alerts/confirm/a%00b/",
        "/reports/a%00b/",
        "/reports/a%00b/changes/",
        "/regions/a%00b/",
        "/admin/archive/report/1%00/change/",
    ],
)
def test_nul_in_a_path_is_not_found_on_every_database(client, path):
    # PostgreSQL refuses NUL in text: these answered 500 there (SQLite: 404).
    assert client.get(path).status_code == 404


def test_forwarded_for_is_believed_only_from_the_proxy(settings):
    from archive.common.clients import client_address

    settings.PROXY_COUNT = 1  # as with DJANGO_HTTPS, but nothing in front

    class Direct:  # a client reaching the server itself, claiming any address
        META = {"REMOTE_ADDR": "203.0.113.50", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}

    class ThroughProxy:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7"}

    assert client_address(Direct) == "203.0.113.50"
    assert client_address(ThroughProxy) == "198.51.100.7"

    class MappedProxy:  # the same proxy, as an IPv6 socket names it
        META = {**ThroughProxy.META, "REMOTE_ADDR": "::ffff:127.0.0.1"}

    assert client_address(MappedProxy) == "198.51.100.7"
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(ThroughProxy) == "127.0.0.1"


def test_a_trusted_proxy_that_is_no_address_is_refused_at_start():
    env = {**os.environ, "DJANGO_TRUSTED_PROXIES": "10.0.0.5,proxy.internal"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    checked = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert checked.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: 'proxy.internal' is not an address" in checked.stderr
