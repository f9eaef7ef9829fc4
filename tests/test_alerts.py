"""Search alerts: double opt-in, one-click unsubscribe, limits, new reports mailed once."""

import datetime
import io
import logging
import re
import smtplib
import threading
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import QueuedMail, Report, Subscription
from archive.models.alerts import CONFIRM_WITHIN
from archive.research import alerts

from .conftest import index_now
from .factories import make_report

pytestmark = pytest.mark.django_db

ADDRESS = "reader@example.org"
MASKED = "r***@e***.org"


def subscribe(client, address=ADDRESS, ip="203.0.113.5", **search):
    """Ask for an alert, then let the indexer's loop send what was queued."""
    response = client.post("/alerts/", {"address": address, **search}, REMOTE_ADDR=ip)
    alerts.send_queued_mail()
    return response


def link(mail, kind: str) -> str:
    """The path of the confirmation or unsubscribe link in a mail."""
    return re.search(rf"http://testserver(/alerts/{kind}/[\w-]+/)", mail.body).group(1)


def confirmed(client, mailoutbox, **search) -> Subscription:
    subscribe(client, **search)
    client.post(link(mailoutbox[-1], "confirm"))
    return Subscription.objects.confirmed().get()


def send_alerts() -> str:
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    return out.getvalue()


def test_nothing_is_mailed_before_the_reader_confirms(client, mailoutbox):
    response = subscribe(client, q="smuggling")
    assert response.status_code == 200
    assert "a message is on its way" in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == [ADDRESS] and mail.subject == "Confirm your alert: “smuggling”"
    unsubscribe = f"http://testserver{link(mail, 'unsubscribe')}"
    assert unsubscribe in mail.body
    assert mail.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    make_report("Smuggling on the border", body="Smuggling continues.")
    index_now()
    send_alerts()
    assert len(mailoutbox) == 1  # not confirmed: no alert

    confirm = link(mail, "confirm")
    assert '<button type="submit">Confirm</button>' in client.get(confirm).content.decode()
    assert Subscription.objects.get().confirmed is None  # opening the link is not enough
    assert "Confirmed." in client.post(confirm).content.decode()
    assert Subscription.objects.get().confirmed is not None
    assert client.get(confirm).status_code == 404  # used up


def test_confirmation_links_expire_and_unconfirmed_alerts_are_forgotten(
    client, mailoutbox, monkeypatch
):
    subscribe(client)
    later = timezone.now() + CONFIRM_WITHIN + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(link(mailoutbox[0], "confirm")).status_code == 404
    assert "forgot 1 unconfirmed alert" in send_alerts()
    assert not Subscription.objects.exists()


def test_new_published_matches_are_mailed_once_newest_first(client, mailoutbox):
    make_report("Smuggling before", body="Smuggling, old news.")  # before the confirmation
    index_now()
    confirmed(client, mailoutbox, q="smuggling")
    mailoutbox.clear()
    recent = make_report(
        "Smuggling in Hyesan", body="Smuggling rings.", pub_year=2024, pub_month=5, pub_day=1
    )
    make_report("Smuggling in 2001", body="Smuggling then.", pub_year=2001)
    make_report("Smuggling, date unknown", body="Smuggling, undated.")
    make_report("Weather report", body="Rain.")
    make_report("Draft on smuggling", body="Smuggling draft.", status=Report.Status.DRAFT)
    index_now()
    assert "mailed 1 alert(s)" in send_alerts()
    (mail,) = mailoutbox
    headlines = ["Smuggling in Hyesan", "Smuggling in 2001", "Smuggling, date unknown"]
    places = [mail.body.index(h) for h in headlines]
    assert places == sorted(places)  # newest first, undated last
    assert f"http://testserver/reports/{recent.slug}/" in mail.body
    for other in ("Smuggling before", "Weather", "Draft on smuggling"):
        assert other not in mail.body
    assert (
        mail.extra_headers["List-Unsubscribe"] == f"<http://testserver{link(mail, 'unsubscribe')}>"
    )
    send_alerts()
    assert len(mailoutbox) == 1  # mailed once

    make_report("Smuggling, late", body="Smuggling again.")
    send_alerts()  # not searchable until the indexer has it: kept for the next run
    assert len(mailoutbox) == 1
    index_now()
    send_alerts()
    assert len(mailoutbox) == 2 and "Smuggling, late" in mailoutbox[1].body
    assert Subscription.objects.get().last_sent is not None


