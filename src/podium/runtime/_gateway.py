"""The HTTP gateway: the Amazon Bedrock AgentCore Runtime contract in front of session workers.

Routes::

    GET  /ping                      {"status": "Healthy"|"HealthyBusy", "time_of_last_update": int}
    POST /invocations               JSON in; JSON or SSE out, relayed chunk by chunk
    POST /sessions/{id}/stop        StopRuntimeSession (owner only)
    GET  /metrics                   Prometheus text format
    GET  /openapi.json              the OpenAPI document of everything served (``_openapi``)
    /idp/...                        the dev OIDC issuer (``dev_idp=True`` only)

See ``docs/runtime.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from podium._podium import open_settings
from podium.agents._request import ACTOR_HEADER, SESSION_HEADER
from podium.aws import AwsBackend, AwsEndpoints, check_runtime_name, default_runtime_name
from podium.config import Settings
from podium.errors import InvalidInput, PodiumError, Unauthorized
from podium.identity import ACTOR_ID_PATTERN, AuthorizerConfig, JWTAuthorizer, filter_headers
from podium.telemetry import SpanHandle, bind_ids, flush_tracing, start_span, trace_headers

from ._asgi import BodyChunk, End, Event, Failed, Start
from ._backends import Worker, make_backend
from ._capacity import default_max_workers
from ._dev_idp import dev_authorizer_config, dev_issuer_app
from ._errors import error_response, http_exception_response
from ._hosts import HostAllowList, served_hosts
from ._leases import SessionLeases
from ._metrics import Metrics
from ._openapi import openapi_document, openapi_route
from ._owners import SessionOwners
from ._payload import parse_invocation_body, read_body
from ._relay import RelayResponse, WorkerFailed
from ._service_socket import ServiceSocket
from ._sessions import Session, SessionManager

if TYPE_CHECKING:
    from podium.memory.extraction import QueueStats

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_AGENT",
    "DEV_ACTOR_HEADER",
    "REQUEST_ID_HEADER",
    "Runtime",
    "WorkerFailed",
    "create_gateway_app",
    "session_of",
]

DEFAULT_AGENT = "podium.apps.event_assistant.app:app"
REQUEST_ID_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
DEV_ACTOR_HEADER = "X-Podium-Actor"
DEV_ACTOR_DEFAULT = "dev-user"
_SESSION_ID_RE = re.compile(r"[\x21-\x7e]{33,256}")
_REQUEST_ID_RE = re.compile(r"[\x21-\x7e]{1,256}")
# Headers the gateway itself sets for the app; a client-sent copy is always dropped.
_CONTRACT_HEADERS = frozenset(
    h.lower() for h in (SESSION_HEADER, REQUEST_ID_HEADER, ACTOR_HEADER, DEV_ACTOR_HEADER)
)
#: W3C trace context: while tracing, the gateway's own span is what the worker continues.
_TRACE_HEADERS = frozenset({"traceparent", "tracestate"})


@dataclass(kw_only=True)
class Runtime:
    """Everything one gateway app holds; ``app.state.runtime``."""

    settings: Settings
    agent: str
    manager: SessionManager
    metrics: Metrics
    authorizer: JWTAuthorizer | None
    in_flight: int = 0
    status_changed_at: float = field(default_factory=time.time)

    @property
    def ping_status(self) -> str:
        """``HealthyBusy`` while any invocation is in flight."""
        return "HealthyBusy" if self.in_flight else "Healthy"

    def enter(self) -> None:
        """An invocation started."""
        if self.in_flight == 0:
            self.status_changed_at = time.time()
        self.in_flight += 1
        self.metrics.in_flight = self.in_flight

    def invocations(
        self, *, render_error: ErrorRenderer = error_response, app_errors: bool = False
    ) -> Invocations:
        """The invocation path of ``POST /invocations`` (InvokeAgentRuntime reuses it)."""
        return Invocations(self, render_error=render_error, app_errors=app_errors)

    def leave(self) -> None:
        """An invocation finished."""
        self.in_flight -= 1
        if self.in_flight == 0:
            self.status_changed_at = time.time()
        self.metrics.in_flight = self.in_flight

    async def start(self) -> None:
        """Load the agent app (start the zygote) and the session reaper."""
        if self.authorizer is None:
            logger.warning(
                "AUTHENTICATION IS DISABLED (--no-auth / PODIUM_AUTH_DISABLED): any caller can "
                "act as any actor with the %s header. Never expose this gateway.",
                DEV_ACTOR_HEADER,
            )
        await self.manager.start()

    async def close(self) -> None:
        """End every session and stop the zygote."""
        await self.manager.close()

    async def actor_for(self, request: Request) -> str:
        """The caller's actor id: from a verified token, or the dev header with auth disabled.

        Raises:
            Unauthorized: no valid token (counted in the metrics).
        """
        if self.authorizer is None:
            actor = request.headers.get(DEV_ACTOR_HEADER) or DEV_ACTOR_DEFAULT
            if len(actor) > 255 or not ACTOR_ID_PATTERN.fullmatch(actor):
                raise InvalidInput(f"{DEV_ACTOR_HEADER} is not a valid actor id")
            return actor
        try:
            principal = await self.authorizer.authenticate(request.headers.get("authorization"))
        except Unauthorized:
            self.metrics.auth_failures += 1
            raise
        return principal.actor_id


def _app_headers(
    request: Request, *, allowlist: Sequence[str], session_id: str, request_id: str, actor: str
) -> list[tuple[str, str]]:
    passed = filter_headers(request.headers, allowlist)
    trace = trace_headers()
    dropped = _CONTRACT_HEADERS | _TRACE_HEADERS if trace else _CONTRACT_HEADERS
    headers = [(k, v) for k, v in passed.items() if k.lower() not in dropped]
    headers += [
        ("content-type", "application/json"),
        (SESSION_HEADER, session_id),
        (REQUEST_ID_HEADER, request_id),
        (ACTOR_HEADER, actor),
        *trace.items(),
    ]
    return headers


@dataclass(kw_only=True)
class _Call:
    """One admitted invocation: what its relay needs to finish it exactly once."""

    runtime: Runtime
    session: Session
    worker: Worker
    request_id: str
    session_id: str
    started: float
    events: AsyncIterator[Event]
    trace: SpanHandle = field(default_factory=SpanHandle)
    done: bool = False

    async def settle(self) -> None:
        """The worker answered in full: hand the session's lease back before the client learns.

        A client that sends the next turn to another gateway the moment this answer ends then
        finds the session free there.
        """
        await self.runtime.manager.settle(self.session)

    async def finish(self, outcome: str, clean: bool) -> None:
        """Release the session and record the outcome (idempotent)."""
        if self.done:
            return
        self.done = True
        manager = self.runtime.manager
        if not clean and self.worker.alive() and self.session.worker is self.worker:
            # Interrupted mid-relay (shutdown): the channel is mid-frame, so drop the worker.
            await manager.discard_worker(self.session)
        with contextlib.suppress(Exception):
            await self.events.aclose()  # type: ignore[attr-defined]
        await manager.settle(self.session)
        manager.release(self.session)
        self.runtime.leave()
        elapsed = time.perf_counter() - self.started
        self.runtime.metrics.observe_invocation(outcome, elapsed)
        self.trace.end(outcome)
        logger.info(
            "request_id=<%s> session_id=<%s> | invocation finished outcome=<%s> ms=<%.1f>",
            self.request_id,
            self.session_id,
            outcome,
            elapsed * 1000,
        )


#: Renders a refused invocation (the error, the session and request id headers).
ErrorRenderer = Callable[[PodiumError, dict[str, str]], Response]
#: Largest part of a failed app answer quoted in the error (``app_errors=True``).
_APP_ERROR_QUOTE = 2048


def _check_session_id(session_id: str) -> None:
    if not _SESSION_ID_RE.fullmatch(session_id):
        raise InvalidInput(
            f"{SESSION_HEADER} must be 33-256 visible ASCII characters "
            f"(got {len(session_id)}); omit it to start a new session"
        )


class Invocations:
    """``POST /invocations``: admit the request, then relay the session worker's response.

    Args:
        runtime: the gateway's runtime.
        render_error: how a refusal is answered (default: Podium's JSON errors).
        app_errors: an app answer of status 400 or more is refused as :class:`WorkerFailed`
            (through ``render_error``) instead of relayed (InvokeAgentRuntime's
            ``RuntimeClientError``).
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        render_error: ErrorRenderer = error_response,
        app_errors: bool = False,
    ) -> None:
        self.runtime = runtime
        self.render_error = render_error
        self.app_errors = app_errors

    async def handle(self, request: Request) -> Response:
        """Serve one invocation (the Starlette endpoint)."""
        started = time.perf_counter()
        request_id = request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
        session_id = request.headers.get(SESSION_HEADER) or f"podium-{uuid.uuid4()}"
        ids = {SESSION_HEADER: session_id, REQUEST_ID_HEADER: request_id}
        if not _REQUEST_ID_RE.fullmatch(request_id):
            ids[REQUEST_ID_HEADER] = str(uuid.uuid4())
            error = InvalidInput(f"{REQUEST_ID_HEADER} must be 1-256 visible characters")
            return self._refuse(error, ids, started)
        try:
            actor = await self.runtime.actor_for(request)
            _check_session_id(session_id)
            body = await read_body(request)
        except PodiumError as err:
            return self._refuse(err, ids, started)
        return await self.invoke(request, actor=actor, body=body, ids=ids, started=started)

    async def invoke(
        self,
        request: Request,
        *,
        actor: str,
        body: bytes,
        ids: dict[str, str],
        started: float | None = None,
    ) -> Response:
        """Admit one invocation of an authenticated ``actor`` and relay the worker's answer.

        ``ids`` holds the session id (:data:`SESSION_HEADER`) and request id
        (:data:`REQUEST_ID_HEADER`), sent back as headers. A refusal (bad session id or body,
        another actor's session, a busy session, a quota) is counted, logged and answered
        through ``render_error``.
        """
        started = time.perf_counter() if started is None else started
        bind_ids(session_id=ids[SESSION_HEADER], actor_id=actor, request_id=ids[REQUEST_ID_HEADER])
        # One trace per invocation: this span is the root (or continues the caller's
        # traceparent); the session worker's spans are its children.
        trace = start_span(
            "podium.invocation",
            parent=request.headers,
            attributes={"http.request.method": request.method},
        )
        try:
            _check_session_id(ids[SESSION_HEADER])
            parse_invocation_body(body)
            session = await self.runtime.manager.acquire(ids[SESSION_HEADER], actor)
        except PodiumError as err:
            return self._refuse(err, ids, started, trace)
        return await self._relay(request, session, actor, body, ids, started, trace)

    def _refuse(
        self,
        error: PodiumError,
        ids: dict[str, str],
        started: float,
        trace: SpanHandle | None = None,
    ) -> Response:
        self.runtime.metrics.observe_invocation(error.http_status, time.perf_counter() - started)
        if trace is not None:
            trace.end(error.http_status)
        logger.info(
            "request_id=<%s> session_id=<%s> | refused status=<%d> error=<%s>",
            ids[REQUEST_ID_HEADER],
            ids[SESSION_HEADER],
            error.http_status,
            error.code,
        )
        return self.render_error(error, ids)

    async def _relay(
        self,
        request: Request,
        session: Session,
        actor: str,
        body: bytes,
        ids: dict[str, str],
        started: float,
        trace: SpanHandle,
    ) -> Response:
        runtime = self.runtime
        runtime.enter()
        worker = session.worker
        assert worker is not None
        headers = _app_headers(
            request,
            allowlist=runtime.settings.request_header_allowlist,
            session_id=ids[SESSION_HEADER],
            request_id=ids[REQUEST_ID_HEADER],
            actor=actor,
        )
        call = _Call(
            runtime=runtime,
            session=session,
            worker=worker,
            request_id=ids[REQUEST_ID_HEADER],
            session_id=ids[SESSION_HEADER],
            started=started,
            events=worker.invoke(headers, body).__aiter__(),
            trace=trace,
        )
        try:
            first = await call.events.__anext__()
        except BaseException:
            await call.finish("502", False)
            raise
        if not isinstance(first, Start):
            message = first.message if isinstance(first, Failed) else "no response from the app"
            await call.finish("502", True)
            return self.render_error(WorkerFailed(message), ids)
        if self.app_errors and first.status >= 400:
            return await self._app_error(call, first, ids)
        return RelayResponse(
            start=first,
            events=call.events,
            extra_headers=ids,
            cancel=worker.cancel,
            finish=call.finish,
            settle=call.settle,
        )

    async def _app_error(self, call: _Call, start: Start, ids: dict[str, str]) -> Response:
        """The app answered an error: read its answer (quoting its start) and refuse."""
        quoted = b""
        try:
            async for event in call.events:
                if isinstance(event, BodyChunk):
                    quoted = (quoted + event.data)[:_APP_ERROR_QUOTE]
                elif isinstance(event, End | Failed):
                    break
        except BaseException:
            await call.finish(str(start.status), False)
            raise
        await call.finish(str(start.status), True)
        text = quoted.decode("utf-8", "replace").strip()
        with contextlib.suppress(ValueError, AttributeError):
            parsed = json.loads(text)
            text = str(parsed.get("message") or parsed.get("error") or text)
        message = f"Received error ({start.status}) from runtime" + (f": {text}" if text else "")
        return self.render_error(WorkerFailed(message), ids)


