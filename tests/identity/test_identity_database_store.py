"""The dev issuer in scaled mode: signing keys and users in PostgreSQL, shared by every process.

Processes with different homes on one database sign with the same keys (a token minted by one
verifies with the JWKS of another), know the same users and see each other's rotations; the
first use imports what an embedded home had; private keys are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from podium.config import Settings
from podium.identity import (
    DEFAULT_AUDIENCE,
    KeyStore,
    ensure_dev_users,
    idp_database,
    issue_token,
    load_dev_directory,
    open_key_store,
    rotate_keys,
)
from podium.storage import Database

ISSUER = "http://127.0.0.1:9/idp"

_MINT = """
import json, sys
from pathlib import Path
from podium.identity import ensure_dev_users, issue_token, open_key_store
from podium.storage import Database
home, url = Path(sys.argv[1]), sys.argv[2]
db = Database(url)
ensure_dev_users(home, database=db)
token = issue_token(home, sys.argv[3], user="alice", database=db)
print(json.dumps({"kid": open_key_store(home, db).current().kid, "token": token}))
db.dispose()
"""


def _verify(token: str, store: KeyStore) -> dict[str, object]:
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in store.all_keys() if k.kid == kid)
    return jwt.decode(
        token,
        key.private_key.public_key(),
        algorithms=["RS256"],
        audience=DEFAULT_AUDIENCE,
        issuer=ISSUER,
    )


def test_processes_on_one_database_share_signing_keys_and_users(
    pg_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # Two processes start at once on an empty store: one creates the key, both use it.
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _MINT, str(tmp_path / f"home{i}"), pg_url, ISSUER],
            stdout=subprocess.PIPE,
            env=env,
        )
        for i in range(2)
    ]
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outputs[0]["kid"] == outputs[1]["kid"]
    db = Database(pg_url)
    try:
        here = open_key_store(tmp_path / "home-here", db)
        assert here.current().kid == outputs[0]["kid"]
        for out in outputs:
            assert _verify(out["token"], here)["sub"] == "alice"
        # A user added by this process is known to another instance with another home.
        ensure_dev_users(tmp_path / "home-here", {"carol": "carol-password"}, database=db)
        other = Database(pg_url)
        try:
            seen = load_dev_directory(tmp_path / "elsewhere", database=other)
        finally:
            other.dispose()
        assert seen.users["carol"].check_password("carol-password")
        assert seen.users["alice"].check_password("alice-password")
        assert seen.clients["podium-service"].secret  # one secret for the cluster
        assert not (tmp_path / "home-here" / "idp" / "users.json").exists()
    finally:
        db.dispose()


def test_a_rotation_by_one_store_is_seen_by_the_other(pg_url: str, tmp_path: Path) -> None:
    first_db, second_db = Database(pg_url), Database(pg_url)
    try:
        first = open_key_store(tmp_path / "a", first_db)
        second = open_key_store(tmp_path / "b", second_db)
        old = first.current().kid
        token = issue_token(tmp_path / "a", ISSUER, user="alice", database=first_db)
        new = rotate_keys(tmp_path / "b", database=second_db)
        assert new != old
        assert first.current().kid == new
        assert [k.kid for k in first.all_keys()] == [new, old]
        assert _verify(token, second)["sub"] == "alice"  # signed before: still verifies
    finally:
        first_db.dispose()
        second_db.dispose()


def test_first_use_imports_the_keys_and_users_of_an_embedded_home(
    pg_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    embedded_kid = KeyStore(home).current().kid
    embedded = ensure_dev_users(home, {"dora": "dora-password"})
    db = Database(pg_url)
    try:
        assert open_key_store(home, db).current().kid == embedded_kid
        imported = ensure_dev_users(home, database=db)
        assert imported.users["dora"].check_password("dora-password")
        assert (
            imported.clients["podium-service"].secret == embedded.clients["podium-service"].secret
        )
        # Once only: a later file change is not imported again.
        rotate_keys(home)
        assert open_key_store(home, db).current().kid == embedded_kid
    finally:
        db.dispose()


def test_private_keys_are_never_logged(
    pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = Database(pg_url)
    try:
        store = open_key_store(tmp_path, db)
        store.rotate()
        issue_token(tmp_path, ISSUER, user="bob", database=db)
    finally:
        db.dispose()
    assert "PRIVATE KEY" not in caplog.text


def test_idp_database_is_used_on_postgresql_only(pg_url: str, tmp_path: Path) -> None:
    assert idp_database(Settings(home=tmp_path)) is None  # SQLite: the files, as before
    db = idp_database(Settings(home=tmp_path, database_url=pg_url))
    assert db is not None
    try:
        assert db.dialect == "postgresql"
    finally:
        db.dispose()
