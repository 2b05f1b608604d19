"""The web UI's part of the gateway's OpenAPI document: the ``/api`` routes and the page.

Handed to ``create_gateway_app(openapi=...)`` with the routes it describes (``build_app``).
Every ``/api`` route but ``/api/config`` needs a bearer token and works on its actor only.
"""

from __future__ import annotations

from typing import Any

from podium.apps.event_assistant._vocabulary import DAYS, LEVELS, SESSION_TYPES
from podium.runtime._openapi import error_responses, json_content

__all__ = ["web_openapi"]

_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_NULLABLE_STRING = {"type": ["string", "null"]}
_TIME = {"type": "number", "description": "seconds since the epoch"}


def _object(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": description, "content": json_content(schema)}}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _schemas() -> dict[str, Any]:
    source = _object(
        {
            "event_id": {"type": "string"},
            "session_id": {"type": "string"},
            "timestamp": _TIME,
            "messages": {
                "type": "array",
                "items": _object({"role": {"type": "string"}, "text": {"type": "string"}}),
            },
        },
        "event_id",
        "messages",
    )
    record = _object(
        {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "content": {},
            "strategy": _object(
                {"id": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"}}
            ),
            "namespace": {"type": "string"},
            "session_id": _NULLABLE_STRING,
            "rationale": _NULLABLE_STRING,
            "created_at": _TIME,
            "updated_at": _TIME,
            "source_event_ids": {"type": "array", "items": {"type": "string"}},
            "sources": {"type": "array", "items": source},
        },
        "id",
        "text",
        "strategy",
        "namespace",
    )
    card = _object(
        {
            "code": {"type": "string"},
            "title": {"type": "string"},
            "day": {"type": "string"},
            "level": {"type": "integer"},
            "type": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"},
            "score": {"type": "number"},
        },
        "code",
        "title",
        "summary",
    )
    return {"MemoryRecord": record, "SessionCard": card}


def _config_schema() -> dict[str, Any]:
    catalog = _object(
        {
            "days": {"type": "array", "items": {"type": "string"}},
            "levels": {
                "type": "array",
                "items": _object({"value": {"type": "integer"}, "label": {"type": "string"}}),
            },
            "session_types": {"type": "array", "items": {"type": "string"}},
            "topics": {"type": "array", "items": {"type": "string"}},
        },
        "days",
        "levels",
        "session_types",
        "topics",
    )
    return _object(
        {
            "auth": {"type": "boolean"},
            "provider": {"enum": ["dev", "oidc"]},
            "issuer": _NULLABLE_STRING,
            "authorization_endpoint": {"type": "string"},
            "token_endpoint": _NULLABLE_STRING,
            "end_session_endpoint": _NULLABLE_STRING,
            "client_id": {"type": "string"},
            "scope": {"type": "string"},
            "catalog": catalog,
        },
        "auth",
        "provider",
        "authorization_endpoint",
        "client_id",
        "scope",
        "catalog",
    )


def _catalog_parameters() -> list[dict[str, Any]]:
    def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "description": description, "schema": schema}

    # An empty value is the same as none (the filter is not applied).
    return [
        query("q", "search text (or give a filter)", {"type": "string", "maxLength": 500}),
        query(
            "limit",
            "how many sessions (default 10)",
            {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 50}, {"const": ""}]},
        ),
        query("day", "conference day", {"type": "string", "enum": ["", *DAYS]}),
        query("level", "session level", {"enum": ["", *LEVELS]}),
        query("type", "session type", {"type": "string", "enum": ["", *SESSION_TYPES]}),
        query("topic", "a topic the session has", {"type": "string", "maxLength": 100}),
    ]


def _recall_turn() -> dict[str, Any]:
    context = _object(
        {"eventId": {"type": "string"}, "eventTimestamp": _TIME, "text": {"type": "string"}},
        "eventId",
        "text",
    )
    return _object(
        {
            "eventId": {"type": "string"},
            "sessionId": {"type": "string"},
            "eventTimestamp": _TIME,
            "text": {"type": "string"},
            "score": {"type": "number"},
            "speaker": {"type": ["string", "null"]},
            "context": {"type": "array", "items": context},
        },
        "eventId",
        "sessionId",
        "text",
    )


