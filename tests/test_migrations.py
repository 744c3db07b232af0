"""Upgrades that cannot lose data: every migration from the first schema on a populated
database, a copy taken before, a failed upgrade leaving the file as it was, a downgrade refused."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest

from db import connection
from db.connection import Database, DatabaseUnavailable, MigrationFailed, migrations

AT = "2026-01-15T02:00:00.000000+00:00"

# Answers as a focal person left them under the first schema: every column a person typed.
V1_ROWS = (
    """
INSERT INTO agencies (id, code, name) VALUES (1, 'STC', 'Sở Tài chính'), (2, 'SNV', 'Sở Nội vụ');
INSERT INTO campaigns (id, code, title, definition, plans_due, consolidation_due,
    consolidator_id, is_active, loaded_at)
    VALUES (1, 'bn-2025', 'Kế hoạch khắc phục', '{}', '2026-01-21', '2026-01-22', 1, 1, '{at}');
INSERT INTO campaign_agencies VALUES (1, 1, 1), (1, 2, 2);
INSERT INTO items (id, campaign_id, key, group_no, position, text)
    VALUES (1, 1, 'I.1', 1, 1, 'Chậm ban hành văn bản hướng dẫn');
INSERT INTO users (id, channel, external_id, display_name, locale, created_at)
    VALUES (1, 'telegram', '1001', 'Nguyễn Văn An', 'vi', '{at}');
INSERT INTO memberships (user_id, agency_id, role, created_at) VALUES (1, 2, 'dau-moi', '{at}');
INSERT INTO plans (id, campaign_id, agency_id, revision, submitted_revision, updated_at)
    VALUES (1, 1, 2, 3, 3, '{at}');
INSERT INTO assignments (id, plan_id, item_id, objective)
    VALUES (1, 1, 1, 'Ban hành đủ văn bản hướng dẫn trong quý I/2026');
INSERT INTO measures (id, assignment_id, position, content, lead_unit, partners, timeline,
    due_date, recurring, output, created_at, updated_at)
    VALUES (1, 1, 1, 'Rà soát văn bản <b>cũ</b> 😀', 'Phòng Pháp chế', '["Văn phòng Sở"]',
        'Quý I/2026', '2026-03-31', 0, 'Báo cáo rà soát', '{at}', '{at}'),
        (2, 1, 2, 'Ban hành hướng dẫn', 'Văn phòng Sở', '[]', 'Hằng tháng', NULL, 1,
        'Văn bản hướng dẫn', '{at}', '{at}');
INSERT INTO submissions (plan_id, version, revision, submitted_at, submitted_by, late_days,
    measures, snapshot) VALUES (1, 1, 3, '{at}', 1, 0, 2, '{{"revision": 3}}');
INSERT INTO conversations (user_id, step, agency_id, assignment_id, measure_id, wizard,
    updated_at) VALUES (1, 'measure_output', 2, 1, 2, 1, '{at}');
INSERT INTO processed_updates VALUES ('telegram', 77, '{at}');
INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail)
    VALUES ('{at}', 1, 'submit', 'plan', 1, '{{"version": 1}}');
