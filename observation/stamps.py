"""The database triggers that keep each mission's questions stamp (QuestionsStamp): a new
random number whenever one of its questions, checklists or checklist sections is written
or deleted, whichever way (the ORM, a bulk update, the admin, plain SQL), on PostgreSQL
and on SQLite; on PostgreSQL a TRUNCATE of them forgets every stamp.

Installed by migration 0033 and again after every `migrate` (ObservationConfig.ready):
SQLite drops a table's triggers when a later migration rebuilds the table.
"""

from django.db import connections, transaction

STAMP = "observation_questionsstamp"
# The tables whose rows name their mission themselves.
OWN_MISSION = ("observation_question", "observation_checklist")
SECTION = "observation_checklistsection"
TABLES = (*OWN_MISSION, SECTION)
EVENTS = ("insert", "update", "delete")
DRAW = {"postgresql": "(random() * 9.0e18)::bigint", "sqlite": "random()"}


def _upsert(select: str) -> str:
    return (
        f"INSERT INTO {STAMP} (mission_id, number) {select} "
        "ON CONFLICT (mission_id) DO UPDATE SET number = excluded.number;"
    )


def _mission_of(table: str, row: str, draw: str) -> str:
    """The mission of the `row` (NEW or OLD) of `table`, with a new number, as a SELECT."""
    if table == SECTION:
        # No row if its checklist is gone already: the checklist's own trigger drew one.
        return f"SELECT mission_id, {draw} FROM observation_checklist WHERE id = {row}.checklist_id"
    # The WHERE that SQLite asks of an upsert's SELECT, to read ON CONFLICT as its own.
    return f"SELECT {row}.mission_id, {draw} WHERE true"


def _postgresql() -> list[str]:
    draw = DRAW["postgresql"]
    statements = []
    for table in TABLES:
        function = f"{table}_stamp"
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {_upsert(_mission_of(table, 'OLD', draw))} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {_upsert(_mission_of(table, 'NEW', draw))} END IF; "
            "RETURN NULL; END $$;",
            f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();",
            f"CREATE TRIGGER {table}_stamps_forgotten AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION observation_questions_stamps_forgotten();",
        ]
    forget = (
        "CREATE OR REPLACE FUNCTION observation_questions_stamps_forgotten() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN DELETE FROM {STAMP}; RETURN NULL; END $$;"
    )
    return [forget, *statements]


def _sqlite() -> list[str]:
    draw = DRAW["sqlite"]
    rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
    statements = []
    for table in TABLES:
        for event in EVENTS:
            body = " ".join(_upsert(_mission_of(table, row, draw)) for row in rows[event])
            statements.append(
                f"CREATE TRIGGER {table}_stamp_{event} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {body} END;"
            )
    return statements


def _statements(connection) -> list[str]:
    if connection.vendor == "postgresql":
        return _postgresql()
    if connection.vendor == "sqlite":
        return _sqlite()
    raise NotImplementedError(f"No questions stamp triggers for {connection.vendor}.")


def install(connection) -> None:
    """(Re)create the triggers and draw every mission's stamp anew, in one transaction:
    no write falls between a trigger dropped and made again unstamped."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        uninstall(connection)
        for statement in _statements(connection):
            cursor.execute(statement)
        cursor.execute(
            _upsert(
                f"SELECT mission_id, {DRAW[connection.vendor]} FROM observation_checklist "
                "GROUP BY mission_id"
            )
        )


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table};")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_stamps_forgotten ON {table};")
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_stamp();")
            else:
                for event in EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{event};")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS observation_questions_stamps_forgotten();")


def remove_before_migrate(sender, using, **kwargs) -> None:
    """pre_migrate: off SQLite's tables, which a migration may rebuild."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        uninstall(connection)


def install_after_migrate(sender, using, **kwargs) -> None:
    """post_migrate: the triggers again, wherever the stamps' table is."""
    connection = connections[using]
    if STAMP in connection.introspection.table_names():
        install(connection)
