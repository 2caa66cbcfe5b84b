from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from observation.loadtest import run


class Command(BaseCommand):
    help = (
        "Election night under load: staff on the web form, observers on the API, reviewers "
        "deciding and the core team polling progress, at once, against gunicorn and "
        "PostgreSQL, at several numbers of users; checks that the reports stored are those "
        "acknowledged, then removes everything it created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=20, help="Length of each round.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
        parser.add_argument(
            "--users", default="2,4,8", help="Staff (and observers) per round, comma-separated."
        )
        parser.add_argument("--stations", type=int, default=5000, help="Polling stations.")

    def handle(self, *args, seconds, workers, users, stations, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Load test: skipped, it needs PostgreSQL (DATABASE_URL).")
            return
        counts = [int(count) for count in users.split(",") if count.strip()]
        consistent = run(
            seconds=seconds,
            workers=workers,
            users=counts,
            stations=stations,
            write=self.stdout.write,
        )
        if not consistent:
            raise CommandError("Reports stored differ from those acknowledged.")
