"""Time the station import on the configured database, beside PostgreSQL's COPY.

A national list of stations runs to tens of thousands of rows (Peru has about
86,000 voting tables). The benchmark generates such a list as a CSV file, runs
it through the import that users run (read, check every row, write), and on
PostgreSQL also loads the same file with a plain COPY into a temporary table:
the fastest any import could be on that server. Then it exports the first
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

from django.db import connection, transaction

from observation import exports
from observation.imports import StationImporter, read_table
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
    check_seconds: float
    write_seconds: float
    copy_seconds: float | None
    export_rows: int
    export_seconds: float

    @property
    def import_seconds(self) -> float:
        return self.check_seconds + self.write_seconds


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
        mission = Mission.objects.create(
            name=name,
            country="PE",
            election="Synthetic station list",
            kind=Mission.Kind.FULL,
            lead_organization=organization,
            area_label_1="Department",
            area_label_2="Province",
            area_label_3="District",
        )
        importer = StationImporter(mission)
        start = time.perf_counter()
        preview = importer.preview(read_table(content, "stations.csv"))
        checked = time.perf_counter()
        if not preview.is_valid:
            raise RuntimeError(f"The generated list did not pass its checks: {preview.errors[:3]}")
        importer.save(preview)
        written = time.perf_counter()
        copy_seconds = _copy_seconds(content) if connection.vendor == "postgresql" else None
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
        check_seconds=checked - start,
        write_seconds=written - checked,
        copy_seconds=copy_seconds,
        export_rows=min(rows, EXPORT_ROWS),
        export_seconds=export_seconds,
    )
