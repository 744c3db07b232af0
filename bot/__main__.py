"""Command line of kehoach-bot: run the bot, try it, and operate it.

Exit codes: 0 done; 1 failed (the reason is logged); 2 a setting, a file or a token is wrong (one
line says which and what to do).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import locales as i18n
from bot import logs
from bot.sender import ChannelFatal
from bot.settings import Settings, SettingsError, load_settings
from db.connection import DatabaseUnavailable
from domain.campaign import KINDS, CampaignError, campaign_warnings, load_campaign
from domain.model import Role

EXIT_FAILED, EXIT_CONFIG = 1, 2


class _Defaults(argparse.HelpFormatter):
    """Help that shows an argument's default when it has a meaningful one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
            text += f" (default: {action.default})"
        return text


def _parser() -> argparse.ArgumentParser:
    shows = _Defaults
    p = argparse.ArgumentParser(prog="kehoach-bot", description=__doc__, formatter_class=shows)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    add = sub.add_parser
    sub.add_parser = lambda *a, **k: add(*a, formatter_class=shows, **k)  # type: ignore[method-assign]
    sub.add_parser("run", help="run the bot (long polling, or webhook if WEBHOOK_URL is set)")
    demo = sub.add_parser("demo", help="try the bot in the terminal, without a token")
    demo.add_argument("--files", type=Path, default=Path("demo-files"), help="where files go")
    demo.add_argument(
        "--channel",
        choices=["telegram", "zalo"],
        default="telegram",
        help="chat through the Telegram rendering (buttons) or the Zalo one (numbers, links)",
    )
    camp = sub.add_parser("campaign", help="check, load or list campaign files")
    csub = camp.add_subparsers(dest="action", required=True)
    check = csub.add_parser("check", help="validate a campaign file and print what it holds")
    check.add_argument("file", type=Path)
    load = csub.add_parser("load", help="load or update a campaign (idempotent) and activate it")
    load.add_argument("file", type=Path)
    load.add_argument("--no-activate", action="store_true", help="load without making it active")
    csub.add_parser("list", help="list the campaigns in the database")
    csub.add_parser(
        "removed",
        help="agencies no longer in the active campaign's file that still have data in it",
    )
    imp = csub.add_parser(
        "import-agencies",
        help="put the agencies of a spreadsheet (code, name, kind sở/xã) into a campaign file",
    )
    imp.add_argument(
        "sheet", type=Path, help=".xlsx (first sheet) or .csv; a header row is optional"
    )
    imp.add_argument("file", type=Path, help="the campaign file (.toml) whose agencies it replaces")
    imp.add_argument(
        "--dry-run", action="store_true", help="check and report, without writing the file"
    )
    inv = sub.add_parser("invite", help="create a one-time invitation")
    inv.add_argument("agency", help="agency code, e.g. STC")
    inv.add_argument("--role", choices=[r.value for r in Role], default=Role.FOCAL.value)
    inv.add_argument("--days", type=int, default=None, help="days before it expires (default 7)")
    exp = sub.add_parser("export", help="write the consolidated plan as .docx or .xlsx")
    exp.add_argument(
        "--format",
        choices=["docx", "xlsx"],
        default=None,
        help="docx (Word) or xlsx (Excel); default: from the output file's extension",
    )
    exp.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write (its folder must exist)"
    )
    exp.add_argument("--draft", action="store_true", help="include unsubmitted work (marked)")
    exp.add_argument(
        "--document",
        choices=["plan", "progress", "proposals"],
        default="plan",
        help="the consolidated plan; a period's results (progress); the proposals (.xlsx only)",
    )
    exp.add_argument(
        "--period",
        default=None,
        help="with --document progress: the period's key, e.g. 2026-Q1 (default: the current one)",
    )
    sub.add_parser("users", help="list who is linked to which agency")
    rev = sub.add_parser("revoke", help="remove every role of a user in one channel")
    rev.add_argument(
        "user_id", help="the account as kehoach-bot users shows it: 123456789 (Telegram), zalo:ID"
    )
    bak = sub.add_parser("backup", help="copy the database while the bot runs (consistent)")
    bak.add_argument("file", type=Path, help="the backup file to write")
    bak.add_argument("--force", action="store_true", help="replace the file if it exists")
    sub.add_parser(
        "health",
        help="ask the running bot's /readyz (MONITORING=true): exit 0 ready, 1 not (HEALTHCHECK)",
    )
    out = sub.add_parser("outbox", help="messages waiting to be sent, and those that failed")
    out.add_argument("--limit", type=int, default=50, help="how many of each to list")
    return p


