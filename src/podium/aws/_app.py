"""The AWS-compatible endpoints as ASGI middleware in front of the gateway.

A request signed with SigV4 (``Authorization: AWS4-HMAC-SHA256 ...``) is an AWS call: its
credential scope's service (``bedrock``, ``bedrock-agentcore``, ``s3vectors``) and its method and
path pick the operation among the services that sign with that name, its signature is verified
against Podium's access keys, and the operation's handler answers in the service's wire format.
Every other request goes on to the gateway (``/ping``, ``/invocations``, the web UI), except
``InvokeAgentRuntime`` with a JWT bearer, which AgentCore also accepts.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from podium.errors import PodiumError

from ._errors import AwsError, from_podium_error
from ._eventstream import CONTENT_TYPE, encode_event, encode_exception
from ._keys import AccessKey
from ._protocol import SERVICES, find_route, parse_input, serialize_output, serialize_value
from ._registry import HANDLERS, AwsBackend, Call, EventStream
from ._sigv4 import parse_authorization, verify_signature

logger = logging.getLogger(__name__)

__all__ = ["AwsEndpoints", "aws_error_response"]

_SIGNING_NAMES = frozenset(SERVICES.values())
#: The largest signed body accepted (the runtime's payload limit is larger; AWS's are smaller).
MAX_AWS_BODY = 50 * 1024 * 1024


def aws_error_response(error: AwsError) -> Response:
    """An error as botocore's REST-JSON parser reads it (code header, JSON message)."""
    return Response(
        json.dumps({"message": error.message}),
        status_code=error.status,
        media_type="application/json",
        headers={"x-amzn-ErrorType": error.code},
    )


