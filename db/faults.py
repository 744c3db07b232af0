"""Fault injection for the crash tests: the process kills itself (SIGKILL) at a named point.

``KEHOACH_CRASH_AT=after_commit:12`` kills the process at the 12th time it passes the point
``after_commit``. Points: ``before_commit`` and ``after_commit`` (every transaction),
``update_before_commit`` (an update handled, its transaction not yet committed), ``after_send``
(a message delivered, not yet marked sent). Unset (always, outside the crash
tests), a point costs one comparison.
"""

from __future__ import annotations

import os
import signal

_AT = os.environ.get("KEHOACH_CRASH_AT", "")
_POINT, _, _N = _AT.partition(":")
_seen = 0


def crashpoint(name: str) -> None:
    global _seen
    if not _AT or name != _POINT:
        return
    _seen += 1
    if _seen == int(_N or 1):
        os.kill(os.getpid(), signal.SIGKILL)
