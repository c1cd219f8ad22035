"""The workspace's JSON API: one handler per route over the handoff service, each answering a Sanic
request, every failure as the API's JSON error (the routes and errors are listed in docs/workspace.md)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kefu.handoff import agents as agent_accounts
from kefu.handoff.case_store import Case, CaseNotFound, CaseNotOpen, Message, NotYourCase, UnknownAgent
from kefu.handoff.conversation import record_agent_message, resume_if_paused
from kefu.handoff.delivery import agent_names, deliver_pending, live_sender, notify_typing
from kefu.storage.handoff_models import CLAIMED, TICKET
from kefu.handoff.service import DATABASE_ERRORS, HandoffService
from kefu.handoff.suggestions import last_shopper_text, suggestions_for_case
from kefu.handoff.tickets import NotATicket
from kefu.storage.clock import SHOP_TZ, shop_now
from kefu.security.identity import identity_secret
from kefu.security.photo_links import PhotoLinks
from kefu.settings import Settings
from kefu.storage.phrases import plain_phrase
from kefu.workspace.access import may_see
from kefu.workspace.auth import (
    LoginThrottle,
    SessionSigner,
    request_client_address,
    password_hashing_pool,
    session_token,
    set_session_cookie,
    token_hash,
)
from kefu.workspace.checks import (
    ApiError,
    check_callback,
    check_login,
    check_reply,
    check_since,
    error_response,
    json_body,
)
from kefu.workspace.reports import CaseReports, shop_after_sales
from kefu.workspace.views import callbacks_json, case_detail, case_summary, message_json

logger = logging.getLogger(__name__)

SUGGESTION_CACHE_SIZE = 256

Handler = Callable[..., Awaitable[HTTPResponse]]


class WorkspaceApi:
    """The API's handlers, with the session signer, the login throttle, the password-hashing threads and
    the suggested replies of this process."""

    def __init__(self, signer: SessionSigner, service_factory: Callable[[], HandoffService],
                 settings: Optional[Settings] = None, reports: Optional[CaseReports] = None) -> None:
        settings = settings or Settings.from_env()
        # The problem reports of a case's order, their photos as links the web chat's photo route honours.
        self.reports = reports or CaseReports(shop_after_sales, PhotoLinks(identity_secret(settings)))
        self.signer = signer
        self.throttle = LoginThrottle()
        self.password_hashing = password_hashing_pool()
        self.demo_mode = settings.demo_mode
        self.trust_forwarded_headers = settings.trust_forwarded_headers
        self._service_factory = service_factory
        self._suggestions: "OrderedDict[Tuple[int, str], List[str]]" = OrderedDict()

    @property
    def service(self) -> HandoffService:
        return self._service_factory()

    def heartbeat_seconds(self) -> float:
        """How often the page says it is alive: several times within the claim timeout."""
        return max(1.0, min(10.0, self.service.claim_timeout_seconds / 4))

    def session_routes(self) -> List[Tuple[str, str, Handler]]:
        """(path, method, handler) of every route that needs a session; login and logout are apart."""
        return [
            ("/api/me", "GET", self.me),
            ("/api/queue", "GET", self.queue),
            ("/api/tickets", "GET", self.tickets),
            ("/api/heartbeat", "POST", self.heartbeat),
            ("/api/cases/<case_id:int>", "GET", self.case),
            ("/api/cases/<case_id:int>/claim", "POST", self.claim),
            ("/api/cases/<case_id:int>/messages", "GET", self.messages),
            ("/api/cases/<case_id:int>/suggestions", "GET", self.suggestions_for),
            ("/api/cases/<case_id:int>/reports", "GET", self.problem_reports),
            ("/api/cases/<case_id:int>/reply", "POST", self.reply),
            ("/api/cases/<case_id:int>/typing", "POST", self.typing),
            ("/api/cases/<case_id:int>/close", "POST", self.close),
            ("/api/cases/<case_id:int>/callback", "POST", self.callback),
        ]

    # --- plumbing -----------------------------------------------------------------

    async def guarded(self, handler: Handler, request: Request, **params: Any) -> HTTPResponse:
        """Every failure as the API's JSON error."""
        try:
            return await handler(request, **params)
        except ApiError as error:
            return error_response(error.status, error.code, error.message)
        except CaseNotFound:
            return error_response(404, "case_not_found", plain_phrase("workspace_case_not_found"))
        except NotYourCase:
            return error_response(409, "not_your_case", plain_phrase("workspace_not_your_case"))
        except NotATicket:
            return error_response(409, "not_a_ticket", plain_phrase("workspace_not_a_ticket"))
        except CaseNotOpen:
            return error_response(409, "case_not_open", plain_phrase("workspace_case_not_open"))
        except UnknownAgent:
            return error_response(401, "unauthorized", plain_phrase("workspace_unknown_agent"))
        except DATABASE_ERRORS:
            logger.exception("handoff database unavailable")
            return error_response(503, "unavailable", plain_phrase("workspace_database_unavailable"))

    def with_session(self, handler: Handler) -> Handler:
        """``handler`` for a request with a live session only; its agent in ``request.ctx.agent_account``."""

        @functools.wraps(handler)
        async def checked(request: Request, **params: Any) -> HTTPResponse:
            token = session_token(request)
            session = self.signer.read(token)

            def account_of_live_session() -> Optional[agent_accounts.AgentAccount]:
                engine = self.service.engine
                if agent_accounts.session_revoked(engine, token_hash(token)):
                    return None  # logged out
                account = agent_accounts.get_agent(engine, session.username)
                if account is None or account.password_generation != session.generation:
                    return None  # the password changed since this session began
                return account

            account = await asyncio.to_thread(account_of_live_session) if session else None
            if account is None:
                raise ApiError(401, "unauthorized", plain_phrase("workspace_login_first"))
            request.ctx.agent_account = account
            return await handler(request, **params)

        return checked

    @staticmethod
    def _rasa_agent(request: Request) -> Any:
        agent = request.app.ctx.agent
        if agent is None or not agent.is_ready():
            raise ApiError(503, "not_ready", plain_phrase("workspace_not_ready"))
        return agent

    async def _visible_case(self, request: Request, case_id: int) -> Case:
        """The case, if the session's agent may see it; CaseNotFound (404) otherwise, so that an agent
        learns nothing of the cases of others (ids are sequential)."""
        case = await asyncio.to_thread(self.service.get, case_id)
        if case is None or not may_see(request.ctx.agent_account, case):
            raise CaseNotFound(case_id)
        return case

    def _messages_json(self, messages: List[Message]) -> List[Dict[str, Any]]:
        names = agent_names(self.service.engine, messages)
        return [message_json(message, names[message.author]) for message in messages]

    def _detail_json(self, case: Case) -> Dict[str, Any]:
        """case_detail with the case's call-backs and its agents' display names (blocking)."""
        attempts = self.service.callbacks([case.id])[case.id]
        names = agent_accounts.display_names(
            self.service.engine, [case.claimed_by] + [attempt.agent for attempt in attempts])
        return case_detail(case, shop_now(), attempts, names)

    def _account_json(self, account: agent_accounts.AgentAccount) -> Dict[str, Any]:
        return {"username": account.username, "display_name": account.display_name, "role": account.role,
                "heartbeat_seconds": self.heartbeat_seconds()}

    # --- sessions -------------------------------------------------------------------

    async def login(self, request: Request) -> HTTPResponse:
        username, password = check_login(json_body(request))
        client = request_client_address(request, self.trust_forwarded_headers)
        # Counted as a failure before the (slow) check, so that racing logins cannot pass the limit.
        attempt = self.throttle.begin(client, username)
        if attempt is None:
            raise ApiError(429, "too_many_attempts", plain_phrase("workspace_too_many_attempts"))
        account = await asyncio.get_running_loop().run_in_executor(
            self.password_hashing, agent_accounts.verify_agent, self.service.engine, username, password)
        if account is None or not agent_accounts.may_log_in(account, self.demo_mode):
            raise ApiError(401, "wrong_password", plain_phrase("workspace_wrong_password"))
        self.throttle.succeeded(client, username, attempt)
        await asyncio.to_thread(agent_accounts.mark_seen, self.service.engine, account.username)
        token = self.signer.issue(account.username, account.password_generation)
        answer = response.json({"agent": self._account_json(account)})
        self._set_cookie(request, answer, token, max_age=int(self.signer.lifetime_seconds))
        return answer

    def _set_cookie(self, request: Request, answer: HTTPResponse, token: str, max_age: int) -> None:
        set_session_cookie(request, answer, token, max_age, trust_forwarded_headers=self.trust_forwarded_headers)

    async def logout(self, request: Request) -> HTTPResponse:
        """Ends the session everywhere: the token is revoked in the database all replicas share."""
        token = session_token(request)
        session = self.signer.read(token)
        answer = response.json({"ok": True})
        if session is not None:
            expires_at = datetime.fromtimestamp(session.expires, SHOP_TZ)
            try:
                await asyncio.to_thread(agent_accounts.revoke_session, self.service.engine, token_hash(token),
                                        expires_at)
            except DATABASE_ERRORS:
                # Not revoked: say so (the browser forgets the cookie all the same).
                logger.exception("could not revoke a workspace session")
                answer = error_response(503, "unavailable", plain_phrase("workspace_logout_failed"))
        self._set_cookie(request, answer, "", max_age=0)
        return answer

    async def me(self, request: Request) -> HTTPResponse:
        return response.json({"agent": self._account_json(request.ctx.agent_account)})

    # --- the queue and the tickets ----------------------------------------------------

    async def queue(self, request: Request) -> HTTPResponse:
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

    async def tickets(self, request: Request) -> HTTPResponse:
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

    async def heartbeat(self, request: Request) -> HTTPResponse:
        username = request.ctx.agent_account.username

        def beat() -> List[int]:
            agent_accounts.mark_seen(self.service.engine, username)
            return [case.id for case in self.service.held_by(username)
                    if self.service.heartbeat(case.id, username)]

        return response.json({"held": await asyncio.to_thread(beat)})

    # --- one case ---------------------------------------------------------------------

    async def claim(self, request: Request, case_id: int) -> HTTPResponse:
        username = request.ctx.agent_account.username
        await self._visible_case(request, case_id)
        won = await asyncio.to_thread(self.service.claim, case_id, username)
        case = await asyncio.to_thread(self.service.get, case_id)
        if case is None:
            raise CaseNotFound(case_id)
        if not won and not (case.status == CLAIMED and case.claimed_by == username):
            if case.status == CLAIMED:
                holder = await asyncio.to_thread(agent_accounts.display_names, self.service.engine, [case.claimed_by])
                raise ApiError(409, "claimed_by_other",
                               plain_phrase("workspace_claimed_by_other", agent=holder[case.claimed_by]))
            if case.status == TICKET:
                raise ApiError(409, "case_not_open", plain_phrase("workspace_case_is_ticket"))
            raise ApiError(409, "case_not_open", plain_phrase("workspace_case_not_open"))
        return await self.case(request, case_id)

    async def case(self, request: Request, case_id: int) -> HTTPResponse:
        case = await self._visible_case(request, case_id)
        detail, messages = await asyncio.to_thread(
            lambda: (self._detail_json(case), self._messages_json(self.service.messages(case_id))))
        return response.json({"case": detail, "messages": messages})

    async def messages(self, request: Request, case_id: int) -> HTTPResponse:
        since = check_since(request.args.get("since"))
        case = await self._visible_case(request, case_id)

        def read() -> Dict[str, Any]:
            names = agent_accounts.display_names(self.service.engine, [case.claimed_by]) if case.claimed_by else None
            return {"case": case_summary(case, shop_now(), names),
                    "messages": self._messages_json(self.service.messages(case_id, since))}

        return response.json(await asyncio.to_thread(read))

    async def suggestions_for(self, request: Request, case_id: int) -> HTTPResponse:
        case = await self._visible_case(request, case_id)
        messages = await asyncio.to_thread(self.service.messages, case_id)
        text = last_shopper_text(case, messages)
        if not text:
            return response.json({"for": None, "replies": []})
        return response.json({"for": text, "replies": await self._suggest(self._rasa_agent(request), case, text)})

    async def problem_reports(self, request: Request, case_id: int) -> HTTPResponse:
        """The problem reports of the order the case is about, with the shopper's photos as signed links."""
        case = await self._visible_case(request, case_id)
        return response.json(await asyncio.to_thread(self.reports.of, case))

    async def _suggest(self, agent: Any, case: Case, text: str) -> List[str]:
        key = (case.id, text)
        if key in self._suggestions:
            self._suggestions.move_to_end(key)
            return self._suggestions[key]
        try:
            parse = await agent.parse_message(text)
            replies = await asyncio.to_thread(suggestions_for_case, case, text, parse)
        except Exception:  # the agent can always type: a failing suggestion must not break the page
            logger.exception("suggested replies failed for case %s", case.id)
            return []
        replies = [reply for reply in (str(r).strip() for r in replies or []) if reply]
        self._suggestions[key] = replies
        while len(self._suggestions) > SUGGESTION_CACHE_SIZE:
            self._suggestions.popitem(last=False)
        return replies

    async def reply(self, request: Request, case_id: int) -> HTTPResponse:
        text = check_reply(json_body(request))
        account = request.ctx.agent_account
        await self._visible_case(request, case_id)
        rasa_agent = self._rasa_agent(request)
        service = self.service
        delivery = await asyncio.to_thread(service.agent_reply, case_id, account.username, text)
        pushed = False
        async with rasa_agent.lock_store.lock(delivery.sender_id):
            try:
                input_channel = await record_agent_message(
                    rasa_agent, delivery.sender_id, delivery.message, account.display_name)
            except Exception:  # the reply is stored and still reaches the shopper; only the tracker misses it
                logger.exception("could not log the agent's reply in the tracker of %s", delivery.sender_id)
                input_channel = None
            send = live_sender(input_channel, delivery.sender_id)
            if send is not None:
                try:
                    # Usually sends it; the socket channel's delivery round may have sent it a moment before.
                    await deliver_pending(service, delivery.sender_id, send)
                    pushed = True
                except Exception:
                    logger.exception("live delivery to %s failed; the message waits", delivery.sender_id)
        return response.json({"message": message_json(delivery.message, account.display_name), "pushed": pushed})

    async def typing(self, request: Request, case_id: int) -> HTTPResponse:
        """The agent is writing a reply in the case they hold: the shopper's channel shows it, if it can."""
        case = await self._visible_case(request, case_id)
        if case.claimed_by != request.ctx.agent_account.username or not case.is_open:
            raise NotYourCase(case_id)
        body = json_body(request)
        typing = body.get("typing", True) is not False if isinstance(body, dict) else True
        tracker = await self._rasa_agent(request).tracker_store.retrieve(case.sender_id)
        input_channel = tracker.get_latest_input_channel() if tracker is not None else None
        return response.json({"shown": await notify_typing(input_channel, case.sender_id, typing)})

    async def close(self, request: Request, case_id: int) -> HTTPResponse:
        await self._visible_case(request, case_id)
        rasa_agent = self._rasa_agent(request)
        case = await asyncio.to_thread(self.service.close, case_id, request.ctx.agent_account.username)
        try:
            async with rasa_agent.lock_store.lock(case.sender_id):
                resumed = await resume_if_paused(rasa_agent, case.sender_id)
        except Exception:  # the case is closed: the relay lifts the pause with the shopper's next message
            logger.exception("could not resume the conversation of %s", case.sender_id)
            resumed = False
        return response.json({"case": case_detail(case, shop_now()), "resumed": resumed})

    async def callback(self, request: Request, case_id: int) -> HTTPResponse:
        outcome, note = check_callback(json_body(request))
        account = request.ctx.agent_account
        await self._visible_case(request, case_id)

        def record() -> Dict[str, Any]:
            result = self.service.record_callback(case_id, account.username, outcome, note)
            return {"case": self._detail_json(result.case),
                    "message": message_json(result.message, account.display_name),
                    "unanswered": result.unanswered,
                    "unreachable": result.unreachable}

        return response.json(await asyncio.to_thread(record))