class AwsEndpoints:
    """ASGI middleware: answers SigV4-signed AWS calls, passes everything else to ``app``."""

    def __init__(self, app: ASGIApp, *, backend: AwsBackend) -> None:
        self.app = app
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        auth = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value.decode("latin-1")
                break
        if auth.startswith("AWS4-HMAC-SHA256"):
            response = await self._signed(Request(scope, receive), auth)
        elif scope["path"].startswith("/runtimes/") and auth.lower().startswith("bearer "):
            response = await self._bearer(Request(scope, receive))
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    async def _signed(self, request: Request, auth: str) -> Response:
        from podium.runtime._payload import read_body

        try:
            signed = parse_authorization(auth)
            if signed.service not in _SIGNING_NAMES:
                raise AwsError(
                    "UnrecognizedClientException",
                    f"Podium serves no service {signed.service!r}",
                    403,
                )
            try:
                body = await read_body(request, MAX_AWS_BODY)
            except PodiumError as e:
                raise AwsError(
                    "ValidationException", e.message, 413 if e.http_status == 413 else 400
                ) from None
            headers = {k.lower(): v for k, v in request.headers.items()}
            raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
            query = request.scope.get("query_string", b"").decode("latin-1")
            # Opening the services (first call) migrates the database: not on the event loop.
            keys = await run_in_threadpool(lambda: self.backend.keys)

            looked_up: list[AccessKey | None] = []

            def secret_for(akid: str) -> str | None:
                # One lookup per request: the verified key is the caller's key below.
                looked_up.append(keys.get(akid))
                key = looked_up[-1]
                return key.secret_access_key if key is not None else None

            path = raw_path.split("?", 1)[0]
            await run_in_threadpool(
                verify_signature,
                method=request.method,
                raw_path=path,
                query=query,
                headers=headers,
                body=body,
                signed=signed,
                secret_for=secret_for,
                now=time.time(),
            )
            key = looked_up[0]
            found = find_route(signed.service, request.method, path, list(SERVICES))
            if found is None:
                raise AwsError(
                    "UnknownOperationException",
                    f"no {signed.service} operation is {request.method} {request.url.path}",
                    404,
                )
            route, labels = found
            handler = HANDLERS.get((route.service, route.operation.name))
            if handler is None:
                raise AwsError(
                    "UnknownOperationException",
                    f"Podium does not implement {route.service} {route.operation.name} "
                    "(docs/aws-compatibility.md lists what it does)",
                    404,
                )
            params = parse_input(route.operation, labels, query, headers, body)
            call = Call(
                service=route.service,
                operation=route.operation.name,
                region=signed.region,
                key=key,
                backend=self.backend,
                request=request,
            )
            return await self._run(call, handler, params, route.operation)
        except AwsError as e:
            return aws_error_response(e)

    async def _bearer(self, request: Request) -> Response:
        """InvokeAgentRuntime with the gateway's JWT (AgentCore's OAuth inbound auth)."""
        from podium.runtime._payload import read_body

        runtime = self.backend.runtime
        try:
            if runtime is None or runtime.authorizer is None:
                raise AwsError("AccessDeniedException", "this server takes no bearer tokens", 403)
            try:
                principal = await runtime.authorizer.authenticate(request.headers["authorization"])
            except PodiumError as e:
                raise AwsError("AccessDeniedException", e.message, 403) from None
            path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
            found = find_route(
                "bedrock-agentcore", request.method, path.split("?", 1)[0], ["bedrock-agentcore"]
            )
            if found is None or found[0].operation.name != "InvokeAgentRuntime":
                raise AwsError("AccessDeniedException", "a bearer token only invokes agents", 403)
            route, labels = found
            body = await read_body(request, MAX_AWS_BODY)
            headers = {k.lower(): v for k, v in request.headers.items()}
            query = request.scope.get("query_string", b"").decode("latin-1")
            params = parse_input(route.operation, labels, query, headers, body)
            call = Call(
                service=route.service,
                operation=route.operation.name,
                region=self.backend.region,
                key=None,
                backend=self.backend,
                request=request,
                bearer_actor=principal.actor_id,
            )
            return await self._run(
                call, HANDLERS[(route.service, route.operation.name)], params, route.operation
            )
        except AwsError as e:
            return aws_error_response(e)
        except PodiumError as e:
            return aws_error_response(from_podium_error(e))

    async def _run(self, call: Call, handler: Any, params: dict[str, Any], op: Any) -> Response:
        try:
            if inspect.iscoroutinefunction(handler):
                result = await handler(call, params)
            else:
                result = await run_in_threadpool(handler, call, params)
        except AwsError:
            raise
        except PodiumError as e:
            raise from_podium_error(e) from None
        except Exception:
            # A bug, not bad input: logged with its traceback here, never shown to the client.
            logger.exception(
                "service=<%s>, operation=<%s> | handler failed", call.service, call.operation
            )
            raise AwsError("InternalServerException", "the operation failed", 500) from None
        if isinstance(result, Response):
            return result
        shape = op.output_shape
        payload = shape.serialization.get("payload") if shape is not None else None
        if payload and isinstance(result.get(payload), EventStream):
            return self._stream(op, result, payload)
        status, headers, body = serialize_output(op, result)
        if isinstance(body, bytes):
            return Response(body, status_code=status, headers=headers)
        return Response(
            json.dumps(body), status_code=status, headers=headers, media_type="application/json"
        )

    def _stream(self, op: Any, result: dict[str, Any], payload: str) -> Response:
        stream_shape = op.output_shape.members[payload]
        events = result[payload].events
        source: AsyncIterator[Any] = (
            events if hasattr(events, "__aiter__") else iterate_in_threadpool(events)  # type: ignore[arg-type]
        )
        status, headers, _ = serialize_output(op, {k: v for k, v in result.items() if k != payload})

        async def frames() -> AsyncIterator[bytes]:
            try:
                async for name, event in source:
                    member = stream_shape.members[name]
                    yield encode_event(name, serialize_value(member, event) or {})
            except AwsError as e:
                yield encode_exception(e.code, e.message)
            except PodiumError as e:
                err = from_podium_error(e)
                yield encode_exception(err.code, err.message)
            except Exception:
                logger.exception("event stream failed")
                yield encode_exception("InternalServerException", "the stream failed")

        return StreamingResponse(
            frames(), status_code=status, headers=headers, media_type=CONTENT_TYPE
        )
