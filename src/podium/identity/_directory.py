"""Dev users and OAuth clients of the built-in issuer, stored in ``<home>/idp/users.json``.

Passwords are stored as scrypt hashes with a per-user random salt, never in plain text. The
confidential ``podium-service`` client's secret is generated once and stored in the file (mode
0600) so the CLI can show it, much like a Cognito app client secret.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError, InvalidInput

from ._keys import idp_dir

if TYPE_CHECKING:
    from podium.storage import Database

__all__ = [
    "DEFAULT_DEV_USERS",
    "DEFAULT_SCOPES",
    "DevClient",
    "DevDirectory",
    "DevUser",
    "ensure_dev_users",
    "load_dev_directory",
]

USER_SCOPES: tuple[str, ...] = ("openid", "profile", "email", "podium/invoke")
DEFAULT_SCOPES = USER_SCOPES
DEFAULT_DEV_USERS: dict[str, str] = {"alice": "alice-password", "bob": "bob-password"}

_FILE = "users.json"
_NAME = "users"  # the document in the database (scaled mode)
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_USERNAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}")


@dataclass(kw_only=True, frozen=True)
class DevUser:
    """A dev user. ``sub`` is the username (Cognito would use a UUID; see docs/identity.md)."""

    username: str
    name: str
    email: str
    salt: str
    password_hash: str

    def check_password(self, password: str) -> bool:
        """Constant-time check of ``password`` against the stored scrypt hash."""
        digest = _scrypt(password, base64.b64decode(self.salt))
        return hmac.compare_digest(digest, base64.b64decode(self.password_hash))


@dataclass(kw_only=True, frozen=True)
class DevClient:
    """An OAuth client registered with the dev issuer."""

    client_id: str
    public: bool
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    redirect_uris: tuple[str, ...] = ()
    secret: str | None = None

    def redirect_allowed(self, redirect_uri: str, also: Collection[str] = ()) -> bool:
        """Exact (character for character) match against the registered URIs or ``also``.

        There is no pattern or "any loopback port" rule: any other local process could listen
        on such a port and receive the authorization code.
        """
        return bool(redirect_uri) and (redirect_uri in self.redirect_uris or redirect_uri in also)

    def check_secret(self, secret: str) -> bool:
        """Constant-time comparison with the client's secret (always false for public clients)."""
        if self.public or not self.secret:
            return False
        return hmac.compare_digest(self.secret.encode("utf-8"), secret.encode("utf-8"))


@dataclass(kw_only=True, frozen=True)
class DevDirectory:
    """Everything in ``users.json``."""

    users: Mapping[str, DevUser] = field(default_factory=dict)
    clients: Mapping[str, DevClient] = field(default_factory=dict)


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )


def _make_user(username: str, password: str) -> DevUser:
    if not _USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            f"dev username {username!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "and start with a letter or digit"
        )
    if not password:
        raise InvalidInput(f"dev user {username!r} needs a non-empty password")
    salt = secrets.token_bytes(16)
    return DevUser(
        username=username,
        name=username.capitalize(),
        email=f"{username}@example.test",
        salt=base64.b64encode(salt).decode("ascii"),
        password_hash=base64.b64encode(_scrypt(password, salt)).decode("ascii"),
    )


def _default_clients() -> dict[str, DevClient]:
    return {
        "podium-web": DevClient(
            client_id="podium-web",
            public=True,
            grant_types=("authorization_code",),
        ),
        "podium-cli": DevClient(
            client_id="podium-cli",
            public=True,
            grant_types=("password",),
        ),
        "podium-service": DevClient(
            client_id="podium-service",
            public=False,
            grant_types=("client_credentials",),
            scopes=("podium/invoke",),
            secret=secrets.token_urlsafe(32),
        ),
    }


def _user_to_json(user: DevUser) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "salt": user.salt,
        "scrypt": {"n": _SCRYPT_N, "r": _SCRYPT_R, "p": _SCRYPT_P},
        "password_hash": user.password_hash,
    }


def _client_to_json(client: DevClient) -> dict[str, Any]:
    data: dict[str, Any] = {
        "public": client.public,
        "grant_types": list(client.grant_types),
        "scopes": list(client.scopes),
        "redirect_uris": list(client.redirect_uris),
    }
    if client.secret is not None:
        data["secret"] = client.secret
    return data