def main(argv: list[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = logs.Printable(out), logs.Printable(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.setup()
    try:
        settings = load_settings()
        logs.setup(settings.secrets(), settings.log_level, settings.log_format)
        i18n.set_default(settings.default_locale)
        command = args.command or "run"
        if command == "run":
            return run(settings)
        if command == "demo":
            from bot.demo import run_demo

            try:
                return asyncio.run(run_demo(settings, args.files, args.channel))
            except KeyboardInterrupt:
                return 0
        if command == "health":
            return health(settings)
        if command == "campaign" and args.action == "check":
            return campaign_check(args.file)
        if command == "campaign" and args.action == "import-agencies":
            return import_agencies(args.sheet, args.file, args.dry_run)
        handler: Callable[[Settings, Any], Coroutine[Any, Any, int]] = {
            "campaign": campaign_command,
            "invite": invite,
            "users": users,
            "export": export,
            "revoke": revoke,
            "outbox": outbox,
            "backup": backup,
        }[command]
        return asyncio.run(handler(settings, args))
    except SettingsError as exc:
        print(f"kehoach-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CampaignError as exc:
        print(f"kehoach-bot: campaign file {exc.path} is not valid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_CONFIG
    except (ChannelFatal, DatabaseUnavailable) as exc:
        print(f"kehoach-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception:  # through logging, so that no secret is ever printed
        logging.getLogger("kehoach-bot").exception("kehoach-bot %s failed", args.command or "run")
        return EXIT_FAILED


def run(settings: Settings) -> int:
    from bot.app import App

    settings.require_channel()
    if settings.webhook_url:
        settings.require_webhook_secret()
    if settings.zalo_webhook_url:
        settings.require_zalo_webhook_secret()
    # a wrong campaign file fails in App.open, before any channel is contacted (CampaignError)
    return asyncio.run(App(settings).run())


def campaign_check(path: Path) -> int:
    c = load_campaign(path)
    print(f"OK: {path}")
    print(f"  campaign   {c.code}: {c.title}")
    print(f"  directive  {c.directive.kind} {c.directive.number} of {c.directive.issuer}")
    print(f"             {c.directive.subject}")
    print(f"  plans due  {c.deadlines.plans_due:%d/%m/%Y} to {c.consolidator.agency}")
    print(f"  consolidation due {c.deadlines.consolidation_due:%d/%m/%Y}")
    print(f"  agencies ({len(c.agencies)}):")
    for a in c.agencies:
        print(f"    {a.code:<8} {a.name}  ({KINDS[a.kind]})")
    print(f"  items ({len(c.items)}):")
    for key, item in c.keyed_items():
        text = item.text if len(item.text) <= 70 else item.text[:69] + "…"
        kinds = [f"every {KINDS[k]}" for k in item.kinds]
        print(f"    {key:<5} [{', '.join([*item.agencies, *kinds])}] {text}")
    for warning in campaign_warnings(c):
        print(f"  warning: {warning}")
    return 0


def import_agencies(sheet: Path, path: Path, dry_run: bool) -> int:
    """Agencies from a spreadsheet into a campaign file: every bad row is reported and nothing is
    written; the result is checked as a whole campaign (an item may name a code that is gone)
    before the file is replaced, and the old file is kept as FILE.bak."""
    from bot.sheets import SheetError, read_rows
    from domain.campaign import parse_campaign
    from domain.roster import read_roster, with_agencies

    try:
        roster = read_roster(read_rows(sheet))
    except SheetError as exc:
        print(f"kehoach-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if roster.problems:
        print(f"kehoach-bot: {sheet}: {len(roster.problems)} rows to fix:", file=sys.stderr)
        for problem in roster.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"kehoach-bot: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    updated = with_agencies(text, roster.agencies)
    campaign = parse_campaign(updated, path)  # CampaignError: reported by main, file unchanged
    counts = ", ".join(
        f"{sum(a.kind == k for a in roster.agencies)} {label}" for k, label in KINDS.items()
    )
    assigned = sum(len(campaign.assigned(item)) for item in campaign.items)
    print(
        f"{sheet}: {len(roster.agencies)} agencies ({counts}); "
        f"{len(campaign.items)} items, {assigned} assignments"
    )
    if dry_run:
        print(f"Not written (--dry-run): {path}")
        return 0
    backup = path.with_name(path.name + ".bak")
    backup.write_text(text, encoding="utf-8")
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(updated, encoding="utf-8")
    temporary.replace(path)
    print(f"Wrote {path} (the old one is {backup}); next: kehoach-bot campaign load {path}")
    return 0


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Any]:
    """The database, migrated and with the configured campaign loaded; closed afterwards."""
    from bot.app import open_database

    db = await open_database(settings)
    try:
        yield db
    finally:
        await db.close()


async def campaign_command(settings: Settings, args: argparse.Namespace) -> int:
    from db.connection import Database
    from handlers.context import utc_now

    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as tx:
            if args.action == "list":
                for code, active in await tx.campaigns.list_codes():
                    print(f"{'*' if active else ' '} {code}")
                return 0
            if args.action == "removed":
                return await _removed(tx)
            c = load_campaign(args.file)
            r = await tx.campaigns.load(c, utc_now(), activate=not args.no_activate)
        state = "created" if r.created else "updated"
        print(
            f"Campaign {c.code} {state}: {r.agencies} agencies, {r.items} items, "
            f"{r.assignments_added} assignments added, {r.assignments_retired} retired"
            + ("" if args.no_activate else "; now active")
        )
        return 0
    finally:
        await db.close()


async def _removed(tx: Any) -> int:
    campaign = await tx.campaigns.active()
    if campaign is None:
        print("kehoach-bot: no active campaign", file=sys.stderr)
        return EXIT_CONFIG
    removed = await tx.campaigns.removed_with_data(campaign.id)
    if not removed:
        print(f"Every agency with data is in campaign {campaign.definition.code}.")
        return 0
    print(
        f"Agencies no longer in campaign {campaign.definition.code} whose data is kept"
        " (their people have no rights until the agency is back in the file):"
    )
    for r in removed:
        print(
            f"  {r.code:<8} {r.name}: {r.measures} measures, {r.submissions} plan versions"
            f" submitted, {r.proposals} proposals, {r.people} people"
        )
    return 0


async def invite(settings: Settings, args: argparse.Namespace) -> int:
    from handlers import markup
    from handlers.context import utc_now
    from handlers.registration import issue_invite, role_refusal

    days = args.days or settings.invite_days
    if not 1 <= days <= 365:
        print("kehoach-bot: --days must be between 1 and 365", file=sys.stderr)
        return EXIT_CONFIG
    lines = await _invite_lines(settings)  # a rejected token stops here, before the invite
    async with _database(settings) as db:
        async with db.transaction() as tx:
            agency = await tx.campaigns.agency_by_code(args.agency.upper())
            if agency is None:
                print(f"kehoach-bot: unknown agency code {args.agency}", file=sys.stderr)
                return EXIT_CONFIG
            with i18n.use_locale("vi"):
                refusal = role_refusal(await tx.campaigns.active(), agency, Role(args.role))
            if refusal:
                print(f"kehoach-bot: {markup.plain(refusal)}", file=sys.stderr)
                return EXIT_CONFIG
            code = await issue_invite(tx, agency, Role(args.role), days, utc_now(), None)
    print(f"Invitation for {args.role} of {agency.name} ({agency.code}), valid {days} days:")
    for line in lines(code):
        print(f"  {line}")
    print(f"  code: {code}   (or send to the bot: /start {code})")
    return 0


async def _invite_lines(settings: Settings) -> Callable[[str], list[str]]:
    """How to redeem a code in each configured channel. The Telegram link needs the bot's
    username, asked from the Bot API; a rejected token is one line and exit code 2."""
    zalo = ["Zalo: gửi cho bot Zalo tin nhắn  /start {code}"] if settings.zalo_enabled else []

    def others(code: str) -> list[str]:
        return [line.format(code=code) for line in zalo]

    if not settings.telegram_enabled:
        return others
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from bot.telegram.channel import TOKEN_REJECTED

    try:
        async with Bot(settings.require_token(), base_url=settings.bot_api_url) as bot:
            username = bot.username
    except InvalidToken:
        raise ChannelFatal(TOKEN_REJECTED) from None
    except (TelegramError, OSError) as exc:
        print(
            logs.mask(f"(could not reach the Bot API for the bot's name: {exc})"), file=sys.stderr
        )
        return lambda code: [f"Telegram: /start {code}", *others(code)]
    return lambda code: [f"Telegram: https://t.me/{username}?start={code}", *others(code)]


def export_problem(args: argparse.Namespace) -> str:
    """What is wrong with the export's output and format, before anything is built ("" if
    nothing); fills ``args.format`` from the extension when it is not given."""
    out: Path = args.output
    suffix = out.suffix.lower().lstrip(".")
    if args.format is None:
        if suffix not in ("docx", "xlsx"):
            return f"{out}: name the file .docx or .xlsx, or give --format docx|xlsx"
        args.format = suffix
    elif suffix in ("docx", "xlsx") and suffix != args.format:
        return f"{out} ends in .{suffix} but --format is {args.format}: make them agree"
    if getattr(args, "document", "plan") == "proposals" and args.format != "xlsx":
        return "--document proposals is a spreadsheet: name the file .xlsx"
    if getattr(args, "period", None) and getattr(args, "document", "plan") != "progress":
        return "--period goes with --document progress"
    folder = out.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist: create it first, or choose another"
    if out.is_dir():
        return f"{out} is a folder: give a file name"
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        return f"cannot write {out}: permission denied"
    return ""


async def export(settings: Settings, args: argparse.Namespace) -> int:
    """The consolidated plan from one read snapshot: no write lock, the bot keeps running."""
    from bot.reports import build
    from handlers.context import utc_now
    from handlers.documents import caption

    problem = export_problem(args)
    if problem:
        print(f"kehoach-bot: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    async with _database(settings) as db:
        async with db.read() as tx:
            campaign = await tx.campaigns.active()
    if campaign is None:
        print("kehoach-bot: no active campaign", file=sys.stderr)
        return EXIT_FAILED
    today = utc_now().astimezone(settings.tz).date()
    built = await asyncio.to_thread(
        build,
        str(settings.database_path),
        campaign.id,
        args.format,
        args.draft,
        today.isoformat(),
        settings.timezone,
        args.document,
        args.period,
    )
    args.output.write_bytes(built.content)
    text = caption(built.submitted, built.total, built.draft, built.document, built.period)
    print(f"Wrote {args.output} ({len(built.content):,} bytes): {text}")
    return 0


async def users(settings: Settings, args: argparse.Namespace) -> int:
    async with _database(settings) as db:
        async with db.read() as tx:
            rows = await tx.users.listing()
    if not rows:
        print("No linked users.")
    for row in rows:
        u = row.user
        roles = ", ".join(f"{m.role.value}@{m.agency.code}" for m in row.memberships)
        blocked = "  (blocked the bot)" if u.blocked_at else ""
        print(f"{u.channel}:{u.external_id}  {u.display_name}  {roles}{blocked}")
    return 0


async def revoke(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.context import utc_now

    channel, sep, ident = str(args.user_id).rpartition(":")
    channel = channel if sep else "telegram"
    async with _database(settings) as db:
        async with db.transaction() as tx:
            user = await tx.users.get(channel, ident)
            removed = await tx.users.revoke(user.id) if user else 0
            if user:
                await tx.audit.record(utc_now(), None, "user.revoke", "user", user.id)
    if not removed:
        print(f"kehoach-bot: user {args.user_id} has no access", file=sys.stderr)
        return EXIT_FAILED
    print(f"Removed {removed} role(s) of user {args.user_id}.")
    return 0


async def backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy while the bot runs. Restore: stop the bot, copy the file over
    DATABASE_PATH (removing its -wal and -shm files), start the bot."""
    from db.backup import BackupError
    from db.backup import backup as copy

    if args.file.exists() and not args.force:
        print(f"kehoach-bot: {args.file} exists (use --force to replace it)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        info = await copy(Path(settings.database_path), args.file)
    except BackupError as exc:
        print(f"kehoach-bot: backup failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup written: {info.path} ({info.bytes:,} bytes, schema {info.schema}, checked)")
    return 0


def health(settings: Settings) -> int:
    """The container's HEALTHCHECK: the running bot's /readyz on this machine, one line."""
    import json
    import urllib.error
    import urllib.request

    if not settings.monitoring:
        print("kehoach-bot: health needs MONITORING=true (the bot serves /readyz)", file=sys.stderr)
        return EXIT_CONFIG
    host = (
        settings.webhook_listen if settings.webhook_listen not in ("0.0.0.0", "::") else "127.0.0.1"
    )
    url = f"http://{host}:{settings.webhook_port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=4) as answer:
            body = json.loads(answer.read())
    except urllib.error.HTTPError as exc:  # 503: not ready, and why
        body = json.loads(exc.read() or b"{}")
    except (OSError, ValueError) as exc:
        print(f"not ready: {url} does not answer ({exc})")
        return EXIT_FAILED
    problems = body.get("problems") or {}
    if body.get("ok") and not problems:
        print("ready")
        return 0
    print("not ready: " + "; ".join(f"{k}: {v}" for k, v in problems.items()))
    return EXIT_FAILED


async def outbox(settings: Settings, args: argparse.Namespace) -> int:
    """What waits in the outbox and what failed for good (dead letters), newest failures first."""
    async with _database(settings) as db:
        async with db.read() as tx:
            counts = await tx.outbox.counts()
            pending = await tx.outbox.pending(limit=args.limit)
            failed = await tx.outbox.failed(limit=args.limit)
    tz = settings.tz
    print(
        f"Outbox: {counts['pending']} pending, {counts['failed']} failed, "
        f"{counts['sent']} sent (kept 30 days)"
    )
    kinds = {0: "reply", 1: "notice", 2: "broadcast"}
    if pending:
        print("\nPending (replies first):")
        for item in pending:
            when = item.next_attempt_at.astimezone(tz).strftime("%H:%M:%S %d/%m/%Y")
            note = f"  last error: {item.error}" if item.error else ""
            print(
                f"  #{item.id} {item.channel}:{item.recipient} {kinds[item.priority]}/{item.kind}"
                f" attempts {item.attempts}, next {when}{note}"
            )
    if failed:
        print("\nFailed (not retried):")
        for item in failed:
            assert item.failed_at is not None
            when = item.failed_at.astimezone(tz).strftime("%H:%M:%S %d/%m/%Y")
            print(
                f"  #{item.id} {item.channel}:{item.recipient} {item.kind} at {when}: {item.error}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
