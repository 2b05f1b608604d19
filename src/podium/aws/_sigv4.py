"""SigV4 verification: recompute the request's signature with the secret of its access key.

The canonical request is built as AWS defines it for every service but S3 (and as botocore
signs it): the path URI-encoded once more, the query sorted as sent, the signed headers with
their values trimmed, and the SHA-256 of the body. A body changed after signing, a wrong
secret or another region/service in the scope fails the comparison; a date more than 15
minutes from the server's clock is refused before that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from ._errors import AwsError

__all__ = ["MAX_SKEW_S", "SignedRequest", "parse_authorization", "verify_signature"]

#: The clock skew AWS tolerates between the signer and the service.
MAX_SKEW_S = 15 * 60

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<headers>[^,\s]+)\s*,\s*Signature=(?P<sig>[0-9a-f]{64})\s*$"
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, kw_only=True)
class SignedRequest:
    """The parts of an ``Authorization: AWS4-HMAC-SHA256 ...`` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def _invalid_token() -> AwsError:
    return AwsError(
        "UnrecognizedClientException", "The security token included in the request is invalid.", 403
    )


def parse_authorization(value: str) -> SignedRequest:
    """Parse a SigV4 Authorization header (403 ``IncompleteSignatureException`` if malformed)."""
    m = _AUTH.match(value.strip())
    if m is None:
        raise AwsError(
            "IncompleteSignatureException",
            "Authorization header requires Credential, SignedHeaders and Signature.",
            403,
        )
    parts = m.group("cred").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not re.fullmatch(r"\d{8}", parts[1]):
        raise AwsError("IncompleteSignatureException", "Credential scope is malformed.", 403)
    headers = tuple(m.group("headers").split(";"))
    if "host" not in headers:
        raise AwsError("IncompleteSignatureException", "The host header must be signed.", 403)
    return SignedRequest(
        access_key_id=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        signed_headers=headers,
        signature=m.group("sig"),
    )


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        pairs.append((key, value))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _request_time(headers: Mapping[str, str], signed: SignedRequest, now: float) -> str:
    stamp = headers.get("x-amz-date", "")
    try:
        when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise AwsError(
            "IncompleteSignatureException", "X-Amz-Date is missing or malformed.", 403
        ) from None
    if not stamp.startswith(signed.date):
        raise AwsError(
            "InvalidSignatureException", "Credential date does not match X-Amz-Date.", 403
        )
    if abs(when.timestamp() - now) > MAX_SKEW_S:
        raise AwsError(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is now earlier or later than 15 minutes from the "
            "server's time.",
            403,
        )
    return stamp


def verify_signature(
    *,
    method: str,
    raw_path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    signed: SignedRequest,
    secret_for: Callable[[str], str | None],
    now: float,
) -> None:
    """Raise :class:`AwsError` (403) unless ``signed`` is a valid signature of this request.

    ``headers`` are lower-cased names; ``secret_for`` looks an access key id up (None: unknown).
    """
    stamp = _request_time(headers, signed, now)
    secret = secret_for(signed.access_key_id)
    if secret is None:
        raise _invalid_token()
    missing = [h for h in signed.signed_headers if h not in headers]
    if missing:
        raise AwsError("InvalidSignatureException", f"Signed header {missing[0]} is missing.", 403)
    canonical_headers = "".join(
        f"{h}:{_SPACES.sub(' ', headers[h].strip())}\n" for h in signed.signed_headers
    )
    canonical = "\n".join(
        [
            method.upper(),
            quote(raw_path or "/", safe="/~"),
            _canonical_query(query),
            canonical_headers,
            ";".join(signed.signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (signed.date, signed.region, signed.service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signed.signature):
        raise AwsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
            403,
        )
