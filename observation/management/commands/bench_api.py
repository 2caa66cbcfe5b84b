from django.core.management.base import BaseCommand
from django.db import connection

from api.bench import run


class Command(BaseCommand):
    help = (
        "Field intake through the API under load: gunicorn against PostgreSQL, a bounded "
        "load generator posting complete reports from many teams, beside a trivial API "
        "view's ceiling and plain SQL INSERTs of the same rows; checks that the reports "
        "stored are those acknowledged, then removes everything it created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=20, help="Length of each run.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
        parser.add_argument("--clients", type=int, default=6, help="Concurrent clients.")
        parser.add_argument("--teams", type=int, default=200, help="Observer teams (tokens).")
        parser.add_argument("--stations", type=int, default=5000, help="Polling stations.")

    def handle(self, *args, seconds, workers, clients, teams, stations, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("API intake benchmark: skipped, it needs PostgreSQL (DATABASE_URL).")
            return
        consistent = run(
            seconds=seconds,
            workers=workers,
            clients=clients,
            teams=teams,
            stations=stations,
            write=self.stdout.write,
        )
        if not consistent:
            raise SystemExit("Stored reports differ from those acknowledged.")
