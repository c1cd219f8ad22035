"""Import the marketplaces' chat-log exports into the assistant's conversations, so that what the
merchant's agents already answered on Taobao or JD can be read, reviewed and learnt from like the
assistant's own conversations (docs/channels/platforms.md: chat-log exports).

    python -m kefu.channels.chatlog_import [--platform taobao|jd|…] FILE… [--dry-run]
    make import-chats FILES="taobao.csv jd.json"

Where they go: Rasa's SQL tracker store (TRACKER_DB_*, as endpoints.yml configures it), which is where
every conversation of the assistant lives and what Rasa's own tooling (``rasa export``, interactive
review, story extraction) and the retention purge read. One conversation per buyer and platform, sender
id ``import:<platform>:<buyer>``, in the shape the live channels write:

* a session (``action_session_start``, ``session_started``, ``action_listen``) at the start and after
  every silence longer than SESSION_GAP;
* the buyer's messages as ``user`` events (no intent: the NLU never read them), the agents' as ``bot``
  events with ``metadata.handoff = {"from": "agent", "agent": <nick>}`` as a workspace agent's reply;
* every message's metadata ``channel`` = the platform and ``imported`` = {key, source, agent}.

Idempotent: a message is known by its key (platform, buyer, who, time, text), and a conversation is
written again (in time order) only when an export brings messages it does not have yet; importing the
same files twice adds nothing. Bad rows are reported with their line and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, TextIO

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from kefu.channels.chatlog_formats import BadRow, ChatLine, parse_time, read_export
from kefu.settings import Settings

SENDER_PREFIX = "import"
IMPORTED_KEY = "imported"
# A silence this long starts a new session, as Rasa's default session_expiration_time does.
SESSION_GAP = timedelta(minutes=60)
PROGRESS_EVERY = 1000  # rows


def sender_id_of(platform: str, buyer_id: str) -> str:
    return f"{SENDER_PREFIX}:{platform}:{buyer_id}"


@dataclass
class ImportReport:
    rows: int = 0
    bad: List[BadRow] = field(default_factory=list)
    conversations: int = 0  # conversations with new messages
    added: int = 0  # new messages
    known: int = 0  # messages already imported

    def summary(self, dry_run: bool = False) -> str:
        verb = "would be added" if dry_run else "added"
        return (f"{self.rows} rows read: {self.added} messages {verb} in {self.conversations} conversations, "
                f"{self.known} already imported, {len(self.bad)} bad rows")


def tracker_store(settings: Settings) -> SQLTrackerStore:
    """Rasa's SQL tracker store as endpoints.yml builds it from the same settings."""
    return SQLTrackerStore(Domain.empty(), dialect=settings.tracker_db_dialect,
                           host=settings.tracker_db_host or None, db=settings.tracker_db_name)


def guess_platform(path: Path, platforms: Sequence[str]) -> Optional[str]:
    """The platform a file name names (taobao_chats.csv, 京东 exports named jd-…); None if none does."""
    name = path.name.lower()
    for platform in sorted(platforms, key=len, reverse=True):
        if platform in name.replace("-", "_").split("_") or name.startswith(platform):
            return platform
    if "tmall" in name or "qianniu" in name:
        return "taobao"
    return None


def import_files(paths: Sequence[Path], store: SQLTrackerStore, platform: Optional[str], known_platforms: Sequence[str],
                 dry_run: bool = False, progress: Callable[[str], None] = lambda line: None) -> ImportReport:
    report = ImportReport()
    conversations: Dict[tuple, List[ChatLine]] = defaultdict(list)
    for path in paths:
        chosen = platform or guess_platform(path, known_platforms)
        if chosen is None:
            report.bad.append(BadRow(f"{path.name}:0", "which platform? name it with --platform"))
            continue
        progress(f"reading {path} ({chosen})")
        for read in read_export(path, chosen):
            report.rows += 1
            if isinstance(read, BadRow):
                report.bad.append(read)
                progress(f"  bad row {read}")
            else:
                conversations[(read.platform, read.buyer_id)].append(read)
            if report.rows % PROGRESS_EVERY == 0:
                progress(f"  {report.rows} rows")
    for number, ((chosen, buyer), lines) in enumerate(sorted(conversations.items()), start=1):
        added, known = asyncio.run(_import_conversation(store, sender_id_of(chosen, buyer), lines, dry_run))
        report.added += added
        report.known += known
        report.conversations += 1 if added else 0
        if number % 100 == 0 or number == len(conversations):
            progress(f"  {number}/{len(conversations)} conversations written")
    return report


