from django.core.management.base import BaseCommand
from django.db import connection

from observation.pages_benchmark import run


class Command(BaseCommand):
    help = (
        "Time the core team's pages (mission home, review queue, report list) idle through "
        "gunicorn on PostgreSQL, at 20,000 and 200,000 reports, then remove what it built."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reports", type=int, nargs="+", default=[20_000, 200_000], help="Mission sizes."
        )
        parser.add_argument("--requests", type=int, default=50, help="Requests per page.")
        parser.add_argument("--stations", type=int, default=5000, help="Polling stations.")

    def handle(self, *args, reports, requests, stations, **options):
        if connection.vendor != "postgresql":
            self.stdout.write(
                "Core-team pages benchmark: skipped, it needs PostgreSQL (DATABASE_URL)."
            )
            return
        run(sizes=sorted(reports), requests=requests, stations=stations, write=self.stdout.write)
