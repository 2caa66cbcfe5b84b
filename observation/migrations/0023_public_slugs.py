from django.db import migrations, models
from django.utils.text import slugify


def _unique(taken: set, text: str, max_length: int) -> str:
    base = slugify(text)[: max_length - 4].strip("-") or "record"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def slugs(apps, schema_editor):
    """Addresses on the public findings site for the missions there are, and for the
    statements already published."""
    Mission = apps.get_model("observation", "Mission")
    FindingsStatement = apps.get_model("observation", "FindingsStatement")
    taken = set()
    for mission in Mission.objects.order_by("pk"):
        mission.slug = _unique(taken, mission.name, 220)
        mission.save(update_fields=["slug"])
    by_mission = {}
    for statement in FindingsStatement.objects.filter(status="published").order_by("pk"):
        statement.slug = _unique(
            by_mission.setdefault(statement.mission_id, set()),
            f"{statement.issued_on:%Y-%m-%d} {statement.title}",
            120,
        )
        statement.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("observation", "0022_recommendation_theme"),
    ]

    operations = [
        migrations.AddField(
            model_name="mission",
            name="slug",
            # Indexed only once unique, below: PostgreSQL would otherwise be asked for
            # its "_like" index twice.
            field=models.SlugField(
                db_index=False, editable=False, max_length=220, null=True, verbose_name="slug"
            ),
        ),
        migrations.AddField(
            model_name="historicalmission",
            name="slug",
            field=models.SlugField(default="", editable=False, max_length=220, verbose_name="slug"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="findingsstatement",
            name="slug",
            field=models.SlugField(blank=True, editable=False, max_length=120, verbose_name="slug"),
        ),
        migrations.AddField(
            model_name="historicalfindingsstatement",
            name="slug",
            field=models.SlugField(blank=True, editable=False, max_length=120, verbose_name="slug"),
        ),
        migrations.RunPython(slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mission",
            name="slug",
            field=models.SlugField(
                editable=False, max_length=220, unique=True, verbose_name="slug"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingsstatement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("slug", ""), _negated=True),
                fields=("mission", "slug"),
                name="statement_slug_once",
            ),
        ),
    ]
