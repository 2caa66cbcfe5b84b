from django.db import migrations

# The standard list: every abuse named in the Peru 2000 and 2001 reports, then
# the common ones. Codes are stable: imports, exports and overvote detection use them.
CATEGORIES = [
    ("pre_marked_ballots", "Pre-marked ballots", "Ballots already marked for a candidate."),
    (
        "candidate_missing",
        "Candidate missing from the ballot",
        "Ballots that leave out a candidate.",
    ),
    (
        "intimidation",
        "Intimidation by police or military",
        "Voters, officials or observers intimidated by security forces.",
    ),
    (
        "tabulation_delay",
        "Unexplained delays in tabulation",
        "Inexplicable delays in the vote-computing process.",
    ),
    (
        "overvote",
        "More ballots cast than registered voters",
        "Ballots cast exceed the station's registered voters. Raised by overvote detection.",
    ),
    ("late_opening", "Late opening", "The polling station opened late."),
    (
        "station_not_opened",
        "Polling station not opened",
        "The polling station did not open at all.",
    ),
    ("box_not_sealed", "Ballot box not sealed", ""),
    ("secrecy_compromised", "Secrecy of the vote compromised", ""),
    ("voters_turned_away", "Voters turned away", ""),
    ("unauthorised_persons", "Unauthorised persons present", ""),
    ("observers_obstructed", "Observers obstructed", ""),
    ("vote_buying", "Vote buying", ""),
    ("campaigning_at_station", "Campaigning at the polling station", ""),
    ("missing_materials", "Missing election materials", ""),
    ("other", "Other", ""),
]


def seed(apps, schema_editor):
    Category = apps.get_model("observation", "IrregularityCategory")
    for position, (code, name, description) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "position": position * 10,
                "system_raised": code == "overvote",
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("observation", "IrregularityCategory")
    Category.objects.filter(code__in=[code for code, _, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("observation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
