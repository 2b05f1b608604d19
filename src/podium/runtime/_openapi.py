"""The gateway's OpenAPI 3.1 document, served at ``GET /openapi.json``.

Hand-written data, not generated from the handlers: it is the contract the fuzz test
(``tests/fuzz``) holds the server to, and a test compares its paths with the routes the app
really serves, so it cannot drift. The document is assembled from fragments (``{"paths": ...,
"components": ...}``): the runtime contract here, the dev issuer's
(:func:`podium.identity._issuer_openapi.issuer_openapi`, mounted under ``/idp``) and whatever
the app that adds ``extra_routes`` describes (the web UI's: :func:`podium.web._openapi.web_openapi`).

Every Podium error is ``{"error": CODE, "message": ...}`` (:data:`ERROR_SCHEMA`); the dev
issuer's token endpoint answers OAuth's ``{"error", "error_description"}`` instead (RFC 6749
5.2). Any operation can answer a 400 ``ValidationException`` when the ``Host`` header names a
host the server does not serve (:mod:`podium.runtime._hosts`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = [
    "ERROR_SCHEMA",
    "error_responses",
    "json_content",
    "openapi_document",
    "openapi_route",
    "runtime_openapi",
]

Fragment = dict[str, Any]

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every Podium error: a code (the AWS-style exception name) and a message.",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "examples": ["ValidationException"]},
        "message": {"type": "string"},
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}

# Why each status is answered; the error body is always ERROR_SCHEMA.
_ERROR_STATUS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "ValidationException: bad input (or a Host this server does not serve)"),
    401: ("Unauthorized", "UnauthorizedException: no valid bearer token"),
    403: ("Forbidden", "AccessDeniedException: the resource belongs to another actor"),
    404: ("NotFound", "ResourceNotFoundException: no such resource for this actor"),
    409: ("Conflict", "ConflictException: the session is busy with another invocation"),
    429: ("TooManyRequests", "ThrottlingException: a quota or the worker cap is reached"),
    502: ("WorkerFailed", "RuntimeClientError: the session worker failed before answering"),
    503: ("Unavailable", "BackendError: a backend (database, identity provider) failed"),
}
# Before OpenAPI 3.2 the ``schema`` of text/event-stream describes each event.
_SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "event": {"type": "string"},
        "data": {
            "type": "string",
            "description": "a JSON object; the event assistant's have a ``type``: text, "
            "tool_call, final or error (the gateway's own mid-stream failure is an Error)",
            "contentMediaType": "application/json",
        },
    },
}
_INVOCATION_ERRORS = (400, 401, 403, 409, 429, 502, 503)


def json_content(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``content`` of a JSON request body or response with ``schema``."""
    return {"application/json": {"schema": dict(schema)}}


def error_responses(*statuses: int) -> dict[str, Any]:
    """``responses`` entries (references) for the Podium errors with ``statuses``."""
    return {str(s): {"$ref": f"#/components/responses/{_ERROR_STATUS[s][0]}"} for s in statuses}


def _error_components() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, (name, description) in _ERROR_STATUS.items():
        response: dict[str, Any] = {"description": description, "content": json_content(_ERROR_REF)}
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "RFC 6750 Bearer challenge",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^Bearer"},
                }
            }
        if status == 429:
            response["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}
            }
        responses[name] = response
    return {
        "schemas": {"Error": ERROR_SCHEMA},
        "responses": responses,
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An access token of the configured (or the dev) issuer.",
            }
        },
    }


def _visible_ascii(low: int, high: int) -> dict[str, Any]:
    # An empty header counts as an omitted one.
    return {"type": "string", "maxLength": high, "pattern": f"^([!-~]{{{low},{high}}})?$"}


