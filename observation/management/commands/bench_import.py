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
        per_second = result.rows / result.write_seconds
        self.stdout.write(
            f"Station import, {result.rows:,} rows on {result.vendor}: "
            f"upload request {result.upload_request_seconds * 1000:.0f} ms (every row "
            "checked by the task worker); "
            f"preview {result.preview_seconds:.2f} s; "
            f"confirm {result.confirm_seconds:.2f} s (checked again, then written in "
            f"{result.write_seconds:.2f} s, {per_second:,.0f} rows/s)"
        )
        self.stdout.write(
            f"Station export, {result.export_rows:,} rows as XLSX: "
            f"{result.export_seconds:.2f} s, "
            f"{result.export_rows / result.export_seconds:,.0f} rows/s"
        )
        references = [
            ("into a bare temporary table", result.copy_seconds),
            ("into the stations table, its indexes and keys", result.copy_into_table_seconds),
        ]
        for where, seconds in references:
            if seconds is not None:
                self.stdout.write(
                    f"Reference, PostgreSQL COPY of the same file {where}: {seconds:.2f} s, "
                    f"{result.rows / seconds:,.0f} rows/s; the import's write takes "
                    f"{result.write_seconds / seconds:.1f} times as long"
                )
