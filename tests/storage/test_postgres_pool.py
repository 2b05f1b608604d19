"""PostgreSQL connection pools: one bounded, PgBouncer-safe pool per process and database URL.

Every Database on one URL shares one engine, so however many services and threads use the
database, the server sees at most ``pool_size + max_overflow`` connections from this process;
psycopg never prepares statements on the server and never pipelines unless configured.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from podium.config import Settings
from podium.storage import Database
from podium.storage._engines import PoolOptions, open_engines


def _server_connections(admin_url: str, database: str) -> int:
    engine = sa.create_engine(admin_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"),
                    {"d": database},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_databases_on_one_url_share_one_engine_until_the_last_is_disposed(pg_url: str) -> None:
    first, second = Database(pg_url), Database(pg_url)
    try:
        assert first.engine is second.engine
        assert open_engines()[pg_url] == 2
        first.dispose()
        first.dispose()  # a second dispose releases nothing more
        assert open_engines()[pg_url] == 1
        with second.connect() as conn:  # still usable by the other user
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        second.dispose()
    assert pg_url not in open_engines()


def test_pool_settings_come_from_podium_db_variables(pg_url: str) -> None:
    settings = Settings.from_env(
        {
            "PODIUM_DATABASE_URL": pg_url,
            "PODIUM_DB_POOL_SIZE": "3",
            "PODIUM_DB_MAX_OVERFLOW": "1",
            "PODIUM_DB_POOL_TIMEOUT_S": "2.5",
        }
    )
    db = Database.from_settings(settings)
    try:
        pool = db.engine.pool
        assert isinstance(pool, sa.QueuePool)
        assert pool.size() == 3
        assert pool._max_overflow == 1
        assert pool._timeout == 2.5
        assert pool._pre_ping
    finally:
        db.dispose()


def _prepared_after_repeats(db: Database) -> int:
    with db.connect() as conn:
        for _ in range(12):  # psycopg's default threshold is 5
            conn.execute(sa.text("SELECT count(*) FROM memories WHERE name = :n"), {"n": "x"})
        return int(conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one())


def test_no_server_side_prepared_statements_unless_configured(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        assert _prepared_after_repeats(db) == 0
    finally:
        db.dispose()
    other = pg_url + "&application_name=prepared"  # another URL: its own engine and options
    prepared = Database(other, pool=PoolOptions(prepare_threshold=1))
    try:
        assert _prepared_after_repeats(prepared) >= 1
    finally:
        prepared.dispose()


def test_executemany_runs_without_pipeline_and_counts_every_row(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with db.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE probe (id int PRIMARY KEY, v int)")
            conn.execute(sa.text("INSERT INTO probe VALUES (1, 0), (2, 0), (3, 0)"))
            result = conn.execute(
                sa.text("UPDATE probe SET v = :v WHERE id = :id"),
                [{"id": 1, "v": 5}, {"id": 2, "v": 6}, {"id": 9, "v": 7}],
            )
            assert result.rowcount == 2
            raw = conn.connection.dbapi_connection
            assert raw is not None
            assert raw.pgconn.pipeline_status == 0  # type: ignore[attr-defined]
        with db.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, v FROM probe ORDER BY id").all()
        assert [tuple(r) for r in rows] == [(1, 5), (2, 6), (3, 0)]
    finally:
        db.dispose()


def test_server_connections_stay_bounded_under_32_threads(postgres_server: object) -> None:
    url = postgres_server.create_database()  # type: ignore[attr-defined]
    name = sa.make_url(url).database
    assert name is not None
    admin = postgres_server.url()  # type: ignore[attr-defined]
    options = PoolOptions(pool_size=4, max_overflow=2, timeout_s=30.0)
    # Several services, one process: each opens "its own" Database, as the gateway does.
    services = [Database(url, pool=options) for _ in range(4)]
    # Sockets this process holds open, counted as the pools open and close them, over every
    # engine the services have (one when they share it, four if they did not). The server's own
    # list is no measure of the bound: a closed overflow connection's backend stays in
    # pg_stat_activity until it has exited, beside the one that replaced it.
    open_now, open_peak, lock = [0], [0], threading.Lock()

    def opened(*_: object) -> None:
        with lock:
            open_now[0] += 1
            open_peak[0] = max(open_peak[0], open_now[0])

    def closed(*_: object) -> None:
        with lock:
            open_now[0] -= 1

    for engine in {db.engine for db in services}:
        pool = engine.pool
        open_now[0] += pool.checkedin() + pool.checkedout()  # type: ignore[attr-defined]
        sa.event.listen(engine, "connect", opened)
        sa.event.listen(engine, "close", closed)
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _server_connections(admin, name))
            time.sleep(0.02)

    def work(i: int) -> None:
        db = services[i % len(services)]
        for _ in range(5):
            with db.connect() as conn:
                conn.exec_driver_sql("SELECT pg_sleep(0.02)")
            with db.begin() as conn:
                conn.execute(
                    sa.text("SELECT count(*) FROM memories WHERE name = :n"), {"n": str(i)}
                )

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(work, range(32)))
    finally:
        stop.set()
        sampler.join()
        for db in services:
            db.dispose()
        postgres_server.drop_database(url)  # type: ignore[attr-defined]
    # Concurrency was real (the server saw more than one connection), and the process never
    # held more than one pool's bound.
    assert peak[0] > 1
    assert 1 < open_peak[0] <= options.pool_size + options.max_overflow


def _child_shares_parent_engine(url: str, parent: Database, answer: Any) -> None:
    child = Database(url)
    answer.put(child.engine is parent.engine)
    child.dispose()


def test_a_forked_child_gets_its_own_engine_not_the_parents_sockets(pg_url: str) -> None:
    parent = Database(pg_url)
    try:
        with parent.connect() as conn:  # a pooled connection the child inherits
            conn.exec_driver_sql("SELECT 1")
        ctx = multiprocessing.get_context("fork")
        answer = ctx.Queue()
        child = ctx.Process(target=_child_shares_parent_engine, args=(pg_url, parent, answer))
        child.start()
        shared = answer.get(timeout=60)
        child.join(timeout=60)
        assert child.exitcode == 0
        assert shared is False
    finally:
        parent.dispose()


def test_write_transactions_of_one_process_run_side_by_side(pg_url: str) -> None:
    # Regression: every write transaction of a process used to take one process-wide lock, so
    # a gateway's threads committed one at a time on PostgreSQL (8 threads: 254 events/s; side
    # by side, sharing WAL flushes: 1,494 events/s).
    db = Database(pg_url)
    inside = threading.Barrier(2, timeout=10)

    def write(i: int) -> None:
        with db.begin() as conn:
            conn.execute(sa.text("SELECT count(*) FROM memories WHERE name = :n"), {"n": str(i)})
            inside.wait()  # both transactions are open at once, or this times out

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(write, range(2)))
    finally:
        db.dispose()


def test_the_gateways_parts_share_one_pool(pg_url: str, tmp_path: Any) -> None:
    from podium.identity import idp_database
    from podium.runtime._owners import SessionOwners

    settings = Settings(home=tmp_path / "home", database_url=pg_url)
    owners = SessionOwners(settings)
    owners.open()  # the gateway's session owners
    issuer = idp_database(settings)  # the mounted dev issuer
    services = Database.from_settings(settings)  # what podium.open_settings gives the services
    assert issuer is not None
    try:
        assert owners.database().engine is issuer.engine is services.engine
        assert open_engines()[pg_url] == 3
    finally:
        services.dispose()
        issuer.dispose()
        owners.database().dispose()