def _api_paths() -> dict[str, Any]:
    record_ref = {"$ref": "#/components/schemas/MemoryRecord"}
    card_ref = {"$ref": "#/components/schemas/SessionCard"}
    session = _object(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "created_at": _TIME,
            "last_event_at": _TIME,
            "event_count": {"type": "integer"},
        },
        "id",
        "title",
    )
    message = _object(
        {"role": {"enum": ["user", "assistant"]}, "text": {"type": "string"}, "timestamp": _TIME},
        "role",
        "text",
    )
    return {
        "/api/config": {
            "get": {
                "operationId": "uiConfig",
                "summary": "Public: how the page signs in, and the catalog's filter values",
                "responses": {
                    **_ok("sign-in endpoints and vocabularies", _config_schema()),
                    **error_responses(503),
                },
            }
        },
        "/api/me": {
            "get": {
                "operationId": "me",
                "summary": "The caller's actor id and the model in use",
                "security": _BEARER,
                "responses": {
                    **_ok(
                        "who am I",
                        _object(
                            {"actor_id": {"type": "string"}, "model": {"type": "object"}},
                            "actor_id",
                            "model",
                        ),
                    ),
                    **error_responses(401),
                },
            }
        },
        "/api/memory/records": {
            "get": {
                "operationId": "listMemoryRecords",
                "summary": "The caller's long-term memory records, with their sources",
                "security": _BEARER,
                "responses": {
                    **_ok(
                        "the records, newest first",
                        _object(
                            {
                                "actor_id": {"type": "string"},
                                "records": {"type": "array", "items": record_ref},
                            },
                            "actor_id",
                            "records",
                        ),
                    ),
                    **error_responses(401, 503),
                },
            }
        },
        "/api/memory/records/{record_id}": {
            "delete": {
                "operationId": "deleteMemoryRecord",
                "summary": "Delete one of the caller's records (404 for anybody else's)",
                "security": _BEARER,
                "parameters": [_path_param("record_id", "the record")],
                "responses": {
                    **_ok("deleted", _object({"deleted": {"type": "string"}}, "deleted")),
                    **error_responses(401, 404, 503),
                },
            }
        },
        "/api/memory/forget": {
            "post": {
                "operationId": "forgetMe",
                "summary": "Forget the caller: events, records and history",
                "security": _BEARER,
                "responses": {
                    **_ok(
                        "rows deleted per table",
                        _object(
                            {
                                "forgotten": {"const": True},
                                "deleted": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                },
                            },
                            "forgotten",
                            "deleted",
                        ),
                    ),
                    **error_responses(400, 401, 503),
                },
            }
        },
        "/api/memory/recall": {
            "get": {
                "operationId": "recallPast",
                "summary": "The caller's own past turns that best answer q, with their neighbours",
                "security": _BEARER,
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "description": "what to look for in the caller's past messages",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 500},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "how many turns (default 5)",
                        "schema": {
                            "anyOf": [
                                {"type": "integer", "minimum": 1, "maximum": 50},
                                {"const": ""},
                            ]
                        },
                    },
                ],
                "responses": {
                    **_ok(
                        "the turns, best first",
                        _object(
                            {
                                "query": {"type": "string"},
                                "actor_id": {"type": "string"},
                                "turns": {"type": "array", "items": _recall_turn()},
                            },
                            "query",
                            "actor_id",
                            "turns",
                        ),
                    ),
                    **error_responses(400, 401, 503),
                },
            }
        },
        "/api/sessions": {
            "get": {
                "operationId": "listSessions",
                "summary": "The caller's conversations, newest first",
                "security": _BEARER,
                "responses": {
                    **_ok(
                        "the sessions",
                        _object({"sessions": {"type": "array", "items": session}}, "sessions"),
                    ),
                    **error_responses(401, 503),
                },
            }
        },
        "/api/sessions/{session_id}/messages": {
            "get": {
                "operationId": "sessionMessages",
                "summary": "The visible messages of one of the caller's sessions",
                "security": _BEARER,
                "parameters": [_path_param("session_id", "the runtime session id")],
                "responses": {
                    **_ok(
                        "the messages, oldest first",
                        _object(
                            {
                                "session_id": {"type": "string"},
                                "messages": {"type": "array", "items": message},
                            },
                            "session_id",
                            "messages",
                        ),
                    ),
                    **error_responses(401, 404, 503),
                },
            }
        },
        "/api/catalog/search": {
            "get": {
                "operationId": "searchCatalog",
                "summary": "Hybrid catalog search; q may be empty when a filter is given",
                "security": _BEARER,
                "parameters": _catalog_parameters(),
                "responses": {
                    **_ok(
                        "one card per matching session, best first",
                        _object(
                            {
                                "query": {"type": "string"},
                                "filter": {"type": ["object", "null"]},
                                "sessions": {"type": "array", "items": card_ref},
                            },
                            "query",
                            "sessions",
                        ),
                    ),
                    **error_responses(400, 401, 503),
                },
            }
        },
    }


