"""An offline Bot API for tests: PTB's request layer answered in memory, every call recorded."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.telegram.standin import refusal

BOT_ID = 999_000


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


class FakeBotAPI(BaseRequest):
    """Answers like Telegram; ``blocked`` chat ids get 403 as a user who blocked the bot."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.blocked: set[int] = set()
        self.flood: int = 0  # answer the next N sends with 429 Too Many Requests
        self.refused: list[tuple[str, dict[str, Any]]] = []  # 400s, as Telegram would answer
        self._message_id = 100
        self.files: dict[str, bytes] = {}  # documents people "sent", by file_id

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file's download, as Telegram's file server gives it
            content = self.files.get(url.rsplit("/", 1)[-1])
            return (200, content) if content is not None else (404, b"Not Found")
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data and request_data.contains_files:
            for part, value in request_data.multipart_data.items():
                filename, content = value[0], value[1]
                files[part] = (str(filename), content if isinstance(content, bytes) else b"")
        self.calls.append(Call(name, params, files))
        chat_id = params.get("chat_id")
        if self.flood and name.startswith("send"):
            self.flood -= 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
            return 429, json.dumps(body).encode()
        checks = {"sendMessage": ("text", 4096, True), "editMessageText": ("text", 4096, True)}
        checks["sendDocument"] = ("caption", 1024, False)
        if name in checks:
            key, limit, required = checks[name]
            markup = params.get("reply_markup")
            shown = dict(
                params, reply_markup=json.loads(markup) if isinstance(markup, str) else markup
            )
            reason = refusal(shown, key, limit, required=required)
            if reason is not None:  # what Telegram refuses, refused here too
                self.refused.append((reason, params))
                body = {"ok": False, "error_code": 400, "description": reason}
                return 400, json.dumps(body).encode()
        if name == "getFile" and str(params.get("file_id")) not in self.files:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return 400, json.dumps(body).encode()
        if chat_id is not None and int(chat_id) in self.blocked:
            body = {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
            return 403, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self._message_id += 1
        chat_id = int(params.get("chat_id", 0))
        return {
            "message_id": params.get("message_id", self._message_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Kế hoạch"},
            **extra,
        }

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Kế hoạch",
                "username": "kehoach_test_bot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name in ("sendMessage", "editMessageText"):
            return self._message(params, text=params.get("text", ""))
        if name == "getFile":
            fid = str(params.get("file_id"))
            return {
                "file_id": fid,
                "file_unique_id": fid,
                "file_size": len(self.files[fid]),
                "file_path": f"documents/{fid}",
            }
        if name == "sendDocument":
            doc = {"file_id": "doc", "file_unique_id": "doc", "file_name": "f"}
            return self._message(params, document=doc)
        return True

    def add_file(self, content: bytes) -> str:
        """A document a person sends: its file_id, for :func:`tests.builders.document`."""
        fid = f"f{len(self.files) + 1}"
        self.files[fid] = content
        return fid

    # -- reading what the bot did ----------------------------------------------------------------
    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls
