"""Run the benchmarks (``make bench``) and save JSON reports under benchmarks/results/.

``fusion_compare.py`` needs a BEIR dataset and is run by hand (see its docstring).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT = [
    "kb_ingest",
    "kb_retrieve",
    "memory_bench",
    "agent_turn",
    "runtime_load",
    "runtime_limits",
]

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    for name in sys.argv[1:] or DEFAULT:
        print(f"== {name}", flush=True)
        sys.argv = [str(HERE / f"{name}.py")]
        runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
