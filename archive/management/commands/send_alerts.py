from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from archive.research import alerts


class Command(BaseCommand):
    help = (
        "Mail each confirmed search alert the reports published for the first time since "
        "the last run (once the indexer has them), and forget alerts never confirmed. "
        "Run it from cron (every few minutes, or daily), one run at a time."
    )

    def handle(self, *args, **options):
        # Confirmations waiting (the indexer sends them too, when it runs).
        confirmations, unsent = alerts.send_queued_mail()
        if confirmations or unsent:
            self.stdout.write(f"Mailed {confirmations} confirmation(s), {unsent} failed.")
        try:
            outcome = alerts.send_alerts()
        except IntegrityError:
            # Both runs claimed the same reports: the other one mails them.
            raise CommandError("Another send_alerts is running; nothing was mailed.") from None
        self.stdout.write(
            f"Checked {outcome.checked} new report(s); mailed {outcome.mailed} alert(s), "
            f"{outcome.failed} failed; forgot {outcome.expired} unconfirmed alert(s)."
        )
        if outcome.failed:
            raise CommandError(f"{outcome.failed} alert mail(s) could not be sent (see the log).")
