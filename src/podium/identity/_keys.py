"""Signing keys of the dev OIDC issuer, persisted under ``<home>/idp/``.

Layout::

    <home>/idp/keys.json          {"current": KID, "keys": [KID, ...]}  (newest first)
    <home>/idp/keys/<KID>.pem     PKCS#8 RSA-2048 private key, mode 0600

The ``kid`` is the RFC 7638 JWK thumbprint of the public key, so it is stable across restarts and
identical for anyone who computes it from the published JWKS.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from podium.storage import Database

logger = logging.getLogger(__name__)

__all__ = [
    "KeyStore",
    "SigningKey",
    "idp_dir",
    "jwk_thumbprint",
    "open_key_store",
    "rotate_keys",
]

_MANIFEST = "keys.json"
_DEFAULT_KEEP = 3


def idp_dir(home: Path) -> Path:
    """The dev issuer's private directory (``<home>/idp``), created with mode 0700."""
    path = Path(home) / "idp"
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)
    return path


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _public_jwk_members(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url) of an RSA or EC public JWK."""
    kty = jwk.get("kty")
    required: tuple[str, ...]
    if kty == "RSA":
        required = ("e", "kty", "n")
    elif kty == "EC":
        required = ("crv", "kty", "x", "y")
    elif kty == "OKP":
        required = ("crv", "kty", "x")
    else:
        raise ValueError(f"unsupported kty for thumbprint: {kty!r}")
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(kw_only=True, frozen=True)
class SigningKey:
    """One RSA key pair of the issuer."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public half as a JWK, ready for ``/jwks.json``."""
        members = _public_jwk_members(self.private_key.public_key())
        return {**members, "kid": self.kid, "use": "sig", "alg": "RS256"}

    @property
    def private_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _new_key() -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwk_thumbprint(_public_jwk_members(private_key.public_key()))
    return SigningKey(kid=kid, private_key=private_key)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        tmp.chmod(0o600)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialise key creation/rotation between processes sharing one home (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: best effort, no lock
        yield
        return
    fd = os.open(directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class KeyStore:
    """The issuer's keys on disk, re-read whenever ``keys.json`` changes (e.g. after rotation)."""

    def __init__(self, home: Path) -> None:
        self._dir = idp_dir(home)
        self._keys_dir = self._dir / "keys"
        self._stamp: tuple[int, int, int] | None = None
        self._keys: list[SigningKey] = []
        self._current = ""
        self._ensure()

    @property
    def directory(self) -> Path:
        """Where the keys live."""
        return self._dir

    def _manifest_path(self) -> Path:
        return self._dir / _MANIFEST

    def _ensure(self) -> None:
        if self._manifest_path().exists():
            self.reload()
            return
        with _locked(self._dir):
            if not self._manifest_path().exists():
                self._write_new_manifest([_new_key()], keep=_DEFAULT_KEEP)
        self.reload()

    def _read_manifest(self) -> tuple[str, list[str]]:
        try:
            data = json.loads(self._manifest_path().read_text(encoding="utf-8"))
            current = str(data["current"])
            kids = [str(k) for k in data["keys"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"dev issuer key manifest {self._manifest_path()} is unreadable ({exc}); "
                "delete the idp/ directory under PODIUM_HOME to regenerate keys"
            ) from exc
        if current not in kids:
            kids.insert(0, current)
        return current, kids

    def _load_key(self, kid: str) -> SigningKey:
        path = self._keys_dir / f"{kid}.pem"
        try:
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"dev issuer key {path} is unreadable ({exc})") from exc
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ConfigurationError(f"dev issuer key {path} is not an RSA key")
        return SigningKey(kid=kid, private_key=private_key)

    def _write_new_manifest(self, keys: list[SigningKey], *, keep: int) -> None:
        self._keys_dir.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            self._keys_dir.chmod(0o700)
        for key in keys:
            path = self._keys_dir / f"{key.kid}.pem"
            if not path.exists():
                _write_private(path, key.private_pem)
        kept = keys[:keep]
        manifest = {"current": kept[0].kid, "keys": [k.kid for k in kept]}
        tmp = self._manifest_path().with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(tmp, self._manifest_path())
        for stale in keys[keep:]:
            with contextlib.suppress(OSError):
                (self._keys_dir / f"{stale.kid}.pem").unlink()

    def _stat(self) -> tuple[int, int, int]:
        st = self._manifest_path().stat()
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def reload(self) -> None:
        """Re-read keys from disk if the manifest changed since the last read."""
        stamp = self._stat()
        if stamp == self._stamp:
            return
        current, kids = self._read_manifest()
        self._keys = [self._load_key(kid) for kid in kids]
        self._current = current
        self._stamp = stamp

    def current(self) -> SigningKey:
        """The key new tokens are signed with."""
        self.reload()
        return next(k for k in self._keys if k.kid == self._current)

    def all_keys(self) -> list[SigningKey]:
        """Every published key, newest first."""
        self.reload()
        return list(self._keys)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWK Set served at ``/jwks.json``."""
        return {"keys": [k.public_jwk for k in self.all_keys()]}

    def rotate(self, *, keep: int = _DEFAULT_KEEP) -> str:
        """Make a fresh key current; keep up to ``keep`` keys (new + old) in the JWKS.

        Returns the new ``kid``. Tokens signed with the retained old keys keep verifying.
        """
        if keep < 2:
            raise ValueError(
                "keep must be at least 2 so tokens signed before rotation still verify"
            )
        with _locked(self._dir):
            self._stamp = None
            self.reload()
            new = _new_key()
            self._write_new_manifest([new, *self._keys], keep=keep)
        self.reload()
        logger.info("kid=<%s> | dev issuer rotated signing key", new.kid)
        return new.kid


def rotate_keys(home: Path, *, keep: int = _DEFAULT_KEEP, database: Database | None = None) -> str:
    """Rotate the dev issuer's signing key under ``home``; running issuers pick it up at once.

    With ``database`` (scaled mode), the keys every process on that database shares. Returns
    the new current ``kid``; the previous key stays in the JWKS.
    """
    return open_key_store(home, database).rotate(keep=keep)


def open_key_store(home: Path, database: Database | None = None) -> KeyStore:
    """The issuer's keys: under ``<home>/idp/``, or in ``database`` when given (scaled mode)."""
    if database is None:
        return KeyStore(home)
    from ._keys_db import DatabaseKeyStore

    return DatabaseKeyStore(home, database)
