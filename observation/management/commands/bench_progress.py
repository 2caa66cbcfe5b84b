from django.core.management.base import BaseCommand

from observation.progress_benchmark import run


class Command(BaseCommand):
    help = (
        "Time a round's reporting progress (its JSON document) against one raw SQL query "
        "on a synthetic election day in the configured database, then remove it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stations", type=int, default=30_000)
        parser.add_argument("--teams", type=int, default=300)
        parser.add_argument("--reports", type=int, default=60_000)
        parser.add_argument("--repeat", type=int, default=3, help="Best of this many runs.")

    def handle(self, *args, stations, teams, reports, repeat, **options):
        run(stations=stations, teams=teams, reports=reports, repeat=repeat, write=self.stdout.write)