def _extraction_queue(manager: SessionManager) -> QueueStats | None:
    """The queue gauges from the shared database; None (and a warning) if it cannot be read."""
    if manager.owners is None:
        return None
    try:
        return manager.owners.extraction_queue()
    except Exception as e:  # a scrape must not fail because the database is slow or gone
        logger.warning("error=<%s> | extraction queue gauges unavailable", e)
        return None


def _make_routes(runtime: Runtime) -> list[BaseRoute]:
    metrics = runtime.metrics
    manager = runtime.manager

    async def ping(request: Request) -> Response:
        return JSONResponse(
            {"status": runtime.ping_status, "time_of_last_update": int(runtime.status_changed_at)}
        )

    async def metrics_endpoint(request: Request) -> Response:
        metrics.extraction = await run_in_threadpool(_extraction_queue, manager)
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    async def stop_session(request: Request) -> Response:
        session_id = request.path_params["session_id"]
        try:
            actor = await runtime.actor_for(request)
            await manager.stop(session_id, actor)
        except PodiumError as err:
            return error_response(err)
        logger.info("session_id=<%s> | session stopped by its owner", session_id)
        return JSONResponse({"runtimeSessionId": session_id, "statusCode": 200})

    return [
        Route("/ping", ping, methods=["GET"]),
        Route("/invocations", Invocations(runtime).handle, methods=["POST"]),
        Route("/sessions/{session_id:path}/stop", stop_session, methods=["POST"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]


def create_gateway_app(
    settings: Settings,
    agent: str = DEFAULT_AGENT,
    dev_idp: bool = False,
    *,
    public_url: str | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
    worker_settings: Settings | None = None,
    openapi: Sequence[Mapping[str, Any]] = (),
    aws_backend: AwsBackend | None = None,
    agent_name: str | None = None,
    service_socket: bool = True,
    service_host: Callable[[Settings], Any] | None = None,
) -> Starlette:
    """Build the gateway (a Starlette app; ``app.state.runtime`` is its :class:`Runtime`).

    Args:
        settings: host/port, isolation, session timeouts, ``max_workers`` (default: from the
            available memory), the per-actor quotas, ``auth_*``, ``request_header_allowlist``,
            ``log_level``; session owners are kept in its database (``home`` by default).
        agent: the agent app as ``module:attr`` (a ``BedrockAgentCoreApp``).
        dev_idp: mount the dev OIDC issuer at ``/idp``; without ``auth_discovery_url`` the
            gateway then trusts it (through the same JWT authorizer as any provider), but only
            its own clients' user access tokens unless ``auth_allowed_*`` say otherwise.
        public_url: the URL clients use (default ``http://{host}:{port}``); the dev issuer's
            ``iss`` and discovery URL derive from it.
        extra_routes: more routes (web UI, APIs) served by the same app, after the runtime's.
        middleware: Starlette middleware for the whole app.
        worker_settings: the settings the agent app sees (default: ``settings``).
        openapi: OpenAPI fragments (``{"paths", "components"}``) describing ``extra_routes``,
            merged into ``GET /openapi.json``.
        aws_backend: the services behind the AWS-compatible endpoints (default: Podium opened
            on ``settings`` at the first AWS call, with its own extraction worker).
        agent_name: the app's AgentCore runtime name, invocable as
            ``arn:aws:bedrock-agentcore:<region>:000000000000:runtime/<agent_name>`` through
            InvokeAgentRuntime (default: derived from ``agent``'s module or file name).
        service_socket: with process isolation, serve the app's service host (if its
            ``app.state.podium_service_host`` names one) to its session workers over a Unix
            socket, so they need no database or embedding model of their own (``_service_socket``).
        service_host: build that host instead of the app's named factory (given the worker
            settings), e.g. over services this process already holds.

    Raises:
        ConfigurationError: authentication is on but no discovery URL is configured, or
            ``agent_name`` is not a valid runtime name.
    """
    agent_name = check_runtime_name(agent_name) if agent_name else default_runtime_name(agent)
    base_url = (public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    hosts = served_hosts(settings.host, public_url, settings.allowed_hosts)
    routes: list[BaseRoute] = []
    if dev_idp:
        routes.append(Mount("/idp", app=dev_issuer_app(settings, base_url, hosts)))
    authorizer: JWTAuthorizer | None = None
    if not settings.auth_disabled:
        if dev_idp and not settings.auth_discovery_url:
            discovery = f"{base_url}/idp/.well-known/openid-configuration"
            config = dev_authorizer_config(settings, discovery)
        else:
            config = AuthorizerConfig.from_settings(settings)
        authorizer = JWTAuthorizer(config)
    document = openapi_document(dev_idp=dev_idp, auth=authorizer is not None, extra=openapi)
    routes.append(openapi_route(document))
    metrics = Metrics()
    workers = worker_settings or settings
    services = ServiceSocket() if service_socket and workers.isolation == "process" else None
    if services is not None:
        workers = services.worker_settings(workers)
    max_workers = settings.max_workers or default_max_workers()
    logger.info(
        "max_workers=<%d>, derived=<%s> | session worker cap",
        max_workers,
        settings.max_workers is None,
    )
    owners = SessionOwners(settings)
    manager = SessionManager(
        make_backend(agent, workers),
        idle_timeout_s=settings.session_idle_timeout_s,
        max_lifetime_s=settings.session_max_lifetime_s,
        max_workers=max_workers,
        max_sessions_per_actor=settings.max_sessions_per_actor,
        max_invocations_per_actor=settings.max_invocations_per_actor,
        owners=owners,
        leases=SessionLeases(owners.database, lease_s=settings.session_lease_s),
        metrics=metrics,
    )
    runtime = Runtime(
        settings=settings, agent=agent, manager=manager, metrics=metrics, authorizer=authorizer
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            if services is not None:
                await services.start(
                    manager, manager.backend.service_host, workers, factory=service_host
                )
            yield
        finally:
            await runtime.close()
            if services is not None:
                await services.close()
            await run_in_threadpool(aws.close)
            # Now, not at exit: uvicorn re-raises a SIGTERM once it has shut down, and that
            # kills the process before any atexit handler could send the last spans.
            await run_in_threadpool(flush_tracing)

    aws = aws_backend or AwsBackend(
        settings, open=lambda: open_settings(settings, start_worker=settings.embedded_worker)
    )
    aws.runtime = runtime
    aws.agent_name = agent_name
    app = Starlette(
        routes=[*_make_routes(runtime), *routes, *extra_routes],
        middleware=[
            Middleware(HostAllowList, hosts=hosts),
            Middleware(AwsEndpoints, backend=aws),
            *middleware,
        ],
        exception_handlers={HTTPException: http_exception_response},
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.aws = aws
    return app


def session_of(app: Starlette, session_id: str) -> Session | None:
    """The live session ``session_id`` of a gateway app (for tests and the web UI)."""
    runtime: Runtime = app.state.runtime
    return runtime.manager.get(session_id)
