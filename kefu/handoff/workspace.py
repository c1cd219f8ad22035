"""The agent workspace: a web app inside the Rasa server, where human agents take over conversations.

Registered in credentials.yml as a Rasa input channel
(``kefu.handoff.workspace.AgentWorkspaceInput:``), so ``make run`` serves it
at ``http://localhost:5005/webhooks/workspace/`` and it reaches the running
Rasa agent in-process: its tracker store (the agent's replies go into the
conversation as ``BotUttered``; closing a case appends
``ConversationResumed``), its lock store (one writer per conversation, shared
with the channels in ``kefu.channels``) and its NLU model (suggested replies).

The page (``static/``: one HTML page, vanilla JS, no build step) talks to
the JSON API below. Every call but login needs a session: a token signed
with HMAC-SHA256, sent as an HttpOnly, SameSite=Strict cookie (or as
``Authorization: Bearer <token>``), valid for ``SESSION_HOURS``. The key is
``WORKSPACE_SECRET`` (``Settings.workspace_secret``; set it to the same
value on every Rasa replica, or sessions only work on the replica that
issued them); without it each process draws a random key, so a restart logs
every agent out. Logging out revokes the token in the handoff database
(``revoked_sessions``, a hash of it until it would have expired), so no
replica accepts it again, stolen or not.

    POST /api/login            {username, password} -> the agent; sets the cookie
    POST /api/logout           revokes the session (cookie or Bearer) on every replica
    GET  /api/me               the agent, the heartbeat interval
    GET  /api/queue            waiting cases (priority, then wait) and the agent's own
    GET  /api/tickets          messages left for a call-back: calls made so far, overdue or not
    POST /api/heartbeat        the browser is alive: keeps the agent online and their claims
    POST /api/cases/<id>/claim
    GET  /api/cases/<id>       transcript, customer, orders, slots, messages
    GET  /api/cases/<id>/messages?since=<message id>
    GET  /api/cases/<id>/suggestions
    POST /api/cases/<id>/reply {text}
    POST /api/cases/<id>/close
    POST /api/cases/<id>/callback {outcome: reached|no_answer, note}
                               a ticket's shopper called back: reached closes it (the note, what
                               was agreed, required); no_answer moves callback_at to the next slot,
                               the third closes it as unreachable

Errors are ``{"error": code, "message": 中文说明}`` with 400 (bad input),
401 (no, bad or revoked session, wrong password), 404 (no such case), 409
(the case is someone else's, no longer open, or no ticket for a call-back),
429 (too many wrong passwords) and 503 (the handoff database cannot answer).

A claimed case whose agent's browser stops sending heartbeats goes back to
the queue after HANDOFF_CLAIM_TIMEOUT_SECONDS: checked on every queue read
and by a background task.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict, defaultdict, deque
from datetime import datetime
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict, List, Mapping, NamedTuple, Optional, Sequence, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.backends.factory import backends_from_env
from kefu.backends.orders import OrderBackend
from kefu.channels import relay
from kefu.handoff import agents as agent_accounts
from kefu.handoff.cases import (
    CallbackAttempt,
    Case,
    CaseNotFound,
    CaseNotOpen,
    HandoffService,
    Message,
    NotATicket,
    NotYourCase,
    UnknownAgent,
)
from kefu.handoff.models import CALLBACK_OUTCOMES, CLAIMED, REACHED, SHOPPER, TICKET
from kefu.handoff.suggestions import CaseOrders, suggested_replies
from kefu.knowledge.store import shared_store
from kefu.replies.intent_labels import intent_names
from kefu.settings import Settings
from kefu.storage.clock import SHOP_TZ, in_shop_time, shop_now

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"app.js": "application/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}

SESSION_COOKIE = "kefu_workspace"
SESSION_HOURS = 12  # one shift
# v2 added the nonce: two logins in one second get two tokens, so logging one out leaves the other.
TOKEN_VERSION = "v2"

# Longer than any shop platform lets one chat message be; an agent pasting a
# whole document is told so instead of the shopper getting a wall of text.
MAX_REPLY_CHARS = 2000
# Bounds what reaches scrypt (a 10 MB "password" costs a core for seconds).
MAX_USERNAME_CHARS = 50
MAX_PASSWORD_CHARS = 200
# Wrong passwords for one username before it must wait.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_SECONDS = 300
SUGGESTION_CACHE_SIZE = 256


class SessionToken(NamedTuple):
    username: str
    expires: int  # seconds since the epoch


class SessionSigner:
    """Signed, expiring session tokens: ``v2.<username, base64url>.<expiry>.<nonce>.<HMAC-SHA256>``."""

    def __init__(self, secret: bytes, lifetime_seconds: float = SESSION_HOURS * 3600,
                 clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("a session secret has at least 16 bytes")
        self._secret = secret
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock

    def issue(self, username: str) -> str:
        name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii").rstrip("=")
        nonce = secrets.token_urlsafe(12)
        body = f"{TOKEN_VERSION}.{name}.{int(self._clock() + self.lifetime_seconds)}.{nonce}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: Optional[str]) -> Optional[str]:
        """The username the token was issued to; None if forged, altered, expired or malformed."""
        read = self.read(token)
        return read.username if read is not None else None

    def read(self, token: Optional[str]) -> Optional[SessionToken]:
        """Whom the token was issued to and until when; None if forged, altered, expired or malformed."""
        try:
            version, name, expiry, nonce, signature = (token or "").split(".")
        except ValueError:
            return None
        body = f"{version}.{name}.{expiry}.{nonce}"
        if version != TOKEN_VERSION or not hmac.compare_digest(self._sign(body), signature):
            return None
        try:
            if int(expiry) < self._clock():
                return None
            username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode("utf-8")
            return SessionToken(username, int(expiry))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode("ascii", "replace"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def workspace_secret(settings: Optional[Settings] = None) -> bytes:
    """WORKSPACE_SECRET (``Settings.workspace_secret``), or a random key for this process only."""
    configured = (settings or Settings.from_env()).workspace_secret
    if configured:
        return configured.encode("utf-8")
    return secrets.token_bytes(32)


def token_hash(token: str) -> str:
    """What ``revoked_sessions`` keeps of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class LoginThrottle:
    """At most LOGIN_ATTEMPTS wrong passwords per username in LOGIN_WINDOW_SECONDS (per process)."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window_seconds: float = LOGIN_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window_seconds, self._clock = attempts, window_seconds, clock
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def blocked(self, username: str) -> bool:
        failures = self._failures.get(username)
        if not failures:
            return False
        while failures and failures[0] < self._clock() - self.window_seconds:
            failures.popleft()
        return len(failures) >= self.attempts

    def failed(self, username: str) -> None:
        self._failures[username].append(self._clock())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


# --- what the page is sent ----------------------------------------------------------


def _time(moment: Optional[datetime]) -> Optional[str]:
    return in_shop_time(moment).isoformat() if moment is not None else None


def case_summary(case: Case, now: datetime, names: Optional[Mapping[Optional[str], Optional[str]]] = None
                 ) -> Dict[str, Any]:
    """A line of the queue; ``names`` ({username: display name}) names the agent holding the case."""
    customer = case.customer or {}
    return {
        "id": case.id,
        "sender_id": case.sender_id,
        "channel": case.channel,
        "status": case.status,
        "priority": case.priority,
        "reason": case.reason,
        "reason_label": case.reason_label,
        "emotion_score": case.emotion_score,
        "intent": case.intent,
        "intent_label": intent_names().get(case.intent or ""),
        "customer_name": customer.get("name"),
        "member_level": customer.get("member_level"),
        "member_level_label": customer.get("member_level_label"),
        "high_value": bool(customer.get("high_value")),
        "created_at": _time(case.created_at),
        "waiting_seconds": max(0, int((now - case.created_at).total_seconds())),
        "claimed_by": case.claimed_by,
        "claimed_by_name": (names or {}).get(case.claimed_by) or case.claimed_by,
        "ticket_contact": case.ticket_contact,
        "callback_at": _time(case.callback_at),
        # A ticket whose promised call-back time has passed.
        "overdue": case.status == TICKET and case.callback_at is not None and case.callback_at < now,
    }


def callback_json(attempt: CallbackAttempt, agent_name: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": attempt.id,
        "agent": attempt.agent,
        "agent_name": agent_name or attempt.agent,
        "outcome": attempt.outcome,
        "note": attempt.note,
        "at": _time(attempt.called_at),
    }


def callbacks_json(attempts: Sequence[CallbackAttempt],
                   names: Optional[Mapping[Optional[str], Optional[str]]] = None) -> Dict[str, Any]:
    """The calls made to a ticket's shopper so far, as the ticket list and the case show them."""
    return {
        "callbacks": [callback_json(attempt, (names or {}).get(attempt.agent)) for attempt in attempts],
        "callback_attempts": len(attempts),
    }


