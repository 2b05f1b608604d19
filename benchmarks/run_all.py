"""Run every benchmark (``make bench``) and save JSON reports under benchmarks/results/."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = sorted(p for p in HERE.glob("*.py") if not p.name.startswith(("_", "run_all")))

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    selected = sys.argv[1:] or [p.stem for p in SCRIPTS]
    for name in selected:
        print(f"== {name}", flush=True)
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
