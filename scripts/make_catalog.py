"""Generate the sample session catalog for Podium's reference event assistant.

ALL DATA PRODUCED HERE IS SYNTHETIC. "Podium Cloud & AI Summit 2026" is a fictional
conference; every speaker, company, venue, customer story and number is invented, and any
resemblance to real people or organisations is coincidental. Open-source technologies
(Kubernetes, Kafka, Iceberg, OpenTelemetry, PostgreSQL...) are named only as generic topics.

The generator is deterministic: a single ``random.Random(seed)`` drives every choice, so the
same seed always yields byte-identical JSON Lines. Abstracts are composed from per-track,
per-subtopic sentence pools (problems, approaches, deep dives, customer stories, hands-on
notes, takeaways) in varied orders, so that retrieval over the catalog is not trivial.

The pools are data, in ``data/catalog/pools/`` (one JSON file per track, plus shared sentences,
people, venues, keynotes and schedule weights); the code is the ``catalog`` package next to this
script. Days, levels, session types and tracks come from the assistant's vocabulary,
``podium.apps.event_assistant._vocabulary``, so the catalog and the assistant's tools agree.

Usage::

    python scripts/make_catalog.py [--seed 2026] [--out data/catalog/sessions.jsonl] [--count 600]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

# The ``catalog`` package sits next to this file; tests load the script by path, which does not
# put its folder on sys.path the way running it does.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog import Pools, load_pools
from catalog import build_catalog as _build

from podium.errors import ConfigurationError

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_OUT",
    "DEFAULT_SEED",
    "build_catalog",
    "load_pools",
    "main",
    "render_catalog",
    "write_catalog",
]

DEFAULT_SEED = 2026
DEFAULT_COUNT = 600
# Relative to the repository root, so the script behaves the same from any directory.
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "catalog" / "sessions.jsonl"


def build_catalog(
    seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT, pools: Pools | None = None
) -> list[dict[str, object]]:
    """Build the synthetic session catalog as a list of JSON-ready dicts, sorted by code.

    ``pools`` defaults to the files under ``data/catalog/pools/``.
    """
    return _build(pools or load_pools(), seed=seed, count=count)


def render_catalog(records: Sequence[dict[str, object]]) -> str:
    """Serialize records as JSON Lines (one object per line, trailing newline)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_catalog(out: Path, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> int:
    """Generate the catalog and write it to ``out``; returns the number of sessions."""
    records = build_catalog(seed=seed, count=count)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_catalog(records).encode("utf-8"))
    return len(records)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2026)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSON Lines path")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="number of sessions")
    args = parser.parse_args(argv)
    try:
        n = write_catalog(args.out, seed=args.seed, count=args.count)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {n} sessions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
