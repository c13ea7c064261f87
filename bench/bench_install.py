"""Install speed: `make install` on a fresh clone, against installing the same lock with pip.

Goal (issue 16): the first `make site` on a fresh machine spent about two minutes installing with
pip. `make install` now installs requirements.lock (every package pinned and hashed) with uv.
Measured in this one run, both with cold package caches and the same lock:

  make install (uv, fresh clone, new .venv)      <= INSTALL_RATIO_GOAL x  pip install of the lock

Both download every package from the registry (no cache of either tool is used), so the network
counts in both; absolute seconds drift with it and with the machine's load, the ratio much less.
Exits non-zero when the goal is missed. Takes a few minutes (two installs of ~130 packages).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INSTALL_RATIO_GOAL = 0.6


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-install-") as scratch:
        scratch = Path(scratch)
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(scratch / "clone")], check=True)
        clone = scratch / "clone"
        env = {**os.environ, "UV_CACHE_DIR": str(scratch / "uv-cache"), "PIP_NO_CACHE_DIR": "1",
               "PYTHON": sys.executable}
        uv_seconds = timed(["make", "install", f"PYTHON={sys.executable}"], clone, env)

        venv = scratch / "pip-venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin/python"), "-m", "pip", "install", "--quiet"]
        pip_seconds = timed(pip + ["--require-hashes", "-r", "requirements.lock"], clone, env)
        pip_seconds += timed(pip + ["--no-deps", "-e", "."], clone, env)

    ratio = uv_seconds / pip_seconds
    print(f"make install (uv, cold cache): {uv_seconds:6.1f} s")
    print(f"pip install of the same lock:  {pip_seconds:6.1f} s")
    verdict = "ok" if ratio <= INSTALL_RATIO_GOAL else "MISSED"
    print(f"ratio {ratio:.2f} (goal <= {INSTALL_RATIO_GOAL}): {verdict}")
    if ratio > INSTALL_RATIO_GOAL:
        sys.exit(1)


if __name__ == "__main__":
    main()
