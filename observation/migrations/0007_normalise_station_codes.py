"""Station codes are stored as they are looked up (normalise_code): bring the stored ones
in step. A code whose normal form another station of its mission already holds is left
as it is: those two stations are one, and their reports must be merged by hand."""

from django.db import migrations

from observation.models.missions import normalise_code


def normalise(apps, schema_editor):
    PollingStation = apps.get_model("observation", "PollingStation")
    taken = set(PollingStation.objects.values_list("mission_id", "code"))
    for station in PollingStation.objects.only("pk", "mission_id", "code").iterator():
        code = normalise_code(station.code)
        if code == station.code or (station.mission_id, code) in taken:
            continue
        taken.discard((station.mission_id, station.code))
        taken.add((station.mission_id, code))
        PollingStation.objects.filter(pk=station.pk).update(code=code)


class Migration(migrations.Migration):
    dependencies = [("observation", "0006_mission_settings")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
