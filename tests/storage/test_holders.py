"""Holder names of leased rows: which ones name a process on this host that is gone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from podium.storage._holders import dead_here, holder_name


def _with_pid(name: str, pid: int) -> str:
    host_and_kind, _, tag = name.rpartition("-")
    return f"{host_and_kind.rpartition('-')[0]}-{pid}-{tag}"


def test_a_gone_process_is_dead_here_and_a_live_one_is_not() -> None:
    name = holder_name("worker")
    assert name.startswith("worker@") and f"-{os.getpid()}-" in name
    assert holder_name() != holder_name()  # two holders of one process stay apart
    assert not dead_here(name)  # this process
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as alive:
        try:
            assert not dead_here(_with_pid(name, alive.pid))
        finally:
            alive.kill()
    assert dead_here(_with_pid(name, alive.pid))  # waited for (no zombie): gone
    assert dead_here(_with_pid(holder_name(), alive.pid))  # a gateway's name, no kind


def test_names_from_elsewhere_are_never_judged() -> None:
    pid = 2**22 + 17  # above the default pid_max: no such process anywhere here
    for holder in (
        f"another-host-{pid}-0a1b2c3d",  # another host's process
        f"worker@another-host~1-{pid}-0a1b2c3d",
        "doomed",  # a name given by hand
        "worker-3f2a9c1d0e4b",  # an older worker name: no host, no pid
        "",
    ):
        assert not dead_here(holder), holder


def test_a_name_fits_its_columns_whatever_the_host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # extraction_jobs.locked_by is VARCHAR(120), runtime_session_leases.holder VARCHAR(128):
    # PostgreSQL refuses a longer name, so a long host name is cut.
    monkeypatch.setattr(socket, "gethostname", lambda: "h" * 300)
    assert len(holder_name("inline")) <= 120 and len(holder_name()) <= 128
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert dead_here(_with_pid(holder_name("worker"), int(gone.stdout)))  # the cut host matches
