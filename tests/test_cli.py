"""The operator's commands: campaign check/load/list, invite, users, revoke."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import BUNDLED_CAMPAIGN


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db" / "k.sqlite3"))
    return tmp_path


def test_campaign_check_prints_what_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "check", str(BUNDLED_CAMPAIGN)]) == 0
    out = capsys.readouterr().out
    assert "agencies (9)" in out and "items (12)" in out and "21/01/2026" in out
    assert "7.1   [SGDDT, SYT]" in out


def test_campaign_check_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BUNDLED_CAMPAIGN.read_text(encoding="utf-8").replace('"TTT"]', '"NOPE"]'))
    assert main(["campaign", "check", str(bad)]) == 2
    assert "items #12: unknown agency NOPE" in capsys.readouterr().err
    assert main(["campaign", "check", str(tmp_path / "missing.toml")]) == 2


def test_load_invite_users_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "load", str(BUNDLED_CAMPAIGN)]) == 0
    assert "created: 9 agencies, 12 items, 13 assignments added" in capsys.readouterr().out
    assert main(["campaign", "load", str(BUNDLED_CAMPAIGN)]) == 0
    assert "updated: 9 agencies, 12 items, 0 assignments added" in capsys.readouterr().out
    assert main(["campaign", "list"]) == 0
    assert "* bac-ninh-2025" in capsys.readouterr().out

    assert main(["invite", "snv", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "dau-moi of Sở Nội vụ (SNV), valid 3 days" in out and "/start " in out
    assert main(["invite", "NOPE"]) == 2
    assert main(["users"]) == 0
    assert "No linked users." in capsys.readouterr().out
    assert main(["revoke", "42"]) == 1


def test_export(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from docx import Document
    from openpyxl import load_workbook

    assert main(["export", "--format", "docx", "-o", str(env / "plan.docx")]) == 0
    assert "Kế hoạch tổng hợp: 0/9 đơn vị đã nộp." in capsys.readouterr().out
    doc = Document(str(env / "plan.docx"))
    assert doc.tables[1].rows[0].cells[0].text == "STT"
    assert main(["export", "--draft", "-o", str(env / "plan.xlsx")]) == 0  # format from the name
    assert "BẢN NHÁP" in load_workbook(env / "plan.xlsx")["Kế hoạch"]["A1"].value


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["-o", "out/plan.docx"], "the folder out does not exist"),  # never created outside
        (["-o", "plan"], "name the file .docx or .xlsx"),
        (["--format", "docx", "-o", "plan.xlsx"], "ends in .xlsx but --format is docx"),
        (["-o", "."], "name the file"),
    ],
)
def test_export_refuses_a_wrong_output_before_building(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert main(["export", *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1  # one line, no traceback
    assert not (env / "out").exists() and not (env / "db").exists()


def test_a_database_that_cannot_be_used_is_one_line_and_exit_2(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = env / "broken.sqlite3"
    broken.write_bytes(b"this is not a SQLite database, just some text" * 100)
    monkeypatch.setenv("DATABASE_PATH", str(broken))
    assert main(["users"]) == 2
    err = capsys.readouterr().err
    assert f"the database {broken} is damaged" in err and err.count("\n") == 1
    assert "kehoach-bot backup" in err  # what to do
    (env / "file").write_text("x")
    monkeypatch.setenv("DATABASE_PATH", str(env / "file" / "k.sqlite3"))  # a file as its folder
    assert main(["users"]) == 2
    err = capsys.readouterr().err
    assert "cannot open the database" in err and err.count("\n") == 1


def test_backup(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", str(env / "b.sqlite3")]) == 1  # no database yet
    assert "no database at" in capsys.readouterr().err
    assert main(["campaign", "load", str(BUNDLED_CAMPAIGN)]) == 0
    assert main(["backup", str(env / "b.sqlite3")]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert main(["backup", str(env / "b.sqlite3")]) == 2  # never replaced by accident
    assert "--force" in capsys.readouterr().err
    assert main(["backup", str(env / "b.sqlite3"), "--force"]) == 0


def _damage_pages(path: Path) -> None:
    """Random bytes over the pages of a few tables, the file header and schema left whole: SQLite
    opens the file and fails only when it reads those pages."""
    import random
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        roots = [
            r
            for (r,) in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name IN ('agencies', 'items', 'invites')"
            )
        ]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data, rng = bytearray(path.read_bytes()), random.Random(1)
    for page in roots:
        for k in range((page - 1) * size + 8, page * size):
            data[k] = rng.randrange(256)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("command", [["users"], ["export", "-o", "k.docx"], ["run"]])
def test_damaged_pages_are_one_line_and_exit_2_at_once(env: Path, command: list[str]) -> None:
    import os
    import subprocess
    import sys

    assert main(["invite", "SNV"]) == 0  # a database with a campaign and an invitation
    _damage_pages(env / "db" / "k.sqlite3")
    done = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        timeout=60,  # it used to print a traceback and hang
        env={**os.environ, "BOT_TOKEN": "123456:TEST-TOKEN", "BOT_API_URL": "http://127.0.0.1:9/"},
        cwd=env,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is damaged" in lines[0] and "k.sqlite3" in lines[0], done.stderr
    assert not (env / "k.docx").exists()


def _template(env: Path) -> Path:
    target = env / "xa.toml"
    target.write_text(
        BUNDLED_CAMPAIGN.with_name("xa-phuong-mau.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return target


def test_import_agencies_writes_the_campaign_and_keeps_the_old_file(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    from domain.campaign import load_campaign

    target = _template(env)
    before = target.read_text(encoding="utf-8")
    book = Workbook()
    book.active.append(["Mã", "Tên", "Loại"])
    book.active.append(["SNV", "Sở Nội vụ", "sở"])
    book.active.append(["SKHCN", "Sở Khoa học và Công nghệ", "sở"])
    for n in range(1, 100):  # the 99 communes and wards of the seed, as placeholders
        book.active.append([f"XA{n:03d}", f"Đơn vị cấp xã số {n}", "xã"])
    book.save(env / "ds.xlsx")
    assert main(["campaign", "import-agencies", "ds.xlsx", str(target), "--dry-run"]) == 0
    assert "101 agencies (2 sở/ngành, 99 xã/phường); 4 items, 200 assignments" in (
        capsys.readouterr().out
    )
    assert target.read_text(encoding="utf-8") == before  # a dry run writes nothing
    assert main(["campaign", "import-agencies", "ds.xlsx", str(target)]) == 0
    assert f"next: kehoach-bot campaign load {target}" in capsys.readouterr().out
    assert (env / "xa.toml.bak").read_text(encoding="utf-8") == before
    c = load_campaign(target)
    assert len(c.agencies) == 101 and len(c.assigned(c.items[0])) == 99
    assert main(["campaign", "load", str(target)]) == 0


def test_import_agencies_reports_every_bad_row_and_writes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _template(env)
    before = target.read_text(encoding="utf-8")
    (env / "ds.csv").write_text(
        "Mã,Tên,Loại\nSNV,Sở Nội vụ,sở\n,Xã Không Mã,xã\nXA1,Xã Một,huyện\nSNV,Sở khác,sở\n",
        encoding="utf-8",
    )
    assert main(["campaign", "import-agencies", "ds.csv", str(target)]) == 2
    err = capsys.readouterr().err
    assert "ds.csv: 3 rows to fix:" in err
    assert "  - row 3: the code is empty" in err
    assert "  - row 4: kind 'huyện'" in err
    assert "  - row 5: code SNV is already used on row 2" in err
    assert target.read_text(encoding="utf-8") == before
    assert not (env / "xa.toml.bak").exists()


def test_import_agencies_refuses_a_list_that_leaves_an_item_without_its_agency(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _template(env)
    before = target.read_text(encoding="utf-8")
    (env / "ds.csv").write_text("SNV,Sở Nội vụ,sở\nXA1,Xã Một,xã\n", encoding="utf-8")  # no SKHCN
    assert main(["campaign", "import-agencies", "ds.csv", str(target)]) == 2
    assert "items #4: unknown agency SKHCN" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == before
    (env / "ds.ods").write_bytes(b"x")
    assert main(["campaign", "import-agencies", "ds.ods", str(target)]) == 2
    assert "expected a .xlsx or .csv file" in capsys.readouterr().err


def test_import_agencies_refuses_hostile_files_and_look_alike_codes_in_one_line_each(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import Workbook

    target = _template(env)
    before = target.read_text(encoding="utf-8")
    book = Workbook()
    book.active.append(["Mã", "Tên", "Loại"])
    book.active["XFD2"] = "x"
    book.save(env / "wide.xlsx")
    (env / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    for sheet in ("wide.xlsx", "bad.xlsx"):
        assert main(["campaign", "import-agencies", sheet, str(target)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
    (env / "ds.csv").write_text(
        "Mã,Tên,Loại\nſNV,Sở Nội vụ,sở\nßKHCN,Sở Khoa học và Công nghệ,sở\n", encoding="utf-8"
    )
    assert main(["campaign", "import-agencies", "ds.csv", str(target)]) == 2
    err = capsys.readouterr().err
    assert "row 2: code 'ſNV': only plain letters A-Z" in err
    assert "row 3: code 'ßKHCN': only plain letters A-Z" in err
    assert target.read_text(encoding="utf-8") == before


def test_a_failed_upgrade_is_exit_2_naming_the_copy_taken_before(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from db import connection

    assert main(["users"]) == 0  # a database at today's schema
    real = connection.migrations()
    broken = [*real, (len(real) + 1, "CREATE TABLE t (x);\nINSERT INTO nowhere VALUES (1);")]
    monkeypatch.setattr(connection, "migrations", lambda: broken)
    capsys.readouterr()
    monkeypatch.setenv("BOT_TOKEN", "123456:never-used-the-database-fails-first")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    copy = env / "db" / f"k.sqlite3.before-schema-{len(broken)}"
    assert err.startswith("kehoach-bot: upgrading the database") and str(copy) in err
    assert "left as it was" in err and copy.exists()
