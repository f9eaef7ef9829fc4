"""Readers' side of search alerts: the form, the confirmation page and unsubscribing.

The form posts (CSRF-protected) to ``subscribe``; the confirmation mail
links to ``confirm``, which asks for one more click (a POST), because mail
scanners open links by themselves; every mail links to ``unsubscribe``,
which works on the first click.
"""

import logging

from django import forms
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..common.clients import client_address
from ..models import Subscription
from ..search.links import hidden_inputs
from . import alerts

log = logging.getLogger(__name__)
TOKEN_LENGTH = 100  # tokens are 43 characters; anything longer is not one


class AlertForm(forms.Form):
    address = forms.EmailField(label=_("Your e-mail address"), max_length=254)


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """GET: the alert form for the search in the address (``?q=…&region=…``).
    POST: ask for alerts, which mails a confirmation (or says to wait: 429).

    Context: ``form``, ``query`` (the search's parameters), ``description``,
    ``outcome`` ("sent", "busy", "failed" or None).
    """
    data = request.POST if request.method == "POST" else request.GET
    query = alerts.saved_query(data)
    form = AlertForm(request.POST) if request.method == "POST" else AlertForm()
    outcome, status = None, 200
    if form.is_bound and form.is_valid():
        outcome = alerts.request_alert(form.cleaned_data["address"], query, client_address(request))
        status = {"sent": 200, "busy": 429}[outcome]
    context = {
        "form": form,
        "query": query,
        "description": alerts.describe(query),
        "alert_hidden": hidden_inputs(QueryDict(query), ("page", "sort")),
        "outcome": outcome,
    }
    return render(request, "archive/alert_subscribe.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET: what is being confirmed, and a button; POST: confirmed. 404 for an unknown
    or expired link. Context: ``description``, ``state`` ("ask" or "confirmed")."""
    subscription = Subscription.objects.awaiting(token[:TOKEN_LENGTH])
    if subscription is None:
        return render(request, "archive/alert_confirm.html", {"state": "invalid"}, status=404)
    state = "ask"
    if request.method == "POST":
        Subscription.objects.confirm(token[:TOKEN_LENGTH])
        log.info("alerts: subscription %s confirmed", subscription.pk)
        state = "confirmed"
    context = {"state": state, "description": alerts.describe(subscription.query)}
    return render(request, "archive/alert_confirm.html", context)


# Mail programs send the one-click POST (RFC 8058) without a CSRF token; the
# unguessable token in the address is what authorises it.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Delete the subscription (and its address) at once; the same page every time."""
    Subscription.objects.unsubscribe(token[:TOKEN_LENGTH])
    return render(request, "archive/alert_unsubscribe.html")
