"""The questions stamp (QuestionsStamp), one for each mission that has checklists, and the
triggers that draw it anew (observation.stamps)."""

from django.db import migrations, models

from observation import stamps


def forwards(apps, schema_editor):
    stamps.backfill(schema_editor.connection)
    stamps.install(schema_editor.connection)


def backwards(apps, schema_editor):
    stamps.uninstall(schema_editor.connection)


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
        migrations.RunPython(forwards, backwards),
    ]
