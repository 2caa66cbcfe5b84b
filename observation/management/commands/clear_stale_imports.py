import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observation.imports import clear_stale_uploads


class Command(BaseCommand):
    help = (
        "Delete station lists and rosters that were uploaded and previewed but never "
        "confirmed. Run it daily (cron or a scheduled task): rosters hold personal data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="Delete uploads older than this (default 24)."
        )

    def handle(self, *args, hours, **options):
        if hours < 0:
            raise CommandError(_("--hours must not be negative."))
        deleted = clear_stale_uploads(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(
            ngettext(
                "Deleted %(count)d waiting upload older than %(hours)d h.",
                "Deleted %(count)d waiting uploads older than %(hours)d h.",
                deleted,
            )
            % {"count": deleted, "hours": hours}
        )
