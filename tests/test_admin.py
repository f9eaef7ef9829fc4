"""The admin pages an editor uses day to day, and what editors may do."""

import datetime
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from archive.models import Report

from .factories import make_region, make_report

pytestmark = pytest.mark.django_db


def test_editors_group_has_exactly_the_archive_permissions():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    vocabularies = {
        f"{action}_{model}"
        for model in ("region", "agency", "topic", "source", "person", "position")
        for action in ("add", "change", "delete", "view")
    }
    aliases = {
        f"{action}_{model}alias"
        for model in ("region", "agency", "topic", "person")
        for action in ("add", "change", "delete", "view")
    }
    suggestions = {"change_tagsuggestion", "view_tagsuggestion"}
    suggestions |= {f"{action}_correction" for action in ("add", "change", "delete", "view")}
    reports = {"add_report", "change_report", "view_report"}
    incidents = {"add_incident", "change_incident", "view_incident"}
    incidents |= {f"{action}_incidentreport" for action in ("add", "change", "delete", "view")}
    incidents |= {"change_incidentproposal", "view_incidentproposal"}
    assert codenames == vocabularies | aliases | suggestions | reports | incidents
    assert not Permission.objects.filter(group__name="Editors", content_type__app_label="auth")


def test_editor_can_add_a_report_through_the_admin(client, editor):
    region = make_region("Ryanggang", slug="ryanggang")
    response = client.post(
        reverse("admin:archive_report_add"),
        {
            "headline": "Smugglers fined in Hyesan",
            "slug": "smugglers-fined-in-hyesan",
            "body": "Several smugglers were fined.\n\nThe source said so.",
            "pub_month": "1",
            "pub_day": "15",
            "regions": [region.pk],
            "status": "draft",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report = Report.objects.get()
    assert str(report.date) == "Jan. 15, year unknown"
    assert list(report.regions.all()) == [region]


def test_admin_refuses_an_impossible_date_with_a_message(client, editor):
    response = client.post(
        reverse("admin:archive_report_add"),
        {
            "headline": "x",
            "slug": "x",
            "body": "y",
            "pub_year": "2023",
            "pub_month": "2",
            "pub_day": "30",
            "status": "draft",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "Day 30 does not exist in month 2." in response.content.decode()
    assert not Report.objects.exists()


def test_editor_cannot_manage_users_or_groups(client, editor):
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:archive_report_changelist")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "admin:archive_report_changelist",
        "admin:archive_report_add",
        "admin:archive_region_changelist",
        "admin:archive_agency_changelist",
        "admin:archive_topic_changelist",
        "admin:archive_source_changelist",
    ],
)
def test_editor_pages_open(client, editor, demo, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.templates[0].name.startswith(("admin/", "reversion/"))
    assert "NK Security Reports Archive: editors" in response.content.decode()


def test_report_list_shows_status_date_and_tags(client, editor, demo):
    page = client.get(reverse("admin:archive_report_changelist")).content.decode()
    assert "April 19, 2024" in page
    assert "Date unknown" in page
    assert "Kim Jong Suk County" in page
    assert "MSS" in page


def test_list_can_be_searched_and_filtered(client, editor, demo):
    url = reverse("admin:archive_report_changelist")
    page = client.get(url, {"q": "Hoeryong"}).content.decode()
    assert "Safety agents quit" in page and "border patrol" not in page
    page = client.get(url, {"pub_date__year": "2024"}).content.decode()
    assert "state security agency cracks down" in page and "Safety agents" not in page


def test_tag_autocomplete_answers(client, editor, demo):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "hyes",
            "app_label": "archive",
            "model_name": "report",
            "field_name": "regions",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Hyesan"]


def test_change_form_opens_with_view_on_site(client, editor, demo):
    report = Report.objects.get(slug="safety-agents-quit-for-safer-jobs")
    page = client.get(reverse("admin:archive_report_change", args=[report.pk])).content.decode()
    assert 'href="/reports/safety-agents-quit-for-safer-jobs/" class="viewsitelink"' in page
    assert "Date of the report" in page


def test_actions_publish_unpublish_withdraw(client, editor):
    draft = make_report("Ready", status=Report.Status.DRAFT)
    untitled = make_report("", status=Report.Status.IN_REVIEW)
    url = reverse("admin:archive_report_changelist")

    def act(action, *reports):
        return client.post(
            url,
            {"action": action, "_selected_action": [r.pk for r in reports]},
            follow=True,
        )

    response = act("publish", draft, untitled)
    assert "Not published, no headline yet" in response.content.decode()
    draft.refresh_from_db()
    untitled.refresh_from_db()
    assert draft.is_public and untitled.status == Report.Status.IN_REVIEW

    act("unpublish", draft)
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT

    act("withdraw", draft)
    draft.refresh_from_db()
    assert draft.status == Report.Status.WITHDRAWN
    assert not Report.objects.published().exists()


def test_publishing_keeps_a_future_schedule(client, editor):
    later = timezone.now() + datetime.timedelta(days=1)
    report = make_report("Tomorrow", status=Report.Status.DRAFT, publish_at=later)
    client.post(
        reverse("admin:archive_report_changelist"),
        {"action": "publish", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED and report.publish_at == later
    assert not report.is_public


def test_view_on_site_points_drafts_to_the_preview(client, editor):
    draft = make_report("Draft", status=Report.Status.DRAFT, slug="draft")
    public = make_report("Public", slug="public")
    from archive.admin.reports import ReportAdmin

    admin = ReportAdmin(Report, None)
    assert admin.view_on_site(draft) == "/reports/draft/preview/"
    assert admin.view_on_site(public) == "/reports/public/"


def test_create_editor_command(monkeypatch, client):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_editor", "sam")
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "a-long-enough-passphrase")
    call_command("create_editor", "sam", verbosity=0)
    # The login throttle (django-axes) needs the request a real login has.
    login = client.post(
        "/admin/login/", {"username": "sam", "password": "a-long-enough-passphrase"}
    )
    assert login.status_code == 302
    assert client.get(reverse("admin:archive_report_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    with pytest.raises(CommandError, match="already an account"):
        call_command("create_editor", "sam")


def test_create_editor_at_a_terminal_asks_again_after_a_short_password(monkeypatch, capsys):
    import getpass

    from django.contrib.auth.models import User
    from django.core.management import CommandError, call_command

    monkeypatch.delenv("DJANGO_EDITOR_PASSWORD", raising=False)
    typed = iter(["short", "a-long-enough-passphrase", "a-long-enough-passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    call_command("create_editor", "kim", verbosity=0)
    assert "too short" in capsys.readouterr().err
    assert User.objects.get(username="kim").check_password("a-long-enough-passphrase")

    typed = iter(["short", "also", "nope"])
    with pytest.raises(CommandError, match="no good password in 3 tries"):
        call_command("create_editor", "lee")
    assert not User.objects.filter(username="lee").exists()


def test_list_filters_by_region(client, editor, demo):
    from archive.models import Region

    hyesan = Region.objects.get(slug="hyesan")
    page = client.get(
        reverse("admin:archive_report_changelist"), {"regions__id__exact": hyesan.pk}
    ).content.decode()
    assert "border patrol" in page and "Safety agents" not in page


def add_report(client, **fields):
    data = {
        "headline": "Smugglers fined",
        "slug": "smugglers-fined",
        "body": "Several smugglers were fined.",
        "status": "draft",
        "publish_at_0": "2026-01-01",
        "publish_at_1": "09:00:00",
        **fields,
    }
    return client.post(reverse("admin:archive_report_add"), data, follow=True)


def test_a_pasted_soft_line_break_is_removed_and_the_editor_told(client, editor):
    response = add_report(
        client, headline="Smugglers\vfined in Hyesan", body="Several smugglers\vwere fined."
    )
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.headline == "Smugglers fined in Hyesan"
    assert report.body == "Several smugglers were fined."
    page = response.content.decode()
    assert "Removed invisible control characters" in page
    assert "headline, body" in page


def test_admin_refuses_a_body_over_the_limit_with_a_message(client, editor):
    response = add_report(client, body="word " * 40_001)
    assert response.status_code == 200
    assert "at most 200,000 characters" in response.content.decode()
    assert not Report.objects.exists()


def test_adding_a_report_the_archive_has_already_warns_with_a_link(client, editor):
    from .factories import make_report

    text = (
        "Several smugglers were fined in Hyesan last week after the border guards caught them "
        "carrying mobile phones and medicine across the river at night."
    )
    there = make_report(
        "Smugglers fined", slug="old-one", body=text, original_url="https://x.org/a"
    )
    response = add_report(
        client,
        slug="new-one",
        body=text.replace("last week", "on Friday"),
        original_url="https://x.org/a",
    )
    page = unescape(response.content.decode())
    assert "This may be the same story as a report already in the archive" in page
    assert f'<a href="/admin/archive/report/{there.pk}/change/">old-one</a>' in page
    assert Report.objects.filter(slug="new-one").exists()  # warned, not refused
    other = add_report(client, slug="other", headline="Traders fined", body="Rain fell.")
    assert "This may be the same story" not in other.content.decode()


def test_a_raw_report_pasted_in_the_admin_is_cleaned_shown_then_made_a_draft(client, editor):
    from pathlib import Path

    from archive.models import Report

    raw = (Path(__file__).parent / "data" / "seeds" / "000_e8dc7ec1720bde61.txt").read_text()
    paste = reverse("admin:archive_report_paste")
    assert (
        "Add from pasted text"
        in client.get(reverse("admin:archive_report_changelist")).content.decode()
    )
    preview = unescape(client.post(paste, {"text": raw, "preview": "1"}).content.decode())
    assert "Removed as page furniture (2 lines)" in preview
    assert "<del>Read in Korean</del>" in preview and "#Korea #reforms" in preview
    assert "Body (13 paragraphs)" in preview and "— none: the draft goes to review" in preview
    assert not Report.objects.exists()  # nothing saved by a preview

    response = client.post(paste, {"text": raw, "create": "1"}, follow=True)
    report = Report.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:archive_report_change", args=[report.pk]
    )
    assert report.status != Report.Status.PUBLISHED
    assert report.body.count("\n\n") == 12  # single newlines kept as paragraphs
    assert "Read in Korean" not in report.body and "#Korea" not in report.body
    again = client.post(paste, {"text": raw, "create": "1"}, follow=True)
    assert "This text is in the archive already." in again.content.decode()
    assert Report.objects.count() == 1

    furniture = client.post(paste, {"text": "Read in Korean\n#Korea #news", "preview": "1"})
    assert "no report body" in furniture.content.decode()


def test_merging_duplicates_keeps_the_first_with_every_tag_and_leads_the_others_to_it(
    client, editor, vocabularies
):
    from archive.models import Region

    from .conftest import index_now
    from .factories import make_report

    hyesan, kangwon = Region.objects.get(slug="hyesan"), Region.objects.get(slug="kangwon")
    first = make_report("Guards fined", slug="first", regions=[hyesan])
    again = make_report("Guards fined again", slug="again", regions=[kangwon])
    Report.objects.filter(pk=first.pk).update(first_published=first.publish_at)
    client.post(
        reverse("admin:archive_report_changelist"),
        {"action": "merge_duplicates", "_selected_action": [again.pk, first.pk]},
    )
    first.refresh_from_db()
    again.refresh_from_db()
    assert {r.slug for r in first.regions.all()} == {"hyesan", "kangwon"}
    assert again.merged_into == first and again.status == Report.Status.WITHDRAWN
    assert "Merged with again: the same story." in first.editor_notes
    index_now()
    page = client.get("/reports/again/")
    assert page.status_code == 301 and page["Location"] == "/reports/first/"
    assert client.get("/reports/again/v1/").status_code == 301
    assert client.get("/reports/again/changes/").status_code == 301
    assert client.get("/api/v1/reports/again/").json()["slug"] == "first"
    found = client.get("/search/?q=guards").context["results"].reports
    assert [r.slug for r in found] == ["first"]
