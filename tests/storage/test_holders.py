"""Holder names of leased rows: which ones name a process on this host that is gone."""

from __future__ import annotations

import os
import subprocess
import sys

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
