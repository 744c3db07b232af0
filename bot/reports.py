"""The report worker: consolidated documents built in another process, then delivered.

A national-size plan (3,800 agencies × 10 measures) takes seconds of CPU to lay out. Built inside
an update it would stall every other person's reply and hold the database. Here a request is a row
(``jobs``); the worker takes it, builds the file in a separate process that reads one consistent
snapshot through its own read-only connection (no write lock, WAL readers never block the bot),
stores the file and queues it for each recipient, in one short transaction. A crash midway leaves
the job open: it is built again at the next start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from zoneinfo import ZoneInfo

from db.connection import Database
from db.documents import ReportJob
from handlers import documents
from handlers.context import Services
from handlers.outbox import DOCUMENTS_KEPT, NOTICE, enqueue
from handlers.types import Recipient, Reply, StoredFile
from locales import _, use_locale

log = logging.getLogger(__name__)
ATTEMPTS = 3
DEATHS = 3  # the build process died this many times in a row, no document in between: give up
PARENT_POLL = 0.5  # seconds between the worker process's looks at its parent


class ReportWorkerDead(Exception):
    """The build process keeps dying (memory?): the bot exits so that a supervisor sees it."""


def watch_parent(parent: int) -> None:
    """In the build process, at its start: end when the bot is gone. A SIGKILLed bot tells no
    one, and the pool's queue pipes stay open (each side holds both ends), so the process
    would otherwise live on as an orphan holding its memory."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def build(
    db_path: str,
    campaign_id: int,
    kind: str,
    draft: bool,
    today: str,
    tz: str,
    document: str = "plan",
    period: str | None = None,
) -> documents.Built:
    """In the worker process: read one snapshot and lay the document out."""
    return asyncio.run(
        _build(
            db_path, campaign_id, kind, draft, dt.date.fromisoformat(today), tz, document, period
        )
    )


async def _build(
    db_path: str,
    campaign_id: int,
    kind: str,
    draft: bool,
    today: dt.date,
    tz: str,
    document: str,
    period: str | None,
) -> documents.Built:
    db = await Database.open_reader(db_path)
    try:
        async with db.read() as tx:  # one snapshot: every agency as of the same moment
            campaign = await tx.campaigns.by_id(campaign_id)
            if campaign is None:
                raise LookupError(f"campaign {campaign_id} is gone")
            return await documents.documents(
                tx,
                campaign,
                today,
                ZoneInfo(tz),
                kind,
                draft=draft,
                document=document,
                period_key=period,
            )
    finally:
        await db.close()


