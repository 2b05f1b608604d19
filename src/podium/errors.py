"""Typed errors for every Podium layer.

The tree::

    PodiumError
    ├── UsageError                 the caller asked for something wrong
    │   ├── InvalidInput           bad arguments, filters, payloads (HTTP 400)
    │   ├── NotFound               no such resource (HTTP 404)
    │   ├── Conflict               already exists / busy / idempotency clash (HTTP 409)
    │   ├── Unauthorized           missing or invalid credentials (HTTP 401)
    │   ├── Forbidden              authenticated, but not allowed (HTTP 403)
    │   ├── ConfigurationError     a setting is missing or wrong; names the setting
    │   └── LimitExceeded          a quota or capacity cap was hit (HTTP 429)
    └── BackendError               something below us failed (HTTP 502/503)
        ├── StorageError           the SQL database
        ├── EmbeddingError         an embedding provider
        └── ModelError             an LLM provider

HTTP layers map them to ``{"error": CODE, "message": ...}`` with :attr:`PodiumError.http_status`.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_RETRY_AFTER_S",
    "BackendError",
    "ConfigurationError",
    "Conflict",
    "EmbeddingError",
    "Forbidden",
    "InvalidInput",
    "LimitExceeded",
    "ModelError",
    "NotFound",
    "PodiumError",
    "StorageError",
    "Unauthorized",
    "UsageError",
]

#: Seconds a client is told to wait after a 429 when the limit gives no better estimate.
DEFAULT_RETRY_AFTER_S = 1.0


class PodiumError(Exception):
    """Root of every error Podium raises on purpose."""

    code = "PodiumError"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The JSON body an HTTP layer returns for this error."""
        return {"error": self.code, "message": self.message}


class UsageError(PodiumError):
    """The caller asked for something that cannot be done as asked."""

    code = "UsageError"
    http_status = 400


class InvalidInput(UsageError):
    """An argument, payload or filter failed validation."""

    code = "ValidationException"
    http_status = 400


class NotFound(UsageError):
    """The named resource does not exist (or is not visible to this caller)."""

    code = "ResourceNotFoundException"
    http_status = 404


class Conflict(UsageError):
    """The request clashes with the current state (duplicate name, busy session...)."""

    code = "ConflictException"
    http_status = 409


class Unauthorized(UsageError):
    """Credentials are missing or invalid."""

    code = "UnauthorizedException"
    http_status = 401


class Forbidden(UsageError):
    """Credentials are valid but do not allow this request."""

    code = "AccessDeniedException"
    http_status = 403


class ConfigurationError(UsageError):
    """A setting is missing or wrong. The message names the setting to fix."""

    code = "ConfigurationError"
    http_status = 500


class LimitExceeded(UsageError):
    """A quota or capacity limit was reached.

    ``retry_after_s`` is when a retry may succeed; HTTP layers send it as ``Retry-After``
    (every 429 carries one: :data:`DEFAULT_RETRY_AFTER_S` when the raiser gave none).
    """

    code = "ThrottlingException"
    http_status = 429

    def __init__(self, message: str, *, retry_after_s: float = DEFAULT_RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BackendError(PodiumError):
    """A dependency (database, embedder, model) failed."""

    code = "BackendError"
    http_status = 503


class StorageError(BackendError):
    """The SQL database failed."""

    code = "StorageError"


class EmbeddingError(BackendError):
    """An embedding provider failed."""

    code = "EmbeddingError"


class ModelError(BackendError):
    """An LLM provider failed."""

    code = "ModelError"
