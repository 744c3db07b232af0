"""The operator's files (deploy/): the image, the compose file and its proxy, the systemd unit —
checked as far as this machine allows (no container engine runs here; systemd-analyze does)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from bot import web
from bot.__main__ import _parser
from bot.settings import LINKS_PATH, UPLOAD_PATH

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in steps:
        if word == "ENV":
            env.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return env


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last:]


def test_the_image_is_slim_runs_unprivileged_and_keeps_its_data_on_a_volume() -> None:
    steps = final_stage(instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8")))
    words = dict(steps)
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert re.fullmatch(r"python:3\.1[1-9]-slim", words["FROM"])
    assert words["USER"] not in ("root", "0") and "useradd --system" in runs
    env = env_of(steps)
    volume = PurePosixPath(words["VOLUME"].strip('[]" '))
    for setting in ("DATABASE_PATH", "BACKUP_DIR"):
        assert (
            volume in PurePosixPath(env[setting]).parents or PurePosixPath(env[setting]) == volume
        )
    assert words["STOPSIGNAL"] == "SIGTERM"
    assert env["MONITORING"] == "true" and env["WEBHOOK_LISTEN"] == "0.0.0.0"
    assert words["EXPOSE"] == env["WEBHOOK_PORT"]
    assert words["HEALTHCHECK"].endswith('CMD ["kehoach-bot", "health"]')
    assert "health" in _parser().parse_args(["health"]).command
    assert words["ENTRYPOINT"] == '["kehoach-bot"]' and words["CMD"] == '["run"]'
    assert "--no-index --find-links /wheels" in runs  # only the wheels of the first stage


def test_the_wheel_built_from_what_the_image_copies_holds_the_whole_program(
    tmp_path: Path,
) -> None:
    """The first stage copies these paths and builds a wheel of them: done here the same way
    (offline), the wheel must hold every module and the data files the bot reads."""
    steps = instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    source = tmp_path / "src"
    source.mkdir()
    for word, rest in steps:
        if word != "COPY" or "--from" in rest:
            continue
        *names, _target = rest.split()
        for name in names:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(path, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path / "wheels"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("kehoach_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("bot", "db", "domain", "handlers", "locales"):
        for module in (ROOT / top).rglob("*.py"):
            assert module.relative_to(ROOT).as_posix() in names
    data = [
        *(ROOT / "db" / "migrations").glob("*.sql"),
        *(ROOT / "locales").glob("*/LC_MESSAGES/*.po"),
        *(ROOT / "bot" / "campaigns").glob("*.toml"),
    ]
    assert data
    for path in data:
        assert path.relative_to(ROOT).as_posix() in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_the_proxy_forwards_only_the_public_paths_with_the_bots_limits() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    (public,) = re.findall(r"@public path (.+)", caddy)
    paths = public.split()
    assert f"{LINKS_PATH}/*" in paths and f"{UPLOAD_PATH}/*" in paths
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)
    assert not any(p in ("/*", "*") for p in paths)
    assert "respond 404" in caddy  # everything else
    assert "max_size 1MB" in caddy and web.MAX_BODY == 1024 * 1024
    assert f"read_header {web.HEADER_SECONDS:.0f}s" in caddy
    assert f"read_body {web.BODY_SECONDS:.0f}s" in caddy
    assert f"idle {web.KEEPALIVE_SECONDS:.0f}s" in caddy
    env = (DEPLOY / "kehoach-bot.env.example").read_text(encoding="utf-8")
    for hook in re.findall(r"^(?:ZALO_)?WEBHOOK_URL=https://[^/]+(/\S*)$", env, re.M):
        assert hook in paths  # the example's webhooks are forwarded


def test_compose_publishes_only_the_proxy_and_restarts_the_bot_on_failure() -> None:
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    bot, caddy = compose.split("\n  caddy:\n")
    assert "ports:" not in bot and 'expose:\n      - "8443"' in bot
    assert "restart: on-failure" in bot and "stop_signal: SIGTERM" in bot
    assert "kehoach-data:/var/lib/kehoach-bot" in bot
    assert "dockerfile: deploy/Dockerfile" in bot and "env_file: kehoach-bot.env" in bot
    assert '"443:443"' in caddy and "condition: service_healthy" in caddy
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy


def unit() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "kehoach-bot.service").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_the_unit_restarts_on_1_never_on_2_and_writes_only_its_state() -> None:
    u = unit()
    assert u["Restart"] == ["on-failure"] and u["RestartPreventExitStatus"] == ["2"]
    assert u["User"] == ["kehoach"] and u["ProtectSystem"] == ["strict"]
    assert u["NoNewPrivileges"] == ["true"] and u["KillSignal"] == ["SIGTERM"]
    writable = [PurePosixPath(p) for p in u["ReadWritePaths"][0].split()]
    env = dict(e.split("=", 1) for e in u["Environment"])
    for setting in ("DATABASE_PATH", "BACKUP_DIR"):
        path = PurePosixPath(env[setting])
        assert any(w == path or w in path.parents for w in writable), setting
    assert env["MONITORING"] == "true"
    assert u["ExecStart"][0].endswith("/kehoach-bot run")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    """Verified as installed: the ExecStart pointed at this environment's kehoach-bot."""
    program = Path(sys.executable).with_name("kehoach-bot")
    if not program.exists():
        pytest.skip("kehoach-bot is not installed in this environment")
    text = (DEPLOY / "kehoach-bot.service").read_text(encoding="utf-8")
    installed = tmp_path / "kehoach-bot.service"
    installed.write_text(text.replace("/opt/kehoach-bot/bin/kehoach-bot", str(program)))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(installed)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no unknown key, no value ignored