def runtime_openapi() -> Fragment:
    """The AgentCore Runtime contract: ``/ping``, ``/invocations``, session stop, metrics."""
    from podium.agents._request import SESSION_HEADER

    from ._gateway import DEV_ACTOR_HEADER, REQUEST_ID_HEADER

    id_headers = {
        SESSION_HEADER: {
            "description": "the runtime session (given, or a new one)",
            "required": True,
            "schema": {"type": "string"},
        },
        REQUEST_ID_HEADER: {
            "description": "the request id (given, or a new one)",
            "required": True,
            "schema": {"type": "string"},
        },
    }
    invocation_errors = {
        str(s): {"$ref": f"#/components/responses/Invocation{_ERROR_STATUS[s][0]}"}
        for s in _INVOCATION_ERRORS
    }
    turn = {
        "type": "object",
        "description": "The event assistant's answer (``stream: false``).",
        "required": ["text"],
        "properties": {
            "text": {"type": "string"},
            "tool_calls": {"type": "array"},
            "sessions": {"type": "array", "items": {"type": "object"}},
            "cited": {"type": "array", "items": {"type": "string"}},
            "model": {"type": "object"},
        },
    }
    paths = {
        "/ping": {
            "get": {
                "operationId": "ping",
                "summary": "Health: HealthyBusy while any invocation is in flight",
                "responses": {
                    "200": {
                        "description": "the gateway is up",
                        "content": json_content(
                            {
                                "type": "object",
                                "required": ["status", "time_of_last_update"],
                                "properties": {
                                    "status": {"enum": ["Healthy", "HealthyBusy"]},
                                    "time_of_last_update": {"type": "integer"},
                                },
                            }
                        ),
                    }
                },
            }
        },
        "/invocations": {
            "post": {
                "operationId": "invoke",
                "summary": "Run one turn of the agent app in the caller's runtime session",
                "description": (
                    "The payload is the agent app's; the one ``podium up`` serves (the event "
                    'assistant) takes ``{"prompt": text, "stream": bool}`` and answers JSON, or '
                    "SSE events (``text``, ``tool_call``, ``final``, ``error``) when streaming. "
                    "A new session id starts a new worker. The body may nest at most 64 levels "
                    "and must be valid Unicode. With authentication disabled the actor comes "
                    f"from the ``{DEV_ACTOR_HEADER}`` header instead of a token."
                ),
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {
                        "name": SESSION_HEADER,
                        "in": "header",
                        "description": "the runtime session; omit it (or send it empty) to start a new one",
                        "schema": _visible_ascii(33, 256),
                    },
                    {
                        "name": REQUEST_ID_HEADER,
                        "in": "header",
                        "description": "echoed back; a new one is made when omitted or empty",
                        "schema": _visible_ascii(1, 256),
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": json_content(
                        {
                            "type": "object",
                            "required": ["prompt"],
                            "properties": {
                                "prompt": {
                                    "type": "string",
                                    "minLength": 1,
                                    "maxLength": 20_000,
                                    "pattern": "\\S",
                                },
                                "stream": {"type": "boolean", "default": True},
                            },
                        }
                    ),
                },
                "responses": {
                    "200": {
                        "description": "the agent's answer: JSON, or an SSE stream",
                        "headers": id_headers,
                        "content": {
                            **json_content(turn),
                            "text/event-stream": {"schema": _SSE_EVENT},
                        },
                    },
                    **invocation_errors,
                },
            }
        },
        "/sessions/{session_id}/stop": {
            "post": {
                "operationId": "stopRuntimeSession",
                "summary": "StopRuntimeSession: end the caller's session and its worker",
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {
                        "name": "session_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "stopped",
                        "content": json_content(
                            {
                                "type": "object",
                                "required": ["runtimeSessionId", "statusCode"],
                                "properties": {
                                    "runtimeSessionId": {"type": "string"},
                                    "statusCode": {"const": 200},
                                },
                            }
                        ),
                    },
                    **error_responses(400, 401, 403, 404),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics (text exposition format 0.0.4)",
                "responses": {
                    "200": {
                        "description": "the metrics",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"}),
                    }
                },
            }
        },
    }
    # The invocation's errors carry the session and request id headers too.
    components = _error_components()
    for status in _INVOCATION_ERRORS:
        name = _ERROR_STATUS[status][0]
        response = copy.deepcopy(components["responses"][name])
        response["headers"] = {**response.get("headers", {}), **id_headers}
        components["responses"][f"Invocation{name}"] = response
    return {"paths": paths, "components": components}


def _with_prefix(fragment: Mapping[str, Any], prefix: str) -> Fragment:
    return {
        "paths": {prefix + path: item for path, item in fragment.get("paths", {}).items()},
        "components": fragment.get("components", {}),
    }


def _merge(fragments: Iterable[Mapping[str, Any]]) -> Fragment:
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    for fragment in fragments:
        for path, item in fragment.get("paths", {}).items():
            if path in paths:
                raise ValueError(f"OpenAPI path {path} is described twice")
            paths[path] = copy.deepcopy(item)
        for kind, entries in fragment.get("components", {}).items():
            components.setdefault(kind, {}).update(copy.deepcopy(entries))
    return {"paths": paths, "components": components}


def _add_host_refusal(paths: Mapping[str, Any]) -> None:
    """Document the Host allow-list's 400 JSON error where an operation has no JSON 400.

    (The token endpoint's JSON 400 is OAuth's; the refusal there is in the info text only.)
    """
    for item in paths.values():
        for operation in item.values():
            responses = operation["responses"]
            if "400" not in responses:
                responses["400"] = {"$ref": "#/components/responses/BadRequest"}
            elif "$ref" not in responses["400"]:
                content = responses["400"].setdefault("content", {})
                content.setdefault("application/json", {"schema": _ERROR_REF})


def openapi_document(
    *, dev_idp: bool, auth: bool = True, extra: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The whole document of a gateway.

    Args:
        dev_idp: the dev issuer is mounted at ``/idp``.
        auth: bearer tokens are checked (without, operations carry no security requirement).
        extra: fragments describing the app's ``extra_routes``.
    """
    from podium import __version__
    from podium.identity._issuer_openapi import issuer_openapi

    fragments: list[Mapping[str, Any]] = [runtime_openapi()]
    if dev_idp:
        fragments.append(_with_prefix(issuer_openapi(), "/idp"))
    merged = _merge([*fragments, *extra])
    _add_host_refusal(merged["paths"])
    if not auth:
        for item in merged["paths"].values():
            for operation in item.values():
                operation.pop("security", None)
                operation["responses"].pop("401", None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Podium",
            "version": __version__,
            "description": "The runtime gateway: the AgentCore Runtime contract, the web UI's "
            "API and the dev OIDC issuer (docs/runtime.md, docs/web-ui.md, docs/identity.md). "
            'Errors are {"error": CODE, "message": text}, except OAuth\'s at /idp/token. Any '
            "operation answers 400 ValidationException when the Host header names a host the "
            "server does not serve. Unknown query parameters and form fields are ignored.",
        },
        "paths": merged["paths"],
        "components": merged["components"],
    }


def openapi_route(document: Mapping[str, Any]) -> Route:
    """``GET /openapi.json`` serving ``document``."""
    body = dict(document)

    async def openapi(request: Request) -> Response:
        return JSONResponse(body)

    return Route("/openapi.json", openapi, methods=["GET"])
