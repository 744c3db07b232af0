"""``kehoach-bot demo``: try the bot without a token, in the terminal.

Starts the Bot API stand-in and the real bot process on a temporary database with the bundled
campaign, links a focal person (Sở Nội vụ) and a consolidator (Sở Tài chính), and opens a chat:
type messages, pick buttons by number, switch roles with /vai, end with /thoat or Ctrl-C.
Documents the bot sends are saved to a folder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import os
import re
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote

import aiohttp

from bot.settings import Settings
from bot.telegram.standin import Sent, StandIn
from bot.zalo.standin import ZaloStandIn
from db.connection import Database
from domain.campaign import load_campaign
from domain.model import Role
from handlers.registration import issue_invite
from locales import _

PEOPLE = (
    (1001, "Nguyễn Văn An", "SNV", Role.FOCAL),
    (2001, "Trần Thị Bình", "STC", Role.CONSOLIDATOR),
)
AGENCY_NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính"}  # of the demo campaign


async def wait_settled(db_path: Path, within: float = 60.0) -> bool:
    """Wait until the bot has sent everything it decided (nothing is left in its outbox, not
    even a message waiting to be retried) and has no document or reminder run left to do.
    False if it did not settle in time."""
    db = await Database.open_reader(db_path)
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + within
        while loop.time() < deadline:
            async with db.read() as tx:
                pending = (await tx.outbox.counts())["pending"]
                jobs = await tx.documents.open_jobs(("docx", "xlsx", "remind"))
            if not pending and not jobs:
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        await db.close()


async def wait_handled(db_path: Path, channel: str, update_id: str, within: float = 60) -> bool:
    """Wait until the bot has stored (committed) this update."""
    db = await Database.open_reader(db_path)
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + within
        while loop.time() < deadline:
            async with db.read() as tx:
                if await tx.audit.handled(channel, update_id):
                    return True
            await asyncio.sleep(0.02)
        return False
    finally:
        await db.close()


def plain(text: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class Demo:
    def __init__(self, settings: Settings, files: Path, out: object = sys.stdout) -> None:
        self.settings = settings
        self.files = files
        self.out = out
        self.standin = StandIn(username="kehoach_demo_bot")
        self.proc: asyncio.subprocess.Process | None = None
        self.current = 0
        self.seen: dict[int, int] = {uid: 0 for uid, *_ in PEOPLE}
        self.noted: dict[int, int] = {uid: 0 for uid, *_ in PEOPLE}
        self.buttons: dict[int, list[tuple[str, str, int]]] = {uid: [] for uid, *_ in PEOPLE}

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)  # type: ignore[call-overload]

    @property
    def uid(self) -> int:
        return PEOPLE[self.current][0]

    def role_label(self) -> str:
        _uid, name, code, role = PEOPLE[self.current]
        kind = _("focal person") if role is Role.FOCAL else _("consolidator")
        return f"{name} ({kind}, {AGENCY_NAMES[code]})"

    async def start(self, workdir: Path) -> None:
        await self.standin.start()
        db_path = workdir / "demo.sqlite3"
        campaign_file = self._shifted_campaign(workdir)
        codes = await self._invites(db_path, campaign_file)
        self.db_path = db_path
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        env.update(
            BOT_TOKEN=self.standin.token,
            BOT_API_URL=self.standin.base_url,
            DATABASE_PATH=str(db_path),
            CAMPAIGN_FILE=str(campaign_file),
        )
        log = (workdir / "bot.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            stdout=log,
            stderr=log,
        )
        await self.standin.wait_for(lambda: self.standin.count("getUpdates") > 0, 30, "the bot")
        self.standin.limits = False  # one person at the keyboard: Telegram's limits are moot
        for (uid, name, *_rest), code in zip(PEOPLE, codes, strict=True):
            await self._push(
                lambda uid=uid, name=name, code=code: self.standin.push_text(
                    uid, f"/start {code}", name
                )
            )

    def _shifted_campaign(self, workdir: Path) -> Path:
        """The campaign with its deadlines moved to next week, so the demo shows the days before
        a deadline (the bundled directive's dates are long past)."""
        text = self.settings.campaign_file.read_text(encoding="utf-8")
        today = dt.date.today()
        for key, days in (("plans_due", 5), ("consolidation_due", 6)):
            when = (today + dt.timedelta(days=days)).isoformat()
            text = re.sub(rf"(?m)^{key}\s*=\s*\d{{4}}-\d{{2}}-\d{{2}}", f"{key} = {when}", text)
        path = workdir / "campaign.toml"
        path.write_text(text, encoding="utf-8")
        return path

    async def _invites(self, db_path: Path, campaign_file: Path) -> list[str]:
        db = await Database.open(db_path)
        try:
            async with db.transaction() as tx:
                now = dt.datetime.now(dt.UTC)
                await tx.campaigns.load(load_campaign(campaign_file), now)
                codes = []
                for _uid, _name, agency_code, role in PEOPLE:
                    agency = await tx.campaigns.agency_by_code(agency_code)
                    assert agency is not None
                    codes.append(await issue_invite(tx, agency, role, 1, now, None))
                return codes
        finally:
            await db.close()

    async def _push(self, push: object) -> None:
        update_id = push()  # type: ignore[operator]
        await self.standin.wait_for(
            lambda: self.standin.confirmed(update_id), 60, "the bot's answer"
        )
        await self._settled()

    async def _settled(self) -> None:
        await wait_settled(self.db_path)

    def show(self) -> None:
        """Prints what the current person received since last time; notes the other's."""
        for uid, *_rest in PEOPLE:
            new = self.standin.sent_to(uid)[self.seen[uid] :]
            edited = [m for m in self.standin.sent_to(uid)[: self.seen[uid]] if m.edits]
            if uid != self.uid:
                if new:
                    self.say(
                        _("({n} new messages for the other role: /vai to see them)").format(
                            n=len(new)
                        )
                    )
                continue
            self.seen[uid] += len(new)
            for message in [*edited, *new]:
                self._print(message)
                message.edits = 0

    def _print(self, message: Sent) -> None:
        self.say("─" * 60)
        if message.document:
            self.files.mkdir(parents=True, exist_ok=True)
            path = self.files / message.document[0]
            path.write_bytes(message.document[1])
            self.say(_("📎 File received and saved: {path}").format(path=path))
            if message.caption:
                self.say(plain(message.caption))
            return
        self.say(plain(message.text))
        if message.buttons:
            numbered = []
            for label, data in message.flat_buttons:
                numbered.append((label, data, message.message_id))
                self.say(f"  [{len(numbered)}] {label}")
            self.buttons[self.uid] = numbered

    def control(self, line: str) -> bool | None:
        """The demo's own commands: False to end, True when handled, None for the bot."""
        if line in ("/thoat", "/exit", "/quit"):
            return False
        if line == "/vai":
            self.current = 1 - self.current
            self.say(_("Now you are: {who}").format(who=self.role_label()))
            self.show()
            return True
        return True if not line else None

    async def handle(self, line: str) -> bool:
        """One line typed by the user; False to end."""
        line = line.strip()
        if (done := self.control(line)) is not None:
            return done
        if line.isdigit():
            options = self.buttons[self.uid]
            n = int(line)
            if not 1 <= n <= len(options):
                self.say(_("No button number {n}.").format(n=n))
                return True
            _label, data, message_id = options[n - 1]
            await self._push(
                lambda: self.standin.push_button(
                    self.uid, data, message_id, PEOPLE[self.current][1]
                )
            )
        else:
            await self._push(
                lambda: self.standin.push_text(self.uid, line, PEOPLE[self.current][1])
            )
        self.show()
        return True

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
        await self.standin.stop()


def _reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Reads stdin in a daemon thread, so Ctrl-C and the end of input stop the demo at once."""
    for line in sys.stdin:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


class ZaloDemo(Demo):
    """The same demo through the Zalo rendering: plain text, numbered choices answered by
    typing the number, documents as links (fetched and saved like files)."""

    def __init__(self, settings: Settings, files: Path, out: object = sys.stdout) -> None:
        super().__init__(settings, files, out)
        self.zalo = ZaloStandIn()
        self.zseen: dict[str, int] = {}
        self._links: list[str] = []

    @staticmethod
    def zid(uid: int) -> str:
        return f"demo{uid:012d}"

    async def start(self, workdir: Path) -> None:
        await self.zalo.start()
        for uid, name, *_rest in PEOPLE:  # the greeting uses the person's Zalo display name
            self.zalo.names[self.zid(uid)] = name
        db_path = workdir / "demo.sqlite3"
        campaign_file = self._shifted_campaign(workdir)
        codes = await self._invites(db_path, campaign_file)
        self.db_path = db_path
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_", "ZALO_"))
        }
        env.update(
            ZALO_BOT_TOKEN=self.zalo.token,
            ZALO_API_URL=self.zalo.base_url,
            ZALO_RATE_LIMIT="0",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            WEBHOOK_PORT=str(port),
            DATABASE_PATH=str(db_path),
            CAMPAIGN_FILE=str(campaign_file),
        )
        log = (workdir / "bot.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, stdout=log, stderr=log
        )
        await self.standin.wait_for(lambda: self.zalo.count("getUpdates") > 0, 30, "the bot")
        for (uid, *_rest), code in zip(PEOPLE, codes, strict=True):
            await self._say_as(uid, f"/start {code}")

    async def _say_as(self, uid: int, text: str) -> None:
        message_id = self.zalo.push_text(self.zid(uid), text)
        await wait_handled(self.db_path, "zalo", message_id)
        await self._settled()

    def show(self) -> None:
        for uid, *_rest in PEOPLE:
            zid = self.zid(uid)
            new = self.zalo.sent_to(zid)[self.zseen.get(zid, 0) :]
            if uid != self.uid:
                if new:
                    self.say(
                        _("({n} new messages for the other role: /vai to see them)").format(
                            n=len(new)
                        )
                    )
                continue
            self.zseen[zid] = self.zseen.get(zid, 0) + len(new)
            for message in new:
                self.say("─" * 60)
                self.say(message.text)
                for url in re.findall(r"(http://127\.0\.0\.1:\d+/tep/\S+)", message.text):
                    self._links.append(url)

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if (done := self.control(line)) is not None:
            return done
        await self._say_as(self.uid, line)
        self.show()
        await self._save_links()
        return True

    async def _save_links(self) -> None:
        links, self._links = self._links, []
        if not links:
            return
        async with aiohttp.ClientSession() as http:
            for url in links:
                async with http.get(url) as r:
                    if r.status != 200:
                        continue
                    name = unquote(url.rsplit("/", 1)[-1])
                    self.files.mkdir(parents=True, exist_ok=True)
                    path = self.files / name
                    path.write_bytes(await r.read())
                    self.say(_("📎 File received and saved: {path}").format(path=path))

    async def stop(self) -> None:
        await super().stop()
        await self.zalo.stop()


async def run_demo(settings: Settings, files: Path, channel: str = "telegram") -> int:
    demo = ZaloDemo(settings, files) if channel == "zalo" else Demo(settings, files)
    with tempfile.TemporaryDirectory(prefix="kehoach-demo-") as tmp:
        demo.say(_("Starting the Bot API stand-in and the bot…"))
        try:
            await demo.start(Path(tmp))
            demo.say(
                _(
                    "Ready. Type a message, or the number of a button. /vai switches between the "
                    "focal person and the consolidator; /thoat ends. Files go to {folder}."
                ).format(folder=files)
            )
            demo.say(_("Now you are: {who}").format(who=demo.role_label()))
            demo.show()
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            loop = asyncio.get_running_loop()
            threading.Thread(target=_reader, args=(loop, queue), daemon=True).start()
            while True:
                print(f"[{PEOPLE[demo.current][2]}]> ", end="", flush=True)
                line = await queue.get()
                if line is None or not await demo.handle(line):
                    break
        except (KeyboardInterrupt, asyncio.CancelledError):
            pass
        finally:
            await demo.stop()
    demo.say()
    demo.say(_("Demo ended."))
    return 0
