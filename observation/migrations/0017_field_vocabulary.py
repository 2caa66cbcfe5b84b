"""The field's vocabulary: mission kinds as ODIHR and the EU name them, pre-election
assessments linked to the mission they preceded, interim reports, press statements."""

import django.db.models.deletion
from django.db import migrations, models

RENAMES = [
    # (model, field, old value, new value)
    ("Mission", "kind", "assessment", "needs_assessment"),
    ("FindingsStatement", "kind", "public_appeal", "press_statement"),
]


def _rename(apps, forward):
    for model_name, field, old, new in RENAMES:
        if not forward:
            old, new = new, old
        for name in (model_name, f"Historical{model_name}"):
            try:
                model = apps.get_model("observation", name)
            except LookupError:
                continue
            model.objects.filter(**{field: old}).update(**{field: new})


def forwards(apps, schema_editor):
    _rename(apps, forward=True)


def backwards(apps, schema_editor):
    _rename(apps, forward=False)
    Mission = apps.get_model("observation", "Mission")
    Mission.objects.filter(kind="election_assessment").update(kind="assessment")
    FindingsStatement = apps.get_model("observation", "FindingsStatement")
    FindingsStatement.objects.filter(kind="interim").update(kind="preliminary")


MISSION_KINDS = [
    ("needs_assessment", "Needs assessment (pre-election assessment)"),
    ("election_assessment", "Election assessment"),
    ("limited", "Limited observation"),
    ("full", "Full observation"),
    ("expert", "Expert mission"),
    ("study", "Study mission"),
    ("follow_up", "Follow-up mission"),
]
STATEMENT_KINDS = [
    ("pre_election", "Pre-election statement"),
    ("interim", "Interim report"),
    ("preliminary", "Preliminary statement"),
    ("post_election", "Post-election statement"),
    ("final_report", "Final report"),
    ("press_statement", "Press statement"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("observation", "0016_irregularity_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="mission",
            name="preceded",
            field=models.ForeignKey(
                blank=True,
                help_text="For a pre-election assessment: the mission it preceded.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assessments",
                to="observation.mission",
                verbose_name="preceded",
            ),
        ),
        migrations.AddField(
            model_name="historicalmission",
            name="preceded",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="For a pre-election assessment: the mission it preceded.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="observation.mission",
                verbose_name="preceded",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmission",
            name="kind",
            field=models.CharField(choices=MISSION_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="historicalfindingsstatement",
            name="kind",
            field=models.CharField(choices=STATEMENT_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="mission",
            name="kind",
            field=models.CharField(choices=MISSION_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="findingsstatement",
            name="kind",
            field=models.CharField(choices=STATEMENT_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
