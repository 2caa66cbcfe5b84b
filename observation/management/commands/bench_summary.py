from django.core.management.base import BaseCommand

from observation.bench import run


class Command(BaseCommand):
    help = (
        "Time the mission summary (HTML, PDF) against one raw SQL query on a synthetic "
        "mission in the configured database, then remove the mission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stations", type=int, default=1000)
        parser.add_argument("--reports", type=int, default=20000)
        parser.add_argument("--irregularities", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=3, help="Best of this many runs.")

    def handle(self, *args, stations, reports, irregularities, repeat, **options):
        run(
            stations=stations,
            reports=reports,
            irregularities=irregularities,
            repeat=repeat,
            write=self.stdout.write,
        )
