"""The dev issuer's signing keys in the database (scaled mode), shared by every process.

The ``"keys"`` document of :class:`~._store.IdpDocuments`::

    {"current": KID, "keys": [{"kid": KID, "pem": PKCS#8 PEM}, ...]}   (newest first)

The first process to open it creates the first key, or imports the keys an embedded
deployment left under ``<home>/idp/`` (once: the files are then no longer read). Rotation by
any process is seen by the others at their next signature or JWKS read (a version check).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from podium.errors import ConfigurationError

from ._keys import _DEFAULT_KEEP, _MANIFEST, KeyStore, SigningKey, _new_key

if TYPE_CHECKING:
    from podium.storage import Database

__all__ = ["DatabaseKeyStore"]

logger = logging.getLogger(__name__)

_NAME = "keys"


def _document(keys: list[SigningKey]) -> dict[str, Any]:
    return {
        "current": keys[0].kid,
        "keys": [{"kid": k.kid, "pem": k.private_pem.decode("ascii")} for k in keys],
    }


def _load(kid: str, pem: str) -> SigningKey:
    try:
        private_key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, UnicodeEncodeError):
        # Never the PEM itself in the message.
        raise ConfigurationError(f"dev issuer key {kid} in the database is unreadable") from None
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"dev issuer key {kid} in the database is not an RSA key")
    return SigningKey(kid=kid, private_key=private_key)


def _file_keys(home: Path) -> list[SigningKey]:
    """The keys an embedded deployment keeps under ``<home>/idp/`` (none if there are none)."""
    if not (Path(home) / "idp" / _MANIFEST).exists():
        return []
    return KeyStore(home).all_keys()


class DatabaseKeyStore(KeyStore):
    """:class:`KeyStore` over the ``idp_documents`` table instead of ``<home>/idp/``."""

    def __init__(self, home: Path, db: Database) -> None:
        from ._store import IdpDocuments

        self._home = Path(home)
        self._documents = IdpDocuments(db)
        self._version = -1
        self._keys: list[SigningKey] = []
        self._current = ""
        self._documents.update(_NAME, self._first_keys)
        self.reload()

    def _first_keys(self, current: Any) -> Any:
        if current:
            return None
        imported = _file_keys(self._home)
        if imported:
            logger.info("keys=<%d> | dev issuer keys imported into the database", len(imported))
            return _document(imported)
        return _document([_new_key()])

    @property
    def directory(self) -> Path:
        """The home the keys were imported from (they live in the database)."""
        return self._home / "idp"

    def reload(self) -> None:
        """Re-read the keys if another process changed them since the last read."""
        if self._documents.version(_NAME) == self._version:
            return
        version, document = self._documents.read(_NAME)
        try:
            current = str(document["current"])
            keys = [_load(str(k["kid"]), str(k["pem"])) for k in document["keys"]]
        except (KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"dev issuer keys in the database are malformed (missing {exc})"
            ) from None
        if not any(k.kid == current for k in keys):
            raise ConfigurationError("dev issuer keys in the database have no current key")
        self._keys, self._current, self._version = keys, current, version

    def rotate(self, *, keep: int = _DEFAULT_KEEP) -> str:
        """Make a fresh key current for every process; keep up to ``keep`` keys in the JWKS."""
        if keep < 2:
            raise ValueError(
                "keep must be at least 2 so tokens signed before rotation still verify"
            )
        new = _new_key()

        def add(current: Any) -> Any:
            old = [_load(str(k["kid"]), str(k["pem"])) for k in (current or {}).get("keys", [])]
            return _document([new, *old][:keep])

        self._documents.update(_NAME, add)
        self.reload()
        logger.info("kid=<%s> | dev issuer rotated signing key", new.kid)
        return new.kid
