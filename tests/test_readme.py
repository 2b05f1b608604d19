"""The README's Python quickstart runs as written (in a scratch directory with a copy of docs/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, re.S)


def test_readme_python_quickstart_runs_as_written(tmp_path: Path) -> None:
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == 1, "the README has one Python quickstart"
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    script = tmp_path / "quickstart.py"
    script.write_text(blocks[0], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert lines[0].startswith("COMPLETE"), lines[0]
    hits = [line for line in lines[1:] if re.match(r"^-?\d+\.\d\d ", line)]
    assert hits and all("runtime" in line for line in hits)  # the filter held
    records = lines[1 + len(hits) :]
    assert any("hands-on" in r.lower() or "workshop" in r.lower() for r in records), lines
    assert (tmp_path / "podium-data" / "podium.db").exists()
