from django.core.management.base import BaseCommand

from observation.import_benchmark import run_import_benchmark


class Command(BaseCommand):
    help = (
        "Import generated polling stations into a synthetic mission through the station "
        "import, print the time and rows per second (and, on PostgreSQL, a plain COPY of the "
        "same rows for reference), then roll everything back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=90_000, help="Stations to generate.")

    def handle(self, *args, rows, **options):
        result = run_import_benchmark(rows=rows)
        self.stdout.write(
            f"Station import, {result.rows:,} rows on {result.vendor}: "
            f"{result.import_seconds:.2f} s, {result.rows / result.import_seconds:,.0f} rows/s "
            f"(read and checked in {result.check_seconds:.2f} s, "
            f"written in {result.write_seconds:.2f} s)"
        )
        self.stdout.write(
            f"Station export, {result.export_rows:,} rows as XLSX: "
            f"{result.export_seconds:.2f} s, "
            f"{result.export_rows / result.export_seconds:,.0f} rows/s"
        )
        if result.copy_seconds is not None:
            self.stdout.write(
                f"Reference, PostgreSQL COPY of the same file into a temporary table: "
                f"{result.copy_seconds:.2f} s, {result.rows / result.copy_seconds:,.0f} rows/s"
            )