def test_unsubscribing_takes_one_click_and_can_be_repeated(client, mailoutbox):
    confirmed(client, mailoutbox)
    path = link(mailoutbox[0], "unsubscribe")
    assert "Unsubscribed" in client.get(path).content.decode()
    assert not Subscription.objects.exists()
    assert client.get(path).status_code == 200  # the same answer the second time
    # A mail program's one-click POST (RFC 8058) carries no CSRF token.
    confirmed(client, mailoutbox, q="agents")
    strict = Client(enforce_csrf_checks=True)
    path = link(mailoutbox[-1], "unsubscribe")
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.exists()


def test_every_search_page_has_the_form_and_it_needs_its_csrf_token(client, demo):
    html = client.get("/search/?q=agents&region=north-hamgyong").content.decode()
    form = html[html.index('class="alert-form"') :]
    assert 'name="csrfmiddlewaretoken"' in form and 'type="email" name="address"' in form
    assert 'name="q" value="agents"' in form and 'name="region" value="north-hamgyong"' in form
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/alerts/", {"address": ADDRESS, "q": "agents"}).status_code == 403
    assert not Subscription.objects.exists()
    response = subscribe(client, q="agents", region="north-hamgyong")
    assert Subscription.objects.get().query == "q=agents&region=north-hamgyong"
    assert "agents”" in response.content.decode()


def test_one_confirmation_an_hour_per_address_and_a_few_per_client(client, mailoutbox, monkeypatch):
    for search in ("smuggling", "smuggling", "another search"):
        assert subscribe(client, q=search).status_code == 200  # told the same each time
    assert len(mailoutbox) == 1
    for n in range(4):
        subscribe(client, address=f"reader{n}@example.org")
    assert len(mailoutbox) == 5
    refused = subscribe(client, address="reader9@example.org")
    assert refused.status_code == 429 and len(mailoutbox) == 5
    assert subscribe(client, address="reader9@example.org", ip="198.51.100.7").status_code == 200
    assert len(mailoutbox) == 6  # from another network
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    subscribe(client, q="another search")
    assert len(mailoutbox) == 7 and mailoutbox[-1].to == [ADDRESS]


def test_addresses_are_never_shown_or_logged_in_clear(client, admin_client, mailoutbox, caplog):
    caplog.set_level(logging.INFO)
    subscription = confirmed(client, mailoutbox, q="smuggling")
    make_report("Smuggling in Hyesan", body="Smuggling rings.")
    index_now()
    send_alerts()
    assert len(mailoutbox) == 2
    assert str(subscription) == f"{MASKED}: q=smuggling"
    admin = reverse("admin:archive_subscription_changelist")
    for url in (admin, reverse("admin:archive_subscription_change", args=[subscription.pk])):
        html = admin_client.get(url).content.decode()
        assert MASKED in html and ADDRESS not in html
    assert admin_client.get(reverse("admin:archive_subscription_add")).status_code == 403
    assert "subscription" in caplog.text and ADDRESS not in caplog.text


def test_a_mail_server_failure_keeps_nothing_and_logs_no_address(
    client, mailoutbox, monkeypatch, caplog
):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    response = subscribe(client, q="smuggling")
    # Told the same as when the mail goes: the mail is tried after the answer.
    assert response.status_code == 200 and "a message is on its way" in response.content.decode()
    assert not Subscription.objects.exists() and not QueuedMail.objects.exists()
    assert "SMTPRecipientsRefused" in caplog.text and ADDRESS not in caplog.text
    monkeypatch.undo()
    assert subscribe(client, q="smuggling").status_code == 200  # no hour to wait
    assert len(mailoutbox) == 1


def test_the_confirmation_is_mailed_after_the_answer_has_gone(client, mailoutbox):
    """How long the answer takes must not tell whether a mail was sent: it is queued,
    and the indexer's loop sends it."""
    response = client.post(
        "/alerts/", {"address": ADDRESS, "q": "smuggling"}, REMOTE_ADDR="1.2.3.4"
    )
    assert response.status_code == 200 and "a message is on its way" in response.content.decode()
    assert mailoutbox == [] and QueuedMail.objects.count() == 1
    assert alerts.send_queued_mail() == (1, 0)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ADDRESS]
    assert not QueuedMail.objects.exists()
    assert alerts.send_queued_mail() == (0, 0)  # sent once
    assert "List-Unsubscribe" in mailoutbox[0].extra_headers


