"""Logs an operator can use: one line per update (id, person, step; no text unless DEBUG), and
LOG_FORMAT=json — masked and terminal-safe like the text lines."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot import logs
from tests.conftest import Harness

SECRET = "123456:AAE-very-secret-token"


def router_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.router" and "update" in r.msg]


async def test_one_line_per_update_names_it_without_what_was_written(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "handlers.router"):
        await harness.send(4242, "mật khẩu của tôi là 12345")
    (line,) = router_lines(caplog)
    text = line.getMessage()
    assert "from telegram user" in text and "handled" in text and "queued" in text
    assert "12345" not in text and "mật khẩu" not in text
    assert line.channel == "telegram" and line.outcome == "handled"  # type: ignore[attr-defined]
    assert isinstance(line.user, int) and line.step == "idle"  # type: ignore[attr-defined]
    assert line.update == text.split()[1]  # type: ignore[attr-defined]


async def test_at_debug_the_line_carries_the_text_cut_short(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, "handlers.router"):
        await harness.send(4242, "x" * 500)
    (line,) = router_lines(caplog)
    assert "x" * 200 in line.getMessage() and "x" * 201 not in line.getMessage()


def test_json_lines_carry_the_fields_masked_and_terminal_safe() -> None:
    logs.setup([SECRET])
    formatter = logs.Json("%(message)s")
    formatter.secrets = logs._formatter.secrets
    try:
        raise RuntimeError(f"rejected {SECRET}")
    except RuntimeError:
        error = sys.exc_info()
    record = logging.LogRecord(
        "bot.app", logging.ERROR, __file__, 1, "token %s \x1b[31mred\u202e", (SECRET,), error
    )
    record.update = "tg:77"
    record.user = 5
    record.step = "measure_lead"
    line = formatter.format(record)
    assert "\n" not in line and SECRET not in line and "AAE-very-secret-token" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.app"
    assert entry["message"] == "token *** [31mred"  # no escape, no bidi control
    assert (entry["update"], entry["user"], entry["step"]) == ("tg:77", 5, "measure_lead")
    assert "RuntimeError: rejected ***" in entry["error"]
    assert entry["time"].endswith("+00:00")


def test_log_format_json_switches_every_handler_and_back() -> None:
    root = logging.getLogger()
    try:
        assert isinstance(logs.setup(fmt="json"), logs.Json)
        assert all(isinstance(h.formatter, logs.Json) for h in root.handlers if h.formatter)
    finally:
        assert not isinstance(logs.setup(fmt="text"), logs.Json)
