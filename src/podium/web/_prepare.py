"""First-run preparation for ``podium up``: home, sessions KB, the assistant's memory, dev users.

First run: create ``PODIUM_HOME``, build the sessions knowledge base from the sample catalog (with
a progress bar), create the assistant's memory (user preference, semantic and summary
strategies) and the dev users. Later runs find all of that in place and only check that the
catalog is unchanged (a stamp of its path, size and mtime), so they start in a few seconds.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.config import Settings

if TYPE_CHECKING:
    from podium.apps.event_assistant import AssistantServices

__all__ = ["Prepared", "is_first_run", "prepare", "say"]

_CATALOG_STAMP = "catalog.synced.json"


@dataclass(kw_only=True)
class Prepared:
    """The result of :func:`prepare`: open services and how long each step took."""

    settings: Settings
    services: AssistantServices
    first_run: bool
    timings: dict[str, float] = field(default_factory=dict)


def is_first_run(settings: Settings) -> bool:
    """Whether ``settings`` point at an embedded database that does not exist yet."""
    return settings.database_url is None and not (settings.home / "podium.db").exists()


@contextmanager
def _progress_bar(enabled: bool, total_sessions: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr for catalog ingestion (a no-op when disabled)."""
    if not enabled:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn

    from podium._progress import progress_columns

    progress = Progress(
        SpinnerColumn(),
        *progress_columns("[progress.description]{task.description}"),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task(f"Indexing the sample catalog ({total_sessions} sessions)", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield update


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _catalog_stamp(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def say(message: str) -> None:
    """One line on stderr for the person who started Podium."""
    print(message, file=sys.stderr, flush=True)


def prepare(settings: Settings, *, progress: bool = True) -> Prepared:
    """Create or open the home, the sessions KB, the memory, the dev users and the AWS dev key.

    The dev key is in ``PODIUM_HOME/aws-dev-key.json``; ``podium aws-env`` prints it.
    """
    from podium.apps.event_assistant import catalog_path, open_services
    from podium.aws import AccessKeys, dev_key
    from podium.identity import ensure_dev_users, idp_database

    started = time.perf_counter()
    timings: dict[str, float] = {}
    is_first = is_first_run(settings)
    if is_first:
        say(f"First run: setting up Podium in {settings.home}")
    settings.ensure_home()
    catalog = catalog_path(settings)
    stamp_file = settings.home / _CATALOG_STAMP
    stamp = _catalog_stamp(catalog)
    # An unchanged catalog file needs no re-sync: skipping the parse keeps later starts fast.
    synced = not is_first and _read_stamp(stamp_file) == stamp
    with _progress_bar(progress and is_first, _count_lines(catalog)) as on_progress:
        services = open_services(settings, ingest=not synced, progress=on_progress)
    if not synced:
        stamp_file.write_text(json.dumps(stamp))
    timings["services_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    ensure_dev_users(settings.home, database=idp_database(settings))
    timings["dev_users_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # The key `podium aws-env` prints, so that boto3 code can call this server.
    dev_key(settings, AccessKeys(services.db))
    timings["aws_dev_key_s"] = time.perf_counter() - mark
    timings["prepare_s"] = time.perf_counter() - started
    return Prepared(settings=settings, services=services, first_run=is_first, timings=timings)
