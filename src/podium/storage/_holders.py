"""Names for the processes that hold rows (session leases, claimed extraction jobs).

A holder name is ``[kind@]host-pid-tag``. The host and pid let a process on the same machine
tell that the holder is gone (``kill -9``) and take its rows over at once instead of waiting
for their lease to run out; the random tag keeps two holders of one process apart. "Host" is the
host name and the PID namespace: containers that share a host name (host networking) but not
their process ids never judge each other's processes.
"""

from __future__ import annotations

import os
import secrets
import socket

__all__ = ["dead_here", "holder_name"]


def _host() -> str:
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:  # not Linux: the host name alone
        return socket.gethostname()[:80]
    return f"{socket.gethostname()[:80]}~{namespace}"


def holder_name(kind: str = "") -> str:
    """A name for a holder in this process, unique in the cluster: ``kind@host-pid-tag``."""
    base = f"{_host()}-{os.getpid()}-{secrets.token_hex(4)}"
    return f"{kind}@{base}" if kind else base


def dead_here(holder: str) -> bool:
    """Whether ``holder`` named a process on this host that no longer exists.

    False for holders on other hosts, names of another form, this process, and processes
    that are alive (another user's included): those keep their rows until the lease ends.
    """
    parts = holder.rpartition("@")[2].rsplit("-", 2)  # a host name may hold "-"
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
