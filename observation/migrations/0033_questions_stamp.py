"""The questions stamp (QuestionsStamp). Its triggers are made after every migrate, by
observation.stamps, as that module has them then; a migration back removes them here."""

from django.db import migrations, models

TABLES = ("observation_question", "observation_checklist", "observation_checklistsection")


def remove_triggers(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamps_forgotten ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_stamp();")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{event};")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS observation_questions_stamps_forgotten();")


class Migration(migrations.Migration):
    dependencies = [
        ("observation", "0032_import_preview_jobs"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionsStamp",
            fields=[
                ("mission_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("number", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "questions stamp",
                "verbose_name_plural": "questions stamps",
            },
        ),
        # Undone first on the way back: no trigger is left writing to a table gone.
        migrations.RunPython(migrations.RunPython.noop, remove_triggers),
    ]
