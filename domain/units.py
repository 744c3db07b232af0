"""Unit names as people type them: the campaign's own spelling when it is meant, a question when
it is not known.

A lead or coordinating unit is usually one of the campaign's agencies, typed without diacritics or
in another case ("so tai chinh" is Sở Tài chính); sometimes it is a unit outside the list ("UBND
các xã, phường"); and sometimes it is a slip, such as a timeline typed on the wrong step ("quý
II/2026"). :meth:`Units.check` tells the three apart so the caller stores the known spelling at
once and asks before storing anything else.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from domain.text import fold
from domain.timeline import TimelineError, parse_timeline

SUGGESTIONS = 3  # names offered for an unknown one
_CUTOFF = 0.75  # similarity (difflib ratio of the folded names) of a suggestion
_MIN_PART = 4  # folded characters a part must have to suggest the names that contain it


@dataclass(frozen=True)
class UnitCheck:
    """What a typed name is: ``name`` is what to store (the known spelling when it matches)."""

    name: str
    known: bool
    similar: tuple[str, ...] = ()  # known names it may mean, best first
    timeline: bool = False  # it reads as a time, not a unit


class Units:
    """The names a plan may use: the campaign's agencies first, then names its plan already uses
    (a unit outside the list, once kept, is not questioned again)."""

    def __init__(self, agencies: Iterable[str], used: Iterable[str] = ()) -> None:
        self._agencies = _index(tuple(agencies))
        self._used = {fold(n): n for n in used if n}

    def check(self, typed: str, year: int | None = None) -> UnitCheck:
        key = fold(typed)
        found = self._agencies.by_key.get(key) or self._used.get(key)
        if found is not None:
            return UnitCheck(name=found, known=True)
        return UnitCheck(
            name=typed,
            known=False,
            similar=self._agencies.similar(key),
            timeline=_reads_as_time(typed, year),
        )


@dataclass(frozen=True)
class _Index:
    names: tuple[str, ...]
    keys: tuple[str, ...]
    by_key: dict[str, str]

    def similar(self, key: str) -> tuple[str, ...]:
        if not key:
            return ()
        close = difflib.get_close_matches(key, self.keys, n=SUGGESTIONS, cutoff=_CUTOFF)
        out = [self.by_key[k] for k in close]
        if len(key) >= _MIN_PART:  # "tai chinh" → Sở Tài chính; "so tai chinh tinh" → Sở Tài chính
            for k, name in zip(self.keys, self.names, strict=True):
                if len(out) >= SUGGESTIONS:
                    break
                if name not in out and (key in k or (len(k) >= _MIN_PART and k in key)):
                    out.append(name)
        return tuple(out)


@functools.lru_cache(maxsize=8)  # one per campaign in use; the tuple of names is the key
def _index(names: tuple[str, ...]) -> _Index:
    keys = tuple(fold(n) for n in names)
    by_key: dict[str, str] = {}
    for k, n in zip(keys, names, strict=True):
        by_key.setdefault(k, n)
    return _Index(names=names, keys=keys, by_key=by_key)


def _reads_as_time(text: str, year: int | None) -> bool:
    try:
        tl = parse_timeline(text, default_year=year or 2000)
    except TimelineError:
        return False
    return tl.due is not None or tl.recurring
