"""Podium errors as HTTP responses: the one mapping the gateway and the web API share.

Every error is ``{"error": CODE, "message": ...}`` with :attr:`PodiumError.http_status`; a 401
also carries ``WWW-Authenticate`` and a 429 ``Retry-After`` (whole seconds, at least 1). An
unexpected exception is logged with its traceback and the client sees only a generic message.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from podium.errors import (
    BackendError,
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    PodiumError,
    Unauthorized,
    UsageError,
)
from podium.identity import www_authenticate_header

__all__ = ["Handler", "error_response", "guard", "http_exception_response"]

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def error_response(error: PodiumError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The JSON response for ``error`` (plus ``headers``)."""
    out = dict(headers or {})
    if isinstance(error, Unauthorized):
        out["WWW-Authenticate"] = www_authenticate_header(error)
    if isinstance(error, LimitExceeded):
        out["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    return JSONResponse(error.to_dict(), status_code=error.http_status, headers=out)


def guard(handler: Handler) -> Handler:
    """Wrap a route handler so that it never answers with a traceback.

    Podium errors become their JSON response; anything else is logged, and the client gets a
    generic error whose details stay in the server log.
    """

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except PodiumError as err:
            return error_response(err)
        except Exception:
            logger.exception("path=<%s> | request failed", request.url.path)
            return error_response(BackendError("internal error; see the server log"))

    return guarded


# The codes of Starlette's own errors: the Podium error of that status where there is one.
_HTTP_CODES = {
    e.http_status: e.code
    for e in (InvalidInput, Unauthorized, Forbidden, NotFound, Conflict, LimitExceeded)
}
_HTTP_CODES[405] = "MethodNotAllowedException"


async def http_exception_response(request: Request, exc: Exception) -> Response:
    """Starlette's own HTTP errors (no route, wrong method, unreadable form) as JSON errors.

    The app's exception handler for ``HTTPException``: without it they are plain text.
    """
    assert isinstance(exc, HTTPException)
    default = UsageError.code if exc.status_code < 500 else BackendError.code
    return JSONResponse(
        {"error": _HTTP_CODES.get(exc.status_code, default), "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=exc.headers,
    )
