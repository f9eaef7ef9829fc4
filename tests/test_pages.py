"""What readers see: only published reports, with honest dates."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains

from archive.models import Region, Report

from .conftest import index_now
from .factories import make_agency, make_region, make_report

pytestmark = pytest.mark.django_db


def test_home_lists_published_reports_only(client):
    make_report("Public one")
    make_report("Secret draft", status=Report.Status.DRAFT)
    index_now()
    response = client.get("/")
    assert [card.report.title for card in response.context["cards"]] == ["Public one"]
    assert response.context["total"] == 1
    assertContains(response, "1 published report in the archive")
    assert "Secret draft" not in response.content.decode()


def test_report_page_shows_facts_and_unknown_dates_honestly(client):
    region = make_region("Ryanggang", slug="ryanggang")
    report = make_report(
        "Border crackdown",
        pub_month=1,
        pub_day=15,
        translator="Violet Kim",
        regions=[region],
        original_url="https://example.org/original",
    )
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Jan. 15, year unknown" in page
    assert "Violet Kim" in page
    assert 'href="https://example.org/original"' in page
    assert 'href="/regions/ryanggang/"' in page


def test_unpublished_reports_are_not_found_and_withdrawn_ones_are_gone(client):
    for status in (Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.WITHDRAWN):
        report = make_report(status=status)
        assert client.get(report.get_absolute_url()).status_code == 404
    once_public = make_report()
    once_public.status = Report.Status.WITHDRAWN
    once_public.save()
    assert client.get(once_public.get_absolute_url()).status_code == 410


def test_preview_is_for_staff_only(client, django_user_model):
    draft = make_report("Unfinished", status=Report.Status.DRAFT)
    url = reverse("archive:report-preview", kwargs={"slug": draft.slug})
    assert client.get(url).status_code == 302  # to the login page
    staff = django_user_model.objects.create_user("ed", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff without report permissions
    staff.groups.add(Group.objects.get(name="Editors"))
    page = client.get(url).content.decode()
    assert "Unfinished" in page and "Preview for editors" in page


def test_region_page_includes_places_inside_it(client):
    country = make_region("North Korea", Region.Kind.COUNTRY)
    province = make_region("Ryanggang", parent=country)
    city = make_region("Hyesan", Region.Kind.CITY, parent=province)
    make_report("In Hyesan", regions=[city])
    make_report("Elsewhere")
    make_report("Hidden in Hyesan", regions=[city], status=Report.Status.DRAFT)
    index_now()
    response = client.get(province.get_absolute_url())
    assert [card.report.title for card in response.context["cards"]] == ["In Hyesan"]
    assertContains(response, "1 published report ·")
    assert "Hidden" not in response.content.decode()
    assert response.context["parents"] == [country]


def test_agency_page(client):
    army = make_agency("Korean People's Army", abbreviation="KPA")
    agency = make_agency("Defense Security Command", parent=army, description="Army security.")
    make_report("Joint crackdown", agencies=[agency])
    index_now()
    page = client.get(agency.get_absolute_url()).content.decode()
    assert "Joint crackdown" in page and "Army security." in page and "Korean People" in page


def test_unknown_term_is_not_found(client):
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_a_term_only_drafts_use_has_no_public_page(client):
    from .factories import make_topic

    topic = make_topic("Secret project", slug="secret-project")
    make_report("Draft", status=Report.Status.DRAFT, topics=[topic])
    index_now()
    assert client.get(topic.get_absolute_url()).status_code == 404
    make_report("Public", topics=[topic])
    index_now()
    assert client.get(topic.get_absolute_url()).status_code == 200


def test_bad_page_number_gives_a_page_not_an_error(client):
    make_report("Only")
    index_now()
    assert client.get("/", {"page": "99999"}).status_code == 200
    assert client.get("/", {"page": "abc"}).status_code == 200


def test_section_heads_in_capitals_are_shown_as_headings(client):
    report = make_report(body="First point.\n\nLEAVING NO STONE UNTURNED\n\nSecond point.")
    page = client.get(report.get_absolute_url()).content.decode()
    assert '<h2 class="subhead">Leaving no stone unturned</h2>' in page
    assert "<p>Second point.</p>" in page


def test_not_found_page_is_the_archive_s_own(client):
    response = client.get("/reports/no-such-report/")
    assert response.status_code == 404
    assert "There is no published page at this address" in response.content.decode()
