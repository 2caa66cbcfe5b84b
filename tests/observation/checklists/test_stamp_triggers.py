"""The triggers that keep the questions stamp: installed by their migration on a database
that holds missions already, made again after any `migrate` (SQLite drops a table's
triggers when a migration rebuilds it), and, on PostgreSQL, a TRUNCATE forgets every
stamp."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from observation import answers, stamps
from observation.models import QuestionsStamp
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
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
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
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
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
