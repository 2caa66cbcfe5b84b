"""The six yes/no questions every report used to carry become the standard
checklist: library questions, adopted by every mission as its checklist for
every phase, with every stored answer moved to it."""

from django.db import migrations

YES_NO = [
    {"name": "yes", "labels": {"en": "Yes", "es": "Sí"}},
    {"name": "no", "labels": {"en": "No", "es": "No"}},
]
# (code, English, Spanish, the answer that is a concern)
STANDARD = [
    ("opened_on_time", "Opened on time", "La mesa se instaló a tiempo", "no"),
    ("ballot_boxes_sealed", "Ballot boxes sealed", "Ánforas selladas", "no"),
    ("secrecy_ensured", "Secrecy of the vote ensured", "Secreto del voto garantizado", "no"),
    ("voter_list_available", "Voter list available", "Padrón electoral disponible", "no"),
    (
        "unauthorised_persons_present",
        "Unauthorised persons present",
        "Personas no autorizadas presentes",
        "yes",
    ),
    (
        "security_forces_inside",
        "Police or military inside",
        "Policías o militares dentro del local",
        "yes",
    ),
]
BATCH = 2000


def forwards(apps, schema_editor):
    Library = apps.get_model("observation", "LibraryQuestion")
    Mission = apps.get_model("observation", "Mission")
    Checklist = apps.get_model("observation", "Checklist")
    Question = apps.get_model("observation", "Question")
    Answer = apps.get_model("observation", "Answer")
    Report = apps.get_model("observation", "ObserverReport")

    library = {}
    for code, english, spanish, concern in STANDARD:
        library[code], _created = Library.objects.get_or_create(
            code=code,
            defaults={
                "type": "yes_no",
                "labels": {"en": english, "es": spanish},
                "choices": YES_NO,
                "concern": [concern],
            },
        )
    for mission in Mission.objects.all():
        checklist = Checklist.objects.create(
            mission=mission, phase="", title="Standard checklist", default_language="en"
        )
        questions = {}
        for position, (code, english, spanish, concern) in enumerate(STANDARD, start=1):
            questions[code] = Question.objects.create(
                mission=mission,
                checklist=checklist,
                library=library[code],
                position=position,
                code=code,
                type="yes_no",
                labels={"en": english, "es": spanish},
                choices=YES_NO,
                concern=[concern],
            )
        answers = []
        fields = [code for code, *_rest in STANDARD]
        for values in Report.objects.filter(mission=mission).values("pk", *fields).iterator():
            for code, *_labels, concern in STANDARD:
                if values[code] is None:
                    continue
                value = "yes" if values[code] else "no"
                answers.append(
                    Answer(
                        report_id=values["pk"],
                        question=questions[code],
                        value=value,
                        concern=value == concern,
                    )
                )
            if len(answers) >= BATCH:
                Answer.objects.bulk_create(answers)
                answers = []
        Answer.objects.bulk_create(answers)


def backwards(apps, schema_editor):
    Answer = apps.get_model("observation", "Answer")
    Report = apps.get_model("observation", "ObserverReport")
    codes = [code for code, *_rest in STANDARD]
    answers = Answer.objects.filter(question__code__in=codes, question__checklist__phase="")
    for report_id, code, value in answers.values_list("report_id", "question__code", "value"):
        Report.objects.filter(pk=report_id).update(**{code: value == "yes"})
    apps.get_model("observation", "Answer").objects.all().delete()
    apps.get_model("observation", "Question").objects.all().delete()
    apps.get_model("observation", "Checklist").objects.all().delete()
    apps.get_model("observation", "LibraryQuestion").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("observation", "0008_checklists")]

    operations = [migrations.RunPython(forwards, backwards)]
