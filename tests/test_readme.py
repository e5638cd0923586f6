"""The README's walkthrough runs top to bottom as written (issue 10).

Every ```sh block of README.md, in order, runs in one fresh folder beside a
link to ``instances/``, except the lines that install or run the tests; then
the ```python block. Any command that fails fails the test, with its output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support import INSTANCES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SKIP = ("python3 -m venv", "pip install", "pytest")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_shell_blocks_run_in_order(tmp_path: Path) -> None:
    (tmp_path / "instances").symlink_to(INSTANCES)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    ran = 0
    for block in blocks("sh"):
        lines = [line for line in block.splitlines() if not line.startswith(SKIP)]
        script = "\n".join(lines)
        if not script.strip():
            continue
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"this README block failed:\n{script}\n{done.stdout}{done.stderr}"
        )
        ran += 1
    assert ran >= 5
    for code in blocks("python"):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"the README's Python failed:\n{code}\n{done.stderr}"
    # What the walkthrough says it writes is there.
    assert (tmp_path / "plans" / "indonesia-2017" / "summary.json").is_file()
    assert (tmp_path / "plans" / "indonesia-2017-report" / "report.html").is_file()
    assert (tmp_path / "plans" / "tiny-late" / "changes.csv").is_file()
    assert (tmp_path / "results" / "what-if" / "scenarios.csv").is_file()
    assert (tmp_path / "plans" / "from-python" / "summary.json").is_file()
