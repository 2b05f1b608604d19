"""The dev OIDC issuer's part of the gateway's OpenAPI document (paths relative to its mount).

The browser endpoints (``/authorize``) answer HTML pages and 303 redirects, as an authorization
server must; their errors are HTML pages, or a redirect carrying ``error`` and
``error_description`` once the client and redirect URI are known good (RFC 6749 4.1.2.1). The
token endpoint's errors are OAuth's JSON ``{"error", "error_description"}`` (RFC 6749 5.2).
"""

from __future__ import annotations

from typing import Any

__all__ = ["issuer_openapi"]

_OAUTH_ERROR = {"$ref": "#/components/schemas/OAuthError"}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_FORM = "application/x-www-form-urlencoded"

# What an authorization request carries (query on GET, form on POST).
_AUTHORIZE_PARAMS: dict[str, dict[str, Any]] = {
    "response_type": {"type": "string", "enum": ["code"]},
    "client_id": {"type": "string"},
    "redirect_uri": {"type": "string"},
    "scope": {"type": "string"},
    "state": {"type": "string"},
    "nonce": {"type": "string"},
    "code_challenge": {"type": "string", "pattern": "^[A-Za-z0-9._~-]{43,128}$"},
    "code_challenge_method": {"type": "string", "enum": ["S256"]},
}


def _redirect(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
    }


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": dict(_HTML)}


def _oauth_error(description: str, *, challenge: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _OAUTH_ERROR}},
    }
    if challenge:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "sent when the client authenticated with HTTP Basic",
                "schema": {"type": "string"},
            }
        }
    return response


def _schemas() -> dict[str, Any]:
    return {
        "OAuthError": {
            "type": "object",
            "description": "An OAuth 2.0 error (RFC 6749 5.2).",
            "required": ["error", "error_description"],
            "properties": {
                "error": {
                    "type": "string",
                    "examples": ["invalid_request", "invalid_client", "invalid_grant"],
                },
                "error_description": {"type": "string"},
            },
        },
        "TokenResponse": {
            "type": "object",
            "required": ["access_token", "token_type", "expires_in", "scope"],
            "properties": {
                "access_token": {"type": "string"},
                "token_type": {"const": "Bearer"},
                "expires_in": {"type": "integer"},
                "scope": {"type": "string"},
                "id_token": {"type": "string", "description": "user grants only"},
            },
        },
    }


def issuer_openapi() -> dict[str, Any]:
    """Discovery, JWKS, the login form and the token endpoint: ``{"paths", "components"}``."""
    object_json = {"application/json": {"schema": {"type": "object"}}}
    login_fields = {
        **_AUTHORIZE_PARAMS,
        "username": {"type": "string"},
        "password": {"type": "string", "format": "password"},
    }
    token_fields = {
        "grant_type": {
            "type": "string",
            "enum": ["authorization_code", "password", "client_credentials"],
        },
        "client_id": {"type": "string"},
        "client_secret": {"type": "string", "format": "password"},
        "code": {"type": "string"},
        "redirect_uri": {"type": "string"},
        "code_verifier": {"type": "string", "pattern": "^[A-Za-z0-9._~-]{43,128}$"},
        "username": {"type": "string"},
        "password": {"type": "string", "format": "password"},
        "scope": {"type": "string"},
    }
    paths = {
        "/.well-known/openid-configuration": {
            "get": {
                "operationId": "idpDiscovery",
                "summary": "OpenID Provider metadata",
                "responses": {"200": {"description": "the metadata", "content": object_json}},
            }
        },
        "/jwks.json": {
            "get": {
                "operationId": "idpJwks",
                "summary": "The public signing keys",
                "responses": {"200": {"description": "a JWK set", "content": object_json}},
            }
        },
        "/authorize": {
            "get": {
                "operationId": "idpAuthorizeForm",
                "summary": "The login form (authorization code flow with PKCE S256)",
                "parameters": [
                    {"name": name, "in": "query", "schema": schema}
                    for name, schema in _AUTHORIZE_PARAMS.items()
                ],
                "responses": {
                    "200": _html("the login form"),
                    "303": _redirect("back to redirect_uri with error and error_description"),
                    "400": _html("unknown client or unregistered redirect_uri (error page)"),
                },
            },
            "post": {
                "operationId": "idpAuthorizeLogin",
                "summary": "Check the credentials and redirect with a code",
                "requestBody": {
                    "required": True,
                    "content": {_FORM: {"schema": {"type": "object", "properties": login_fields}}},
                },
                "responses": {
                    "303": _redirect("back to redirect_uri with code and state (or an error)"),
                    "400": _html("unknown client, unregistered redirect_uri or bad form"),
                    "401": _html("the login form again: wrong username or password"),
                },
            },
        },
        "/token": {
            "post": {
                "operationId": "idpToken",
                "summary": "Token endpoint: authorization_code (+PKCE), password, "
                "client_credentials",
                "description": "Confidential clients authenticate with HTTP Basic "
                "(client_secret_basic) or client_secret in the form.",
                "security": [{}, {"clientBasic": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        _FORM: {
                            "schema": {
                                "type": "object",
                                "required": ["grant_type"],
                                "properties": token_fields,
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "the tokens",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TokenResponse"}
                            }
                        },
                    },
                    "400": _oauth_error("bad request, grant or scope"),
                    "401": _oauth_error("client authentication failed", challenge=True),
                    "429": _oauth_error("too many failed attempts: wait (Retry-After)"),
                },
            }
        },
    }
    return {
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "clientBasic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "client_id:client_secret of a confidential dev client",
                }
            },
        },
    }