def _parse(path: Path, data: Any) -> DevDirectory:
    try:
        users = {
            name: DevUser(
                username=name,
                name=str(u["name"]),
                email=str(u["email"]),
                salt=str(u["salt"]),
                password_hash=str(u["password_hash"]),
            )
            for name, u in data.get("users", {}).items()
        }
        clients = {
            cid: DevClient(
                client_id=cid,
                public=bool(c["public"]),
                grant_types=tuple(c["grant_types"]),
                scopes=tuple(c.get("scopes", DEFAULT_SCOPES)),
                # "allow_loopback_redirects" of older files is ignored: redirect URIs are exact.
                redirect_uris=tuple(c.get("redirect_uris", ())),
                secret=c.get("secret"),
            )
            for cid, c in data.get("clients", {}).items()
        }
    except (AttributeError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"dev issuer file {path} is malformed ({exc})") from exc
    return DevDirectory(users=users, clients=clients)


def _payload(directory: DevDirectory) -> dict[str, Any]:
    """What ``users.json`` (or the database's ``"users"`` document) holds."""
    return {
        "version": 1,
        "users": {name: _user_to_json(u) for name, u in directory.users.items()},
        "clients": {cid: _client_to_json(c) for cid, c in directory.clients.items()},
    }


def _write(path: Path, directory: DevDirectory) -> None:
    payload = _payload(directory)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(payload, indent=2).encode("utf-8"))
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        tmp.chmod(0o600)
    os.replace(tmp, path)


def load_dev_directory(home: Path, *, database: Database | None = None) -> DevDirectory:
    """Read ``<home>/idp/users.json`` (empty directory if it does not exist yet).

    With ``database`` (scaled mode, see :func:`~._store.idp_database`), its ``"users"``
    document instead.
    """
    if database is not None:
        from ._store import IdpDocuments

        _, document = IdpDocuments(database).read(_NAME)
        return DevDirectory() if document is None else _parse_document(document)
    path = idp_dir(home) / _FILE
    if not path.exists():
        return DevDirectory()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"dev issuer file {path} is unreadable ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"dev issuer file {path} must hold a JSON object")
    return _parse(path, data)


def _parse_document(document: Any) -> DevDirectory:
    if not isinstance(document, dict):
        raise ConfigurationError("the dev issuer's users in the database must be a JSON object")
    return _parse(Path("<database: idp_documents.users>"), document)


def _ensured(
    current: DevDirectory,
    existed: bool,
    users: Mapping[str, str] | None,
    clients: Sequence[DevClient],
) -> DevDirectory:
    """``current`` with ``users`` created or reset and the built-in and given ``clients``."""
    if users is None and not existed:
        users = DEFAULT_DEV_USERS
    new_users = dict(current.users)
    for name, password in (users or {}).items():
        existing = new_users.get(name)
        if existing is not None and existing.check_password(password):
            continue
        made = _make_user(name, password)
        if existing is not None:
            made = replace(made, name=existing.name, email=existing.email)
        new_users[name] = made
    new_clients = dict(current.clients)
    for cid, client in _default_clients().items():
        new_clients.setdefault(cid, client)
    for client in clients:
        if not client.public and not client.secret:
            raise InvalidInput(f"confidential client {client.client_id!r} needs a secret")
        new_clients[client.client_id] = client
    return DevDirectory(users=new_users, clients=new_clients)


def ensure_dev_users(
    home: Path,
    users: Mapping[str, str] | None = None,
    *,
    clients: Sequence[DevClient] = (),
    database: Database | None = None,
) -> DevDirectory:
    """Create or update ``<home>/idp/users.json`` and return its content.

    ``users`` maps username to password; listed users are created or get their password reset,
    others are kept. When the file does not exist and ``users`` is None, the default dev users
    (``alice``/``alice-password`` and ``bob``/``bob-password``) are created. The built-in
    clients ``podium-web``, ``podium-cli`` and ``podium-service`` are always present (an existing
    one, including the service secret, is kept); ``clients`` adds or replaces registrations.

    With ``database`` (scaled mode) the same happens to its ``"users"`` document, under a row
    lock; the first time, an existing ``users.json`` under ``home`` is imported into it.
    """
    if database is not None:
        return _ensure_in_database(home, database, users, clients)
    path = idp_dir(home) / _FILE
    existed = path.exists()
    current = load_dev_directory(home)
    directory = _ensured(current, existed, users, clients)
    if not existed or directory != current:
        _write(path, directory)
    return directory


def _ensure_in_database(
    home: Path,
    database: Database,
    users: Mapping[str, str] | None,
    clients: Sequence[DevClient],
) -> DevDirectory:
    from ._store import IdpDocuments

    def change(document: Any) -> Any:
        if document is None:
            # Once: the users an embedded deployment had under this home come along.
            existed = (Path(home) / "idp" / _FILE).exists()
            current = load_dev_directory(home) if existed else DevDirectory()
        else:
            existed, current = True, _parse_document(document)
        directory = _ensured(current, existed, users, clients)
        return _payload(directory) if document is None or directory != current else None

    return _parse_document(IdpDocuments(database).update(_NAME, change))