async def _import_conversation(store: SQLTrackerStore, sender_id: str, lines: List[ChatLine],
                               dry_run: bool) -> tuple:
    """(messages added, messages already there) for one buyer; the conversation rewritten in time order
    when anything is new."""
    stored = await store.retrieve_full_tracker(sender_id)
    have = {line.key: line for line in _stored_lines(stored.events if stored else [], sender_id)}
    new: Dict[str, ChatLine] = {}
    for line in lines:
        if line.key not in have:
            new.setdefault(line.key, line)  # the same message twice in one export counts once
    known = len(lines) - len(new)
    if not new or dry_run:
        return len(new), known
    # Stable: messages of the same second keep the order they were stored or exported in.
    everything = sorted([*have.values(), *new.values()], key=lambda line: line.at)
    rows = [event.as_dict() for event in conversation_events(everything)]
    with store.session_scope() as session:
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
        for data in rows:
            session.add(store.SQLEvent(
                sender_id=sender_id, type_name=data["event"], timestamp=data["timestamp"],
                intent_name=((data.get("parse_data") or {}).get("intent") or {}).get("name"),
                action_name=data.get("name"), data=json.dumps(data)))
        session.commit()
    return len(new), known


def conversation_events(lines: Iterable[ChatLine]) -> List[Any]:
    """Rasa events of one buyer's messages, sorted: sessions, user and bot turns."""
    events: List[Any] = []
    previous: Optional[datetime] = None
    last_was_bot = False
    for line in lines:
        stamp = line.at.timestamp()
        if previous is None or line.at - previous > SESSION_GAP:
            events += [ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp), SessionStarted(timestamp=stamp),
                       ActionExecuted(ACTION_LISTEN_NAME, timestamp=stamp)]
            last_was_bot = False
        metadata = {"channel": line.platform,
                    IMPORTED_KEY: {"key": line.key, "source": line.source, "agent": line.agent}}
        if line.from_buyer:
            if last_was_bot:
                events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=stamp))
            events.append(UserUttered(line.text, intent=None, entities=[], metadata=metadata, timestamp=stamp,
                                      input_channel=line.platform))
            last_was_bot = False
        else:
            metadata["handoff"] = {"from": "agent", "agent": line.agent}
            events.append(BotUttered(line.text, metadata=metadata, timestamp=stamp))
            last_was_bot = True
        previous = line.at
    return events


def _stored_lines(events: Iterable[Any], sender_id: str) -> List[ChatLine]:
    """The imported messages of a stored conversation, back as lines (to rewrite it in order)."""
    _, platform, buyer = sender_id.split(":", 2)
    lines = []
    for event in events:
        metadata = getattr(event, "metadata", None) or {}
        imported = metadata.get(IMPORTED_KEY)
        if not isinstance(imported, dict) or not isinstance(event, (UserUttered, BotUttered)):
            continue
        line = ChatLine(platform, buyer, isinstance(event, UserUttered), parse_time(event.timestamp),
                        event.text or "", imported.get("agent") or "", imported.get("source") or "")
        lines.append(line)
    return lines


def main(argv: Optional[List[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description="Import Taobao/JD chat-log exports (CSV, XLSX, JSON) into the conversations.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--platform", choices=settings.platform_bridge_platforms,
                        help="the platform of every file (default: guessed from each file's name)")
    parser.add_argument("--dry-run", action="store_true", help="read and count, write nothing")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=err)
        return 2
    report = import_files(args.files, tracker_store(settings), args.platform, settings.platform_bridge_platforms,
                          dry_run=args.dry_run, progress=lambda line: print(line, file=err, flush=True))
    for bad in report.bad:
        print(f"bad row {bad}", file=out)
    print(report.summary(args.dry_run), file=out)
    return 1 if report.bad and not report.added and not report.known else 0


if __name__ == "__main__":
    sys.exit(main())
