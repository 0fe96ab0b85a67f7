"""The review log's hash chain: what makes a rewritten log show.

Each event carries ``prev_hash`` (the hash of the event before it; ``GENESIS`` for the
first) and ``hash``, the sha256 of its canonical form: its fields as compact JSON with
sorted keys, the ``hash`` itself left out and fields that are null omitted (so a column
added later, null in older events, leaves their hashes as they were). Changing any
field of an event, removing one or slipping one in breaks the chain from there on, as
in audit and transparency logs.

The chain alone cannot show events cut from the end, nor a log rewritten whole with
hashes computed anew: the *head* (``review.head`` beside ``review.sqlite``: the number
of events and the last hash) is written with every event and checked against the log;
the head in a shared ``audit.html`` or workbook, or noted in the working papers, is a
copy the log cannot take back.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditkit.precompiled import dataclass

GENESIS = "0" * 64
HEAD_SUFFIX = ".head"


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over (every field but ``hash``; null fields left out)."""
    fields = {k: v for k, v in event.items() if k != "hash" and v is not None}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    """The hash an event should carry (its ``prev_hash`` included)."""
    return hashlib.sha256(canonical(event)).hexdigest()


def head_path(log_path: str | Path) -> Path:
    """Where the head of the log at ``log_path`` is kept: ``review.sqlite`` -> ``review.head``."""
    return Path(log_path).with_suffix(HEAD_SUFFIX)


def read_head(path: Path) -> dict[str, Any] | None:
    """The head as written (``events``, ``event_id``, ``hash``); None when there is no head file,
    ``{}`` when it is not a head auditkit wrote."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        head = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(head, dict) or not isinstance(head.get("events"), int) or not isinstance(head.get("hash"), str):
        return {}
    return head


def write_head(path: Path, events: int, event_id: int | None, last_hash: str) -> None:
    """Replace the head in one step (a reader sees the old head or the new one, never half of one)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"events": events, "event_id": event_id, "hash": last_hash}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class ChainCheck:
    """What checking a review log found: ``ok``, or the first bad event and what is wrong with it."""

    path: Path
    events: int  # events in the log
    last_hash: str  # the hash of the last event (GENESIS for an empty log)
    problem: str = ""  # what is wrong, in Chinese with English; "" when the chain holds
    bad_event: int | None = None  # event_id of the first event that does not hold (None: the head, or none)

    @property
    def ok(self) -> bool:
        return not self.problem

    def line(self) -> str:
        """One line for a terminal or a warning."""
        if self.ok:
            return (f"{self.path}: 审核记录完整，共 {self.events} 条，链头 {self.last_hash[:16]} "
                    f"(review log intact: {self.events} events, head {self.last_hash[:16]})")
        return f"{self.path}: 审核记录已被改动 (review log tampered with): {self.problem}"


def describe(event: Mapping[str, Any]) -> str:
    """An event as an auditor finds it: its number, finding, decision, reviewer and time."""
    what = event.get("decision") or event.get("kind") or ""
    return (f"第 {event.get('event_id')} 条（finding {event.get('finding_id') or '—'}，{what}，"
            f"{event.get('reviewer') or '—'}，{event.get('time') or '—'}）")


def check_chain(path: Path, events: Sequence[Mapping[str, Any]], head: Mapping[str, Any] | None) -> ChainCheck:
    """Check every event's hash and link, then the head; the first thing wrong is reported."""
    prev = GENESIS
    for event in events:
        if event.get("prev_hash") != prev:
            return ChainCheck(path, len(events), prev,
                              f"{describe(event)}与前一条记录不相接：其前有记录被删除、插入或改动 "
                              f"(event {event.get('event_id')} does not follow the event before it: "
                              "an event was removed, inserted or changed)", event.get("event_id"))
        if event.get("hash") != event_hash(event):
            return ChainCheck(path, len(events), prev,
                              f"{describe(event)}的内容与其哈希不符：写入后被改动 "
                              f"(event {event.get('event_id')} does not match its hash: changed after it was written)",
                              event.get("event_id"))
        prev = event["hash"]
    last_id = events[-1].get("event_id") if events else None
    if head is None:
        if events:
            return ChainCheck(path, len(events), prev, f"缺少记录头 {head_path(path).name}，无法确认记录未被删减或整体重写 "
                              f"(the head file {head_path(path).name} is missing)")
        return ChainCheck(path, 0, prev)
    if not head:
        return ChainCheck(path, len(events), prev, f"记录头 {head_path(path).name} 已损坏 (the head file is not readable)")
    count, head_hash = head["events"], head["hash"]
    if count > len(events):
        return ChainCheck(path, len(events), prev, f"记录头记有 {count} 条，日志只有 {len(events)} 条：末尾的记录被删除 "
                          f"(the head names {count} events, the log holds {len(events)}: events were removed from the end)")
    if count < len(events):
        extra = events[count]
        return ChainCheck(path, len(events), prev, f"{describe(extra)}起的 {len(events) - count} 条记录不在记录头中："
                          f"未经 auditkit 写入 (event {extra.get('event_id')} and after were added outside auditkit)",
                          extra.get("event_id"))
    if head_hash != prev:
        return ChainCheck(path, len(events), prev, f"记录头与日志的最后一条（{last_id}）不符：日志被整体重写 "
                          f"(the head does not match the last event: the log was rewritten)", last_id)
    return ChainCheck(path, len(events), prev)
