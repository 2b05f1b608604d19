"""Signing the dev issuer's access and ID tokens (RS256, with the current key's ``kid``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import jwt

from ._directory import DevUser
from ._keys import KeyStore

__all__ = ["SIGNING_ALG", "TokenMinter"]

SIGNING_ALG = "RS256"


class TokenMinter:
    """Signs access and id tokens with the current key."""

    def __init__(self, *, issuer_url: str, keys: KeyStore, audience: str, ttl_s: int) -> None:
        self.issuer_url = issuer_url
        self.keys = keys
        self.audience = audience
        self.ttl_s = ttl_s

    def _sign(self, claims: dict[str, Any]) -> str:
        key = self.keys.current()
        return jwt.encode(claims, key.private_key, algorithm=SIGNING_ALG, headers={"kid": key.kid})

    def access_token(
        self,
        *,
        client_id: str,
        scopes: Sequence[str],
        user: DevUser | None,
        auth_time: int | None = None,
        ttl_s: int | None = None,
    ) -> str:
        """An access token (``token_use: access``, ``aud`` = the issuer's audience).

        ``user=None`` makes a client token: ``sub`` is the client id and there is no
        ``username``.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer_url,
            "sub": user.username if user else client_id,
            "aud": self.audience,
            "client_id": client_id,
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + (ttl_s if ttl_s is not None else self.ttl_s),
            "jti": str(uuid.uuid4()),
            "token_use": "access",
        }
        if user is not None:
            claims["username"] = user.username
            claims["auth_time"] = auth_time if auth_time is not None else now
        return self._sign(claims)

    def id_token(
        self, *, client_id: str, user: DevUser, auth_time: int, nonce: str | None = None
    ) -> str:
        """An ID token (``token_use: id``, ``aud`` = the client): identity, never a credential."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer_url,
            "sub": user.username,
            "aud": client_id,
            "azp": client_id,
            "name": user.name,
            "email": user.email,
            "email_verified": True,
            "preferred_username": user.username,
            "username": user.username,
            "iat": now,
            "exp": now + self.ttl_s,
            "auth_time": auth_time,
            "jti": str(uuid.uuid4()),
            "token_use": "id",
        }
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)