class ReportWorker:
    def __init__(
        self,
        db: Database,
        db_path: Path,
        services: Services,
        on_queued: object,
        *,
        in_process: bool = False,
    ) -> None:
        self.db = db
        self.db_path = db_path
        self.services = services
        self.on_queued = on_queued
        self.in_process = in_process  # build on a thread of this process (tests, tiny setups)
        self._pool: concurrent.futures.Executor | None = None
        self._wake = asyncio.Event()
        self.deaths = 0  # build processes died in a row
        self.heartbeat: Callable[[], None] = lambda: None  # each time round the loop
        self.on_built: Callable[[str, float], None] | None = None  # monitoring: format, seconds

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self.heartbeat()
            try:
                await self.run_pending()
            except ReportWorkerDead:
                raise
            except Exception:
                log.exception("report worker: a pass failed; trying again shortly")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), 10)
            except TimeoutError:
                pass

    async def run_pending(self) -> int:
        async with self.db.read() as tx:
            jobs = await tx.documents.open_jobs(("docx", "xlsx"))
        for job in jobs:
            await self._one(job)
        return len(jobs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _executor(self) -> concurrent.futures.Executor:
        if self._pool is None:
            if self.in_process:
                self._pool = concurrent.futures.ThreadPoolExecutor(1, "report")
            else:
                context = multiprocessing.get_context("spawn")
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    1, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),)
                )
        return self._pool

    async def _one(self, job: ReportJob) -> None:
        now = self.services.clock()
        async with self.db.transaction() as tx:
            await tx.documents.started(job.id, now)
        today = now.astimezone(self.services.tz).date()
        started = asyncio.get_running_loop().time()
        try:
            built = await asyncio.get_running_loop().run_in_executor(
                self._executor(),
                build,
                str(self.db_path),
                job.campaign_id,
                job.kind,
                job.draft,
                today.isoformat(),
                self.services.tz.key,
                job.document,
            )
        except BrokenProcessPool as exc:
            await self._died(job, exc)
            return
        except Exception as exc:
            await self._failed(job, exc)
            return
        self.deaths = 0
        seconds = asyncio.get_running_loop().time() - started
        if self.on_built is not None:
            self.on_built(job.kind, seconds)
        now = self.services.clock()
        async with self.db.transaction() as tx:
            doc = await tx.documents.add(
                built.filename, built.media_type, built.content, now, DOCUMENTS_KEPT
            )
            replies = []
            for channel, external, locale in job.recipients:
                with use_locale(locale or self.services.default_locale):
                    text = documents.caption(
                        built.submitted, built.total, built.draft, built.document, built.period
                    )
                replies.append(
                    Reply(
                        document=StoredFile(doc, built.filename, text),
                        to=Recipient(channel, external),
                    )
                )
            channels = await enqueue(
                tx, replies, now, numbered=self.services.numbered, priority=NOTICE, kind="document"
            )
            await tx.documents.finished(job.id, now)
        log.info(
            "report %s (%s%s) built in %.1f s, %d bytes, for %d recipients",
            job.id,
            job.kind,
            ", draft" if job.draft else "",
            seconds,
            len(built.content),
            len(job.recipients),
        )
        self.on_queued(channels)  # type: ignore[operator]

    async def _died(self, job: ReportJob, exc: BaseException) -> None:
        """The build process died (killed, out of memory): a new one builds the job again at
        once; the attempt counts, so a document that kills it every time is given up after
        ATTEMPTS. Dying DEATHS times in a row ends the bot (exit 1) rather than leaving it
        unable to make any document."""
        self.deaths += 1
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        log.warning(
            "report worker: the build process died during report %s (%d in a row); starting "
            "a new one",
            job.id,
            self.deaths,
        )
        await self._failed(job, exc, logged=True)
        if self.deaths >= DEATHS:
            raise ReportWorkerDead(
                f"report worker: the build process died {self.deaths} times in a row "
                "(out of memory?); no document can be made"
            )
        async with self.db.read() as tx:
            again = [j for j in await tx.documents.open_jobs(("docx", "xlsx")) if j.id == job.id]
        if again:
            await self._one(again[0])

    async def _failed(self, job: ReportJob, exc: BaseException, *, logged: bool = False) -> None:
        final = job.attempts + 1 >= ATTEMPTS
        log.error(
            "report %s (%s) failed (attempt %d of %d)",
            job.id,
            job.kind,
            job.attempts + 1,
            ATTEMPTS,
            exc_info=None if logged else exc,
        )
        now = self.services.clock()
        channels: set[str] = set()
        async with self.db.transaction() as tx:
            await tx.documents.job_failed(job.id, now, repr(exc), final=final)
            if final:
                replies = []
                for channel, external, locale in job.recipients:
                    with use_locale(locale or self.services.default_locale):
                        text = "⚠️ " + _(
                            "The consolidated file could not be made. The error was logged; "
                            "please try again later or tell the administrator."
                        )
                    replies.append(Reply(text=text, to=Recipient(channel, external)))
                channels = await enqueue(
                    tx,
                    replies,
                    now,
                    numbered=self.services.numbered,
                    priority=NOTICE,
                    kind="notice",
                )
        self.on_queued(channels)  # type: ignore[operator]
