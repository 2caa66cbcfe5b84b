"""The triggers that keep the questions stamp: installed by `migrate` on a database that
holds missions already, made again after any `migrate` (and off SQLite's tables while
its migrations may rebuild them), and, on PostgreSQL, a TRUNCATE forgets every stamp."""

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from observation import answers, stamps
from observation.models import Checklist, Question, QuestionsStamp
from tests import factories

BEFORE = ("observation", "0032_import_preview_jobs")
AFTER = ("observation", "0033_questions_stamp")


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%%stamp%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall() if "stamp" in name}


def _migrate(target):
    """`migrate` to `target`, signals and all, and the models as they are there."""
    call_command("migrate", *target, verbosity=0)
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_stamps_the_missions_there_are_and_installs_the_triggers():
    apps = _migrate(BEFORE)
    Organization = apps.get_model("observation", "Organization")
    Mission = apps.get_model("observation", "Mission")
    Checklist = apps.get_model("observation", "Checklist")
    organization = Organization.objects.create(name="The Carter Center")
    peru, bare = (
        Mission.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            country="PE",
            election="General elections",
            kind="full",
            status="concluded",
            lead_organization=organization,
        )
        for name in ("Peru 2000", "Peru 2001")
    )
    # One checklist per phase: a mission has several.
    for phase in ("opening", "closing", ""):
        Checklist.objects.create(mission=peru, phase=phase, title=f"{phase} checklist")
    try:
        _migrate(AFTER)
        assert list(QuestionsStamp.objects.values_list("mission_id", flat=True)) == [peru.pk]
        assert len(_triggers()) == {"postgresql": 6, "sqlite": 9}[connection.vendor]

        _migrate(BEFORE)
        assert _triggers() == set()
    finally:
        call_command("migrate", verbosity=0)
    assert bare.pk not in QuestionsStamp.objects.values_list("mission_id", flat=True)


@pytest.mark.django_db
def test_the_triggers_are_made_again_after_a_migrate():
    installed = _triggers()
    stamps.uninstall(connection)
    assert _triggers() == set()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert _triggers() == installed
    question = factories.QuestionFactory()
    assert QuestionsStamp.objects.filter(mission_id=question.mission_id).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tables_rebuilt_by_a_migration_keep_their_stamps():
    """SQLite rebuilds a table to change a column (copy, drop, rename): with a trigger
    naming the table, the rename fails. `migrate` takes them off first."""
    question = factories.QuestionFactory()
    before = QuestionsStamp.objects.get(mission_id=question.mission_id).number
    emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")
    with connection.schema_editor() as editor:
        for model, name in ((Checklist, "title"), (Question, "code")):
            old = model._meta.get_field(name)
            new = old.clone()
            new.set_attributes_from_name(name)
            new.max_length += 1
            editor.alter_field(model, old, new)
            editor.alter_field(model, new, old)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    # Drawn anew, for whatever the migrations wrote; then kept up again.
    after = QuestionsStamp.objects.get(mission_id=question.mission_id).number
    assert after != before
    Question.objects.filter(pk=question.pk).update(labels={"en": "Changed"})
    assert QuestionsStamp.objects.get(mission_id=question.mission_id).number != after
    assert [q.label for q in answers.questions_of(question.mission)] == ["Changed"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_questions_truncated_are_read_again():
    question = factories.QuestionFactory()
    assert len(answers.questions_of(question.mission)) == 1

    with connection.cursor() as cursor:
        # The checks of the rows just written first: PostgreSQL truncates no table with
        # checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE observation_question CASCADE")

    assert answers.questions_of(question.mission) == []