def case_detail(case: Case, now: datetime, callbacks: Sequence[CallbackAttempt] = (),
                names: Optional[Mapping[Optional[str], Optional[str]]] = None) -> Dict[str, Any]:
    """Everything the agent reads before answering (or calling a ticket's shopper back)."""
    return {
        **case_summary(case, now, names),
        **callbacks_json(callbacks, names),
        "slots": case.slots,
        "customer": case.customer,
        "recent_orders": case.recent_orders,
        "transcript": [line.to_json() for line in case.transcript],
        "closed_by": case.closed_by,
        "closed_at": _time(case.closed_at),
    }


def message_json(message: Message, author_name: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": message.id,
        "direction": message.direction,
        "author": message.author,
        "author_name": author_name or message.author,
        "text": message.text,
        "at": _time(message.created_at),
        "delivered": message.delivered_at is not None,
    }


def last_shopper_text(case: Case, messages: List[Message]) -> Optional[str]:
    """What the shopper said last: since the handoff, else the last line before it."""
    for message in reversed(messages):
        if message.direction == SHOPPER:
            return message.text
    for line in reversed(case.transcript):
        if line.who == SHOPPER:
            return line.text
    return None


def check_reply(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "bad_request", "请求格式不对：需要 JSON {\"text\": \"…\"}")
    text = body["text"].strip()
    if not text:
        raise ApiError(400, "empty_reply", "回复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        raise ApiError(400, "reply_too_long", f"回复太长了（{len(text)} 字），最多 {MAX_REPLY_CHARS} 字")
    return text


def check_callback(body: Any) -> Tuple[str, str]:
    """(outcome, note) of a call-back report; ApiError (400) for anything else."""
    if not isinstance(body, dict) or not isinstance(body.get("note", ""), (str, type(None))):
        raise ApiError(400, "bad_request", "请求格式不对：需要 JSON {\"outcome\": \"reached\" 或 \"no_answer\", \"note\": \"…\"}")
    outcome = body.get("outcome")
    if outcome not in CALLBACK_OUTCOMES:
        raise ApiError(400, "bad_outcome", "回电结果只能是 reached（已联系）或 no_answer（未接通）")
    note = (body.get("note") or "").strip()
    if outcome == REACHED and not note:
        raise ApiError(400, "empty_note", "已联系上顾客，请写下沟通结果")
    if len(note) > MAX_REPLY_CHARS:
        raise ApiError(400, "note_too_long", f"备注太长了（{len(note)} 字），最多 {MAX_REPLY_CHARS} 字")
    return outcome, note


@functools.lru_cache(maxsize=1)
def _shop_orders() -> OrderBackend:
    # The same backend the actions use (SHOP_BACKEND: the shop database or its API).
    return backends_from_env().orders


def _case_orders(case: Case) -> CaseOrders:
    """The orders a suggestion may talk about: only the case customer's own."""
    return CaseOrders(customer_id=(case.customer or {}).get("customer_id"),
                      discussed_order_id=(case.slots or {}).get("order_id"),
                      backend=_shop_orders())


# --- the channel ----------------------------------------------------------------------


Handler = Callable[..., Awaitable[HTTPResponse]]


class AgentWorkspaceInput(InputChannel):
    """The agent workspace, served by the Rasa server under /webhooks/workspace/."""

    @classmethod
    def name(cls) -> Text:
        return "workspace"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "AgentWorkspaceInput":
        credentials = credentials or {}
        return cls(session_hours=float(credentials.get("session_hours") or SESSION_HOURS))

    def __init__(self, session_hours: float = SESSION_HOURS,
                 service_factory: Callable[[], HandoffService] = relay.handoff_service,
                 settings: Optional[Settings] = None) -> None:
        self.signer = SessionSigner(workspace_secret(settings), session_hours * 3600)
        self.throttle = LoginThrottle()
        self._service_factory = service_factory
        self._suggestions: "OrderedDict[tuple, List[str]]" = OrderedDict()
        self._release_task: Optional[asyncio.Task] = None

    @property
    def service(self) -> HandoffService:
        return self._service_factory()

    def heartbeat_seconds(self) -> float:
        """How often the page says it is alive: several times within the claim timeout."""
        return max(1.0, min(10.0, self.service.claim_timeout_seconds / 4))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # No shopper writes here (on_new_message is unused): agents' replies go
        # into the conversation through kefu.channels.relay.
        workspace = Blueprint("agent_workspace", __name__)
        channel = self

        @workspace.listener("before_server_start")
        async def start_releasing(app: Any, _loop: Any) -> None:
            await asyncio.to_thread(lambda: channel.service)  # creates the tables before the first request
            channel._release_task = asyncio.ensure_future(channel._release_periodically())

        @workspace.listener("before_server_stop")
        async def stop_releasing(app: Any, _loop: Any) -> None:
            if channel._release_task is not None:
                channel._release_task.cancel()

        @workspace.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page loads app.js and calls api/… relative to its own address.
                return response.redirect(request.path + "/")
            return await response.file(STATIC_DIR / "index.html", mime_type="text/html; charset=utf-8",
                                       headers={"Cache-Control": "no-cache"})

        @workspace.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return _error(404, "not_found", "没有这个文件")
            return await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name],
                                       headers={"Cache-Control": "no-cache"})

        @workspace.route("/api/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            return await channel._guarded(channel._login, request)

        @workspace.route("/api/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            return await channel._logout(request)

        def api(path: str, method: str, handler: Handler) -> None:
            checked = channel._with_session(handler)

            async def route(request: Request, **params: Any) -> HTTPResponse:
                return await channel._guarded(checked, request, **params)

            workspace.add_route(route, path, methods=[method], name=handler.__name__.lstrip("_"))

        api("/api/me", "GET", channel._me)
        api("/api/queue", "GET", channel._queue)
        api("/api/tickets", "GET", channel._tickets)
        api("/api/heartbeat", "POST", channel._heartbeat)
        api("/api/cases/<case_id:int>", "GET", channel._case)
        api("/api/cases/<case_id:int>/claim", "POST", channel._claim)
        api("/api/cases/<case_id:int>/messages", "GET", channel._messages)
        api("/api/cases/<case_id:int>/suggestions", "GET", channel._suggestions_for)
        api("/api/cases/<case_id:int>/reply", "POST", channel._reply)
        api("/api/cases/<case_id:int>/close", "POST", channel._close)
        api("/api/cases/<case_id:int>/callback", "POST", channel._callback)
        return workspace

    # --- plumbing -----------------------------------------------------------------

    async def _guarded(self, handler: Handler, request: Request, **params: Any) -> HTTPResponse:
        """Every failure as the API's JSON error."""
        try:
            return await handler(request, **params)
        except ApiError as error:
            return _error(error.status, error.code, error.message)
        except CaseNotFound:
            return _error(404, "case_not_found", "没有这个会话")
        except NotYourCase:
            return _error(409, "not_your_case", "这个会话已由其他客服接待")
        except NotATicket:
            return _error(409, "not_a_ticket", "这个会话不是待回电的留言工单（可能已经结束）")
        except CaseNotOpen:
            return _error(409, "case_not_open", "这个会话已经结束")
        except UnknownAgent:
            return _error(401, "unauthorized", "账号不存在，请重新登录")
        except relay.DATABASE_ERRORS:
            logger.exception("handoff database unavailable")
            return _error(503, "unavailable", "系统暂时无法访问数据库，请稍后再试")

    def _with_session(self, handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: Request, **params: Any) -> HTTPResponse:
            token = self._token(request)
            username = self.signer.verify(token)

            def account_of_live_session() -> Optional[agent_accounts.AgentAccount]:
                engine = self.service.engine
                if agent_accounts.session_revoked(engine, token_hash(token)):
                    return None  # logged out
                return agent_accounts.get_agent(engine, username)

            account = await asyncio.to_thread(account_of_live_session) if username else None
            if account is None:
                raise ApiError(401, "unauthorized", "请先登录")
            request.ctx.agent_account = account
            return await handler(request, **params)

        return checked

    @staticmethod
    def _token(request: Request) -> Optional[str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.cookies.get(SESSION_COOKIE)

    @staticmethod
    def _json_body(request: Request) -> Any:
        try:
            return request.json
        except Exception:  # Sanic raises its own InvalidUsage for a body that is not JSON
            raise ApiError(400, "bad_request", "请求内容不是有效的 JSON")

    def _set_cookie(self, request: Request, answer: HTTPResponse, token: str, max_age: int) -> None:
        answer.cookies[SESSION_COOKIE] = token
        cookie = answer.cookies[SESSION_COOKIE]
        # Only the workspace's own pages and API get it.
        cookie["path"] = request.path.split("/api/", 1)[0] + "/"
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["max-age"] = max_age
        if request.scheme == "https":
            cookie["secure"] = True

    @staticmethod
    def _rasa_agent(request: Request) -> Any:
        agent = request.app.ctx.agent
        if agent is None or not agent.is_ready():
            raise ApiError(503, "not_ready", "助手尚未就绪，请稍后再试")
        return agent

    async def _existing_case(self, case_id: int) -> Case:
        case = await asyncio.to_thread(self.service.get, case_id)
        if case is None:
            raise CaseNotFound(case_id)
        return case

    def _messages_json(self, messages: List[Message]) -> List[Dict[str, Any]]:
        names = relay.agent_names(self.service.engine, messages)
        return [message_json(message, names[message.author]) for message in messages]

    def _detail_json(self, case: Case) -> Dict[str, Any]:
        """case_detail with the case's call-backs and its agents' display names (blocking)."""
        attempts = self.service.callbacks([case.id])[case.id]
        names = agent_accounts.display_names(
            self.service.engine, [case.claimed_by] + [attempt.agent for attempt in attempts])
        return case_detail(case, shop_now(), attempts, names)

    async def _release_periodically(self) -> None:
        # Nobody may be reading the queue (every agent's browser is closed);
        # the cases must go back all the same.
        interval = self.heartbeat_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                released = await asyncio.to_thread(self.service.release_stale_claims)
                if released:
                    logger.info("released stale claims: %s", released)
            except relay.DATABASE_ERRORS:
                logger.exception("could not release stale claims")

    # --- the API --------------------------------------------------------------------

    async def _logout(self, request: Request) -> HTTPResponse:
        """Ends the session everywhere: the token is revoked in the database all replicas share."""
        token = self._token(request)
        session = self.signer.read(token)
        answer = response.json({"ok": True})
        if session is not None:
            expires_at = datetime.fromtimestamp(session.expires, SHOP_TZ)
            try:
                await asyncio.to_thread(agent_accounts.revoke_session, self.service.engine, token_hash(token),
                                        expires_at)
            except relay.DATABASE_ERRORS:
                # Not revoked: say so (the browser forgets the cookie all the same).
                logger.exception("could not revoke a workspace session")
                answer = _error(503, "unavailable", "系统暂时无法访问数据库，退出未生效，请稍后再试")
        self._set_cookie(request, answer, "", max_age=0)
        return answer

    async def _login(self, request: Request) -> HTTPResponse:
        body = self._json_body(request)
        username = body.get("username") if isinstance(body, dict) else None
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
            raise ApiError(400, "bad_request", "请输入账号和密码")
        username = username.strip()
        if len(username) > MAX_USERNAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
            raise ApiError(401, "wrong_password", "账号或密码不正确")
        if self.throttle.blocked(username):
            raise ApiError(429, "too_many_attempts", "密码错误次数过多，请稍后再试")
        account = await asyncio.to_thread(agent_accounts.verify_agent, self.service.engine, username, password)
        if account is None:
            self.throttle.failed(username)
            raise ApiError(401, "wrong_password", "账号或密码不正确")
        self.throttle.succeeded(username)
        await asyncio.to_thread(agent_accounts.mark_seen, self.service.engine, account.username)
        token = self.signer.issue(account.username)
        answer = response.json({"agent": self._account_json(account)})
        self._set_cookie(request, answer, token, max_age=int(self.signer.lifetime_seconds))
        return answer

    def _account_json(self, account: agent_accounts.AgentAccount) -> Dict[str, Any]:
        return {"username": account.username, "display_name": account.display_name,
                "heartbeat_seconds": self.heartbeat_seconds()}

    async def _me(self, request: Request) -> HTTPResponse:
        return response.json({"agent": self._account_json(request.ctx.agent_account)})

    async def _queue(self, request: Request) -> HTTPResponse:
        username = request.ctx.agent_account.username

        def read() -> Dict[str, Any]:
            self.service.release_stale_claims()
            now = shop_now()
            tickets = [case_summary(case, now) for case in self.service.tickets()]
            return {
                "queue": [case_summary(case, now) for case in self.service.queue()],
                "mine": [case_summary(case, now) for case in self.service.held_by(username)],
                "tickets": len(tickets),
                "tickets_overdue": sum(ticket["overdue"] for ticket in tickets),
                "agents_online": len(agent_accounts.online_agents(
                    self.service.engine, now, self.service.agent_online_seconds)),
            }

        return response.json(await asyncio.to_thread(read))

    async def _tickets(self, request: Request) -> HTTPResponse:
        def read() -> List[Dict[str, Any]]:
            now = shop_now()
            tickets = self.service.tickets()
            calls = self.service.callbacks(case.id for case in tickets)
            names = agent_accounts.display_names(
                self.service.engine, [attempt.agent for attempts in calls.values() for attempt in attempts])
            return [{**case_summary(case, now), **callbacks_json(calls[case.id], names),
                     "messages": self._messages_json(self.service.messages(case.id))}
                    for case in tickets]

        return response.json({"tickets": await asyncio.to_thread(read)})

    async def _heartbeat(self, request: Request) -> HTTPResponse:
        username = request.ctx.agent_account.username

        def beat() -> List[int]:
            agent_accounts.mark_seen(self.service.engine, username)
            return [case.id for case in self.service.held_by(username)
                    if self.service.heartbeat(case.id, username)]

        return response.json({"held": await asyncio.to_thread(beat)})

    async def _claim(self, request: Request, case_id: int) -> HTTPResponse:
        username = request.ctx.agent_account.username
        won = await asyncio.to_thread(self.service.claim, case_id, username)
        case = await self._existing_case(case_id)
        if not won and not (case.status == CLAIMED and case.claimed_by == username):
            if case.status == CLAIMED:
                holder = await asyncio.to_thread(agent_accounts.display_names, self.service.engine, [case.claimed_by])
                raise ApiError(409, "claimed_by_other", f"这个会话已由 {holder[case.claimed_by]} 接入")
            if case.status == TICKET:
                raise ApiError(409, "case_not_open", "这个会话已转为留言工单")
            raise ApiError(409, "case_not_open", "这个会话已经结束")
        return await self._case(request, case_id)

    async def _case(self, request: Request, case_id: int) -> HTTPResponse:
        case = await self._existing_case(case_id)
        detail, messages = await asyncio.to_thread(
            lambda: (self._detail_json(case), self._messages_json(self.service.messages(case_id))))
        return response.json({"case": detail, "messages": messages})

    async def _messages(self, request: Request, case_id: int) -> HTTPResponse:
        raw = request.args.get("since")
        try:
            since = int(raw) if raw not in (None, "") else None
        except ValueError:
            raise ApiError(400, "bad_request", "since 必须是消息编号（整数）")
        case = await self._existing_case(case_id)

        def read() -> Dict[str, Any]:
            names = agent_accounts.display_names(self.service.engine, [case.claimed_by]) if case.claimed_by else None
            return {"case": case_summary(case, shop_now(), names),
                    "messages": self._messages_json(self.service.messages(case_id, since))}

        return response.json(await asyncio.to_thread(read))

    async def _suggestions_for(self, request: Request, case_id: int) -> HTTPResponse:
        case = await self._existing_case(case_id)
        messages = await asyncio.to_thread(self.service.messages, case_id)
        text = last_shopper_text(case, messages)
        if not text:
            return response.json({"for": None, "replies": []})
        return response.json({"for": text, "replies": await self._suggest(self._rasa_agent(request), case, text)})

    async def _suggest(self, agent: Any, case: Case, text: str) -> List[str]:
        key = (case.id, text)
        if key in self._suggestions:
            self._suggestions.move_to_end(key)
            return self._suggestions[key]
        try:
            parse = await agent.parse_message(text)
            replies = await asyncio.to_thread(suggested_replies, text, parse, shared_store(),
                                              case_orders=_case_orders(case))
        except Exception:  # the agent can always type: a failing suggestion must not break the page
            logger.exception("suggested replies failed for case %s", case.id)
            return []
        replies = [reply for reply in (str(r).strip() for r in replies or []) if reply]
        self._suggestions[key] = replies
        while len(self._suggestions) > SUGGESTION_CACHE_SIZE:
            self._suggestions.popitem(last=False)
        return replies

    async def _reply(self, request: Request, case_id: int) -> HTTPResponse:
        text = check_reply(self._json_body(request))
        account = request.ctx.agent_account
        rasa_agent = self._rasa_agent(request)
        delivery = await asyncio.to_thread(self.service.agent_reply, case_id, account.username, text)
        pushed = False
        async with rasa_agent.lock_store.lock(delivery.sender_id):
            try:
                input_channel = await relay.record_agent_message(
                    rasa_agent, delivery.sender_id, delivery.message, account.display_name)
            except Exception:  # the reply is stored and still reaches the shopper; only the tracker misses it
                logger.exception("could not log the agent's reply in the tracker of %s", delivery.sender_id)
                input_channel = None
            send = relay.live_sender(input_channel, delivery.sender_id)
            if send is not None:
                try:
                    # Usually sends it; the socket channel's delivery round may have sent it a moment before.
                    await relay.deliver_pending(delivery.sender_id, send)
                    pushed = True
                except Exception:
                    logger.exception("live delivery to %s failed; the message waits", delivery.sender_id)
        return response.json({"message": message_json(delivery.message, account.display_name), "pushed": pushed})

    async def _close(self, request: Request, case_id: int) -> HTTPResponse:
        rasa_agent = self._rasa_agent(request)
        case = await asyncio.to_thread(self.service.close, case_id, request.ctx.agent_account.username)
        try:
            async with rasa_agent.lock_store.lock(case.sender_id):
                resumed = await relay.resume_if_paused(rasa_agent, case.sender_id)
        except Exception:  # the case is closed: the relay lifts the pause with the shopper's next message
            logger.exception("could not resume the conversation of %s", case.sender_id)
            resumed = False
        return response.json({"case": case_detail(case, shop_now()), "resumed": resumed})

    async def _callback(self, request: Request, case_id: int) -> HTTPResponse:
        outcome, note = check_callback(self._json_body(request))
        account = request.ctx.agent_account

        def record() -> Dict[str, Any]:
            result = self.service.record_callback(case_id, account.username, outcome, note)
            return {"case": self._detail_json(result.case),
                    "message": message_json(result.message, account.display_name),
                    "unanswered": result.unanswered,
                    "unreachable": result.unreachable}

        return response.json(await asyncio.to_thread(record))