""".replace("{at}", AT)
    .replace("{{", "{")
    .replace("}}", "}")
)

ANSWERS = {
    "SELECT objective FROM assignments": [("Ban hành đủ văn bản hướng dẫn trong quý I/2026",)],
    "SELECT position, content, lead_unit, partners, timeline, due_date, recurring, output"
    " FROM measures ORDER BY id": [
        (
            1,
            "Rà soát văn bản <b>cũ</b> 😀",
            "Phòng Pháp chế",
            '["Văn phòng Sở"]',
            "Quý I/2026",
            "2026-03-31",
            0,
            "Báo cáo rà soát",
        ),
        (2, "Ban hành hướng dẫn", "Văn phòng Sở", "[]", "Hằng tháng", None, 1, "Văn bản hướng dẫn"),
    ],
    "SELECT revision, submitted_revision FROM plans": [(3, 3)],
    "SELECT version, revision, late_days, measures, snapshot FROM submissions": [
        (1, 3, 0, 2, '{"revision": 3}')
    ],
    "SELECT channel, external_id, display_name, locale FROM users": [
        ("telegram", "1001", "Nguyễn Văn An", "vi")
    ],
    "SELECT user_id, agency_id, role FROM memberships": [(1, 2, "dau-moi")],
    "SELECT step, agency_id, assignment_id, measure_id, wizard FROM conversations": [
        ("measure_output", 2, 1, 2, 1)
    ],
    "SELECT channel, update_id FROM processed_updates": [("telegram", 77)],
    "SELECT action, entity, entity_id, detail FROM audit_log": [
        ("submit", "plan", 1, '{"version": 1}')
    ],
}

# the one value a migration changes on purpose: update ids became text (Zalo's are strings)
UPGRADED = {**ANSWERS, "SELECT channel, update_id FROM processed_updates": [("telegram", "77")]}


def first_schema(path: Path) -> None:
    """A database as the first release left it, with a plan in it."""
    _version, sql = migrations()[0]
    raw = sqlite3.connect(path)
    raw.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = 1;\n{V1_ROWS}\nCOMMIT;")
    raw.close()


def answers(path: Path) -> dict[str, list[tuple[object, ...]]]:
    raw = sqlite3.connect(path)
    try:
        return {sql: [tuple(r) for r in raw.execute(sql)] for sql in ANSWERS}
    finally:
        raw.close()


async def test_every_migration_from_the_first_schema_keeps_every_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "k.sqlite3"
    first_schema(path)
    assert answers(path) == ANSWERS
    with caplog.at_level(logging.WARNING, "db.connection"):
        db = await Database.open(path)
    try:
        assert await db.schema_version() == len(migrations())
        async with db.read() as tx:
            plan = await tx.plans.plan(1, 2)
        assert plan is not None and plan.revision == 3
        (item,) = plan.shortcomings
        assert [m.content for m in item.measures] == [
            "Rà soát văn bản <b>cũ</b> 😀",
            "Ban hành hướng dẫn",
        ]
        assert item.measures[0].partners == ("Văn phòng Sở",)
        assert item.measures[0].due_date == dt.date(2026, 3, 31) and item.measures[1].recurring
    finally:
        await db.close()
    assert answers(path) == UPGRADED
    backup = tmp_path / f"k.sqlite3.before-schema-{len(migrations())}"
    assert db.migration_backup == backup
    assert answers(backup) == ANSWERS  # the copy is the database as it was, schema 1
    assert sqlite3.connect(backup).execute("PRAGMA user_version").fetchone()[0] == 1
    (line,) = [r.getMessage() for r in caplog.records]
    assert f"from schema 1 to {len(migrations())}" in line and str(backup) in line


async def test_the_copy_stays_until_the_next_start_that_needs_none(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    first_schema(path)
    db = await Database.open(path)
    assert db.forget_migration_backups() == []  # the start that upgraded keeps its copy
    await db.close()
    backup = tmp_path / f"k.sqlite3.before-schema-{len(migrations())}"
    assert backup.exists()
    db = await Database.open(path)  # the next start: nothing to upgrade
    try:
        assert db.migration_backup is None
        assert db.forget_migration_backups() == [backup]
    finally:
        await db.close()
    assert not backup.exists()


async def test_a_failed_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "k.sqlite3"
    first_schema(path)
    real = migrations()
    broken = [
        *real,
        (len(real) + 1, "ALTER TABLE measures ADD COLUMN x TEXT;\nSELECT * FROM nowhere;"),
    ]
    monkeypatch.setattr(connection, "migrations", lambda: broken)
    with pytest.raises(MigrationFailed) as failed:
        await Database.open(path)
    backup = tmp_path / f"k.sqlite3.before-schema-{len(broken)}"
    message = str(failed.value)
    assert "no such table: nowhere" in message and "left as it was" in message
    assert str(backup) in message
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1  # not one step of it
        assert "x" not in [c[1] for c in raw.execute("PRAGMA table_info(measures)")]
        assert [t for (t,) in raw.execute("SELECT name FROM sqlite_master")].count("outbox") == 0
    finally:
        raw.close()
    assert answers(path) == ANSWERS


async def test_an_older_program_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    await (await Database.open(path)).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(DatabaseUnavailable, match="newer version of kehoach-bot"):
        await Database.open(path)
    assert not list(tmp_path.glob("*.before-schema-*"))


def test_migration_files_hold_no_transaction_of_their_own() -> None:
    """They run together in one transaction: a BEGIN or COMMIT of their own would split it."""
    for version, sql in migrations():
        words = {w.strip(";").upper() for w in sql.split()}
        # nor a PRAGMA: foreign_keys and the like do nothing inside a transaction
        assert not words & {"BEGIN", "COMMIT", "ROLLBACK", "VACUUM", "PRAGMA"}, version