def test_the_indexers_loop_sends_the_queued_confirmations(client, mailoutbox):
    from archive.search import indexing

    client.post("/alerts/", {"address": ADDRESS, "q": "smuggling"}, REMOTE_ADDR="1.2.3.4")
    turns = iter([False, True])
    indexing.run(interval=0, stop=lambda: next(turns), chores=[alerts.send_queued_mail])
    assert len(mailoutbox) == 1


def test_asking_for_a_search_already_confirmed_keeps_the_hour_free(client, mailoutbox):
    confirmed(client, mailoutbox, q="smuggling")
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    with mock.patch.object(timezone, "now", return_value=later):
        subscribe(client, q="smuggling")  # already confirmed: nothing to mail
        subscribe(client, q="another search")
    assert len(mailoutbox) == 2 and "another search" in mailoutbox[-1].subject


def test_one_mailbox_however_it_is_spelled_gets_one_confirmation_an_hour(client, mailoutbox):
    for spelling in ("reader@example.org", "Reader+news@Example.org", "r.e.a.d.e.r@example.org"):
        assert subscribe(client, address=spelling, q="smuggling").status_code == 200
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_mail_one_address_once(mailoutbox):
    barrier = threading.Barrier(2)
    statuses = []

    def ask(n: int):
        barrier.wait()
        response = subscribe(Client(), "racer@example.org", f"198.51.100.{n}", q=f"search {n}")
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.clear()  # this test's rows stay (no transaction to roll back)
    assert statuses == [200, 200] and len(mailoutbox) == 1


def test_the_readers_words_are_quoted_and_cut_short_in_the_mail(client, mailoutbox):
    words = "Click here to claim your prize at evil.example " + "x" * 300
    subscribe(client, q=words)
    mail = mailoutbox[0]
    assert len(mail.subject) <= 120 and "“Click here to claim" in mail.subject
    assert "x" * 100 not in mail.body and "“Click here to claim your prize" in mail.body


def test_the_subscriptions_list_cannot_be_filtered_by_address(admin_client, client, mailoutbox):
    confirmed(client, mailoutbox, q="smuggling")
    url = reverse("admin:archive_subscription_changelist")
    assert admin_client.get(url, {"confirmed__isnull": "False"}).status_code == 200
    for lookup in ("address", "address__startswith", "address_digest", "unsubscribe_token"):
        for value in ("reader@example.org", "r", "x"):
            response = admin_client.get(url, {lookup: value})
            assert response.status_code == 400, lookup


def test_the_keyed_hashes_of_stored_addresses_never_change():
    """Subscriptions are found by these hashes: a changed key (a module renamed into its
    salt, say) would lose every stored alert's duplicate check and limits."""
    from archive.models.alerts import digest

    # With the tests' secret key, as the hash has been made since alerts began.
    assert digest("address", " Reader@Example.org ") == "c3daa33a56038edcecbfbca6571558d4db33fcb3"
    assert digest("client", "203.0.113.5") == "b35e8485326096405b7cd135a662a1297d183bd0"


def test_a_reader_who_subscribed_in_korean_gets_mails_in_korean(client, mailoutbox):
    client.post("/alerts/", {"address": ADDRESS, "q": "smuggling"}, HTTP_ACCEPT_LANGUAGE="ko")
    alerts.send_queued_mail()
    (confirmation,) = mailoutbox
    assert confirmation.subject.startswith("알림 확인")
    client.post(link(confirmation, "confirm"))
    assert Subscription.objects.get().language == "ko"
    make_report(
        "Smuggling in Hyesan", body="Smuggling rings.", pub_year=2024, pub_month=5, pub_day=1
    )
    index_now()
    send_alerts()  # from a command, with no reader's request to take a language from
    alert = mailoutbox[1]
    assert alert.subject.startswith("새 기사")
    assert "2024년 5월 1일" in alert.body and "Smuggling in Hyesan" in alert.body