def _agenda_paths() -> dict[str, Any]:
    slot = {
        "code": {"type": "string"},
        "title": {"type": ["string", "null"]},
        "day": {"type": ["string", "null"]},
        "start": {"type": ["string", "null"]},
        "end": {"type": ["string", "null"]},
        "topics": {"type": "array", "items": {"type": "string"}},
    }
    item = _object({**slot, "clashes_with": {"type": "array", "items": {"type": "string"}}}, "code")
    agenda = {"type": "array", "items": item}
    note = _object(
        {
            **slot,
            "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
            "attended": {"type": "boolean"},
            "source_event_ids": {"type": "array", "items": {"type": "string"}},
        },
        "code",
    )
    code_body = _object(
        {"code": {"type": "string", "minLength": 1, "description": "session code or title"}},
        "code",
    )
    feedback_body = _object(
        {
            "code": {"type": "string", "minLength": 1, "description": "session code or title"},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "attended": {"type": "boolean"},
        },
        "code",
    )

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": json_content(schema)}

    return {
        "/api/agenda": {
            "get": {
                "operationId": "getAgenda",
                "summary": "The caller's agenda in time order, with clashes",
                "security": _BEARER,
                "responses": {
                    **_ok("the agenda", _object({"agenda": agenda}, "agenda")),
                    **error_responses(401, 503),
                },
            },
            "post": {
                "operationId": "addToAgenda",
                "summary": "Put a session on the caller's agenda; lists what it clashes with",
                "security": _BEARER,
                "requestBody": body(code_body),
                "responses": {
                    **_ok(
                        "added",
                        _object(
                            {
                                "added": _object(slot, "code"),
                                "clashes": {"type": "array"},
                                "agenda": agenda,
                            },
                            "added",
                            "clashes",
                            "agenda",
                        ),
                    ),
                    **error_responses(400, 401, 404, 503),
                },
            },
        },
        "/api/agenda/{code}": {
            "delete": {
                "operationId": "removeFromAgenda",
                "summary": "Take a session off the caller's agenda (404 when it is not on it)",
                "security": _BEARER,
                "parameters": [_path_param("code", "the session code")],
                "responses": {
                    **_ok(
                        "removed",
                        _object(
                            {"removed": {"type": "string"}, "agenda": agenda}, "removed", "agenda"
                        ),
                    ),
                    **error_responses(400, 401, 404, 503),
                },
            }
        },
        "/api/feedback": {
            "get": {
                "operationId": "getFeedback",
                "summary": "The caller's session ratings and attended sessions",
                "security": _BEARER,
                "responses": {
                    **_ok(
                        "the feedback, newest first",
                        _object({"feedback": {"type": "array", "items": note}}, "feedback"),
                    ),
                    **error_responses(401, 503),
                },
            },
            "post": {
                "operationId": "giveFeedback",
                "summary": "Rate a session (1-5) and/or mark it attended",
                "security": _BEARER,
                "requestBody": body(feedback_body),
                "responses": {
                    **_ok("recorded", _object({"feedback": note}, "feedback")),
                    **error_responses(400, 401, 404, 503),
                },
            },
        },
    }


def web_openapi() -> dict[str, Any]:
    """The UI API, the page at ``/`` and its static files: ``{"paths", "components"}``."""
    html = {"text/html": {"schema": {"type": "string"}}}
    page = {
        "/": {
            "get": {
                "operationId": "uiPage",
                "summary": "The single-page UI",
                "responses": {"200": {"description": "index.html", "content": html}},
            }
        },
        "/favicon.ico": {
            "get": {
                "operationId": "uiFavicon",
                "summary": "The UI's icon (SVG)",
                "responses": {
                    "200": {
                        "description": "the icon",
                        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/static/{path}": {
            "get": {
                "operationId": "uiStatic",
                "summary": "The UI's scripts, styles and images",
                "parameters": [_path_param("path", "file under the static folder")],
                "responses": {
                    "200": {"description": "the file"},
                    **error_responses(404),
                },
            }
        },
    }
    return {
        "paths": {**_api_paths(), **_agenda_paths(), **page},
        "components": {"schemas": _schemas()},
    }
