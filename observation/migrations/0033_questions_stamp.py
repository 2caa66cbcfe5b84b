"""The questions stamp (QuestionsStamp) and the triggers that draw it anew whenever a
question, checklist or checklist section is written or deleted, by whatever means: the
ORM, a bulk update, the admin or plain SQL. PostgreSQL and SQLite alike."""

from django.db import migrations, models

STAMP = "observation_questionsstamp"
# The tables whose rows name their mission themselves.
OWN_MISSION = ("observation_question", "observation_checklist")
SECTION = "observation_checklistsection"
EVENTS = ("INSERT", "UPDATE", "DELETE")


def upsert(select: str) -> str:
    return (
        f"INSERT INTO {STAMP} (mission_id, number) {select} "
        "ON CONFLICT (mission_id) DO UPDATE SET number = excluded.number;"
    )


def _postgresql() -> list[str]:
    draw = "(random() * 9.0e18)::bigint"

    def function(name: str, mission_of) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {upsert(mission_of('OLD'))} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {upsert(mission_of('NEW'))} END IF; "
            "RETURN NULL; END $$;"
        )

    statements = [
        function("observation_questions_stamp", lambda row: f"SELECT {row}.mission_id, {draw}"),
        function(
            "observation_sections_stamp",
            lambda row: (
                f"SELECT mission_id, {draw} FROM observation_checklist "
                f"WHERE id = {row}.checklist_id"
            ),
        ),
    ]
    for table in OWN_MISSION:
        statements.append(
            f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION observation_questions_stamp();"
        )
    statements.append(
        f"CREATE TRIGGER {SECTION}_stamp AFTER INSERT OR UPDATE OR DELETE ON {SECTION} "
        "FOR EACH ROW EXECUTE FUNCTION observation_sections_stamp();"
    )
    return statements


def _sqlite() -> list[str]:
    def mission_of(table: str, row: str) -> str:
        if table == SECTION:
            return (
                f"SELECT mission_id, random() FROM observation_checklist "
                f"WHERE id = {row}.checklist_id"
            )
        # The WHERE that SQLite asks of an upsert's SELECT, to read ON CONFLICT as its own.
        return f"SELECT {row}.mission_id, random() WHERE true"

    statements = []
    for table in (*OWN_MISSION, SECTION):
        for event in EVENTS:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
            body = " ".join(upsert(mission_of(table, row)) for row in rows)
            statements.append(
                f"CREATE TRIGGER {table}_stamp_{event.lower()} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {body} END;"
            )
    return statements


def _backfill(draw: str) -> str:
    """A stamp for every mission that has questions or checklists already."""
    return (
        f"INSERT INTO {STAMP} (mission_id, number) "
        f"SELECT DISTINCT mission_id, {draw} FROM observation_checklist"
    )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [*_postgresql(), _backfill("(random() * 9.0e18)::bigint")]
    elif vendor == "sqlite":
        statements = [*_sqlite(), _backfill("random()")]
    else:
        raise NotImplementedError(f"No questions stamp triggers for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in (*OWN_MISSION, SECTION):
            schema_editor.execute(f"DROP TRIGGER {table}_stamp ON {table};")
        schema_editor.execute("DROP FUNCTION observation_questions_stamp();")
        schema_editor.execute("DROP FUNCTION observation_sections_stamp();")
    elif vendor == "sqlite":
        for table in (*OWN_MISSION, SECTION):
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER {table}_stamp_{event.lower()};")


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
        migrations.RunPython(create_triggers, drop_triggers),
    ]
