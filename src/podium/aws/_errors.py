"""AWS-shaped errors: ``x-amzn-ErrorType`` plus a JSON ``message``, as botocore parses them."""

from __future__ import annotations

from podium.errors import PodiumError

__all__ = ["AwsError", "from_podium_error"]


class AwsError(Exception):
    """An error answered in AWS's REST-JSON error format.

    ``code`` is the modelled exception's shape name (``ValidationException``...), so botocore
    raises that exception class; ``status`` is its HTTP status.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def from_podium_error(error: PodiumError) -> AwsError:
    """Map a Podium error onto the AWS exception a botocore client expects."""
    status = error.http_status
    if status == 400:
        return AwsError("ValidationException", error.message, 400)
    if status == 404:
        return AwsError("ResourceNotFoundException", error.message, 404)
    if status == 409:
        return AwsError("ConflictException", error.message, 409)
    if status in (401, 403):
        return AwsError("AccessDeniedException", error.message, 403)
    if status == 429:
        return AwsError("ThrottlingException", error.message, 429)
    if status == 503:
        return AwsError("ServiceUnavailableException", error.message, 503)
    return AwsError("InternalServerException", error.message, 500)
