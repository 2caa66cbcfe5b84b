"""Time the station import on the configured database, beside PostgreSQL's COPY.

A national list of stations runs to tens of thousands of rows (Peru has about
86,000 voting tables). The benchmark generates such a list as a CSV file, runs
it through the import that users run: the upload's request (which leaves a list
this long to the task worker: it counts the lines and matches the columns), the
preview the worker makes (read, check every row), then
the write its confirmation makes, foreign keys checked as a commit checks them.
The confirmation checks the file again before it writes (the mission may have
changed since the preview), so it takes the two together. On PostgreSQL the
same file is also loaded with a plain COPY, twice: into a bare temporary table,
the fastest a server takes rows, and into the stations table itself, with the
indexes and constraints any import must keep. Then it exports the first
EXPORT_ROWS of the stations as the XLSX file users download.

Everything happens in one transaction that is rolled back at the end, so that
no synthetic mission, station or history row is left behind.
"""

import csv
import io
import random
import secrets
import tempfile
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from observation import exports
from observation.imports import StationImporter, preview_in_request, read_table
from observation.models import Mission, Organization, PollingStation

# A large country's list as users export it.
EXPORT_ROWS = 30_000

# Departments of Peru, accents included, as a real list would have them.
DEPARTMENTS = [
    "Amazonas", "Áncash", "Apurímac", "Arequipa", "Ayacucho", "Cajamarca", "Callao", "Cusco",
    "Huancavelica", "Huánuco", "Ica", "Junín", "La Libertad", "Lambayeque", "Lima", "Loreto",
    "Madre de Dios", "Moquegua", "Pasco", "Piura", "Puno", "San Martín", "Tacna", "Tumbes",
    "Ucayali",
]  # fmt: skip
HEADER = [
    "Code", "Name", "Department", "Province", "District", "Registered voters", "Latitude",
    "Longitude",
]  # fmt: skip


@dataclass(frozen=True)
class BenchmarkResult:
    rows: int
    vendor: str
    preview_seconds: float
    write_seconds: float
    copy_seconds: float | None
    copy_into_table_seconds: float | None
    export_rows: int
    export_seconds: float
    # What the upload's request does with a file too long to check in it: count its lines
    # and match its columns; the task worker checks the rows.
    upload_request_seconds: float

    @property
    def confirm_seconds(self) -> float:
        return self.preview_seconds + self.write_seconds


def generated_stations(rows: int, *, seed: int = 2000) -> bytes:
    """A station list as a spreadsheet program would save it: CSV, UTF-8."""
    rng = random.Random(seed)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(HEADER)
    for n in range(rows):
        department = rng.choice(DEPARTMENTS)
        writer.writerow(
            [
                f"{n:06d}",
                f"I.E. N° {n} {department}",
                department,
                f"Provincia {n % 196}",
                f"Distrito {n % 1874}",
                rng.randint(50, 300),
                f"{rng.uniform(-18.3, -0.1):.6f}",
                f"{rng.uniform(-81.3, -68.7):.6f}",
            ]
        )
    return output.getvalue().encode("utf-8")


def _check_foreign_keys() -> None:
    """Check the deferred foreign keys now, as the commit would, which a benchmark rolled
    back never reaches."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _copy_into_table_seconds(content: bytes, mission: Mission) -> float:
    """COPY the file's rows into the stations table, for another mission: the file with
    the columns it leaves to their defaults, written out before the clock starts."""
    rows = csv.reader(io.StringIO(content.decode("utf-8")))
    next(rows)
    output = io.StringIO()
    csv.writer(output).writerows([mission.pk, "", "", False, *row] for row in rows)
    columns = "mission_id, area_4, area_5, in_sample, code, name, area_1, area_2, area_3,"
    columns += " registered_voters, latitude, longitude"
    table = PollingStation._meta.db_table
    with connection.cursor() as cursor:
        start = time.perf_counter()
        with cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN"
            " WITH (FORMAT csv, FORCE_NOT_NULL (area_4, area_5))"
        ) as copy:
            copy.write(output.getvalue())
        _check_foreign_keys()
        return time.perf_counter() - start


def _copy_seconds(content: bytes) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_station_copy ("
            " code varchar(64), name varchar(500), area_1 varchar(100), area_2 varchar(100),"
            " area_3 varchar(100), registered_voters integer, latitude numeric(9, 6),"
            " longitude numeric(9, 6)) ON COMMIT DROP"
        )
        start = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_station_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(content)
        return time.perf_counter() - start


def run_import_benchmark(*, rows: int) -> BenchmarkResult:
    content = generated_stations(rows)
    name = f"Import benchmark {secrets.token_hex(4)}"
    with transaction.atomic():
        organization = Organization.objects.create(name=name, kind=Organization.Kind.OBSERVER_GROUP)
        mission, other = (
            Mission.objects.create(
                name=f"{name} {n}",
                country="PE",
                election="Synthetic station list",
                kind=Mission.Kind.FULL,
                lead_organization=organization,
                area_label_1="Department",
                area_label_2="Province",
                area_label_3="District",
            )
            for n in (1, 2)
        )
        importer = StationImporter(mission)
        # A list shorter than the setting (a smoke test's) is taken as long all the same.
        lines = min(settings.IMPORT_PREVIEW_IN_REQUEST_ROWS, rows - 1)
        with override_settings(IMPORT_PREVIEW_IN_REQUEST_ROWS=lines):
            start = time.perf_counter()
            preview_in_request(importer, content, "stations.csv")
            upload_request_seconds = time.perf_counter() - start
        start = time.perf_counter()
        preview = importer.preview(read_table(content, "stations.csv"))
        checked = time.perf_counter()
        if not preview.is_valid:
            raise RuntimeError(f"The generated list did not pass its checks: {preview.errors[:3]}")
        importer.save(preview)
        if connection.vendor == "postgresql":
            _check_foreign_keys()
        written = time.perf_counter()
        copy_seconds = into_table_seconds = None
        if connection.vendor == "postgresql":
            copy_seconds = _copy_seconds(content)
            into_table_seconds = _copy_into_table_seconds(content, other)
        exported = PollingStation.objects.filter(mission=mission).order_by("code")[:EXPORT_ROWS]
        export_start = time.perf_counter()
        with tempfile.TemporaryFile() as output:
            exports.write_xlsx(
                output,
                columns=exports.station_columns(mission),
                records=exported.iterator(chunk_size=exports.ITERATOR_CHUNK_SIZE),
                title="Stations",
            )
        export_seconds = time.perf_counter() - export_start
        transaction.set_rollback(True)
    return BenchmarkResult(
        rows=rows,
        vendor=connection.vendor,
        preview_seconds=checked - start,
        write_seconds=written - checked,
        copy_seconds=copy_seconds,
        copy_into_table_seconds=into_table_seconds,
        export_rows=min(rows, EXPORT_ROWS),
        export_seconds=export_seconds,
        upload_request_seconds=upload_request_seconds,
    )
