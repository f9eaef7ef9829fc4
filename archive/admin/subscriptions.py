"""Readers' search alerts, read-only and masked."""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

from ..models import (
    Subscription,
)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Readers' search alerts, addresses masked: they are read here, never edited or added.

    Deleting one stops its mails (a reader who asks by other means).
    """

    list_display = ["masked_address", "query", "created", "confirmed", "last_sent"]
    list_filter = [("confirmed", admin.EmptyFieldListFilter)]
    fields = ["masked_address", "query", "created", "confirm_sent", "confirmed", "last_sent"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("e-mail address"))
    def masked_address(self, subscription):
        return subscription.masked_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters: ``?address__startswith=a`` would spell out a
        masked address letter by letter (refused: 400)."""
        return lookup.split(LOOKUP_SEP)[0] in FILTERABLE_SUBSCRIPTION_FIELDS


FILTERABLE_SUBSCRIPTION_FIELDS = {"confirmed", "created", "last_sent", "query"}
