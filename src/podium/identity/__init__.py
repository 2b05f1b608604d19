"""Identity: the inbound JWT authorizer and the built-in development OIDC issuer.

* :class:`JWTAuthorizer` verifies ``Authorization: Bearer`` tokens from any OpenID Connect
  provider (discovery + JWKS), like AgentCore Identity's ``customJWTAuthorizer``.
* :func:`create_issuer_app` is a small OIDC issuer (Starlette) replacing Cognito for local use;
  :class:`LoginThrottle` bounds its password checks.

See ``docs/identity.md``.
"""

from __future__ import annotations

from ._authorizer import (
    ACTOR_ID_PATTERN,
    AuthorizerConfig,
    JWTAuthorizer,
    MissingCredentials,
    Principal,
    filter_headers,
    www_authenticate_header,
)
from ._directory import (
    DEFAULT_DEV_USERS,
    DevClient,
    DevDirectory,
    DevUser,
    ensure_dev_users,
    load_dev_directory,
)
from ._issuer import DEFAULT_AUDIENCE, create_issuer_app, issue_token
from ._keys import KeyStore, SigningKey, jwk_thumbprint, open_key_store, rotate_keys
from ._store import idp_database
from ._throttle import LoginThrottle

__all__ = [
    "ACTOR_ID_PATTERN",
    "DEFAULT_AUDIENCE",
    "DEFAULT_DEV_USERS",
    "AuthorizerConfig",
    "DevClient",
    "DevDirectory",
    "DevUser",
    "JWTAuthorizer",
    "KeyStore",
    "LoginThrottle",
    "MissingCredentials",
    "Principal",
    "SigningKey",
    "create_issuer_app",
    "ensure_dev_users",
    "filter_headers",
    "idp_database",
    "issue_token",
    "jwk_thumbprint",
    "load_dev_directory",
    "open_key_store",
    "rotate_keys",
    "www_authenticate_header",
]
