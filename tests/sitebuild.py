"""Building the site, or a small copy of it, the one way the tests and the benchmarks share.

``bench/`` imports this file too (as ``scripts/screenshots.py`` imports ``browser.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def mkdocs_build(project: Path, site: Path | None = None, env: dict[str, str] | None = None):
    """``mkdocs build --strict`` in ``project`` (into ``site``; by default its ``site/``).

    Args:
        project: a directory with a mkdocs.yml.
        site: the output directory, or None.
        env: the environment (default: this process's); MkDocs 2's notice is silenced.
    Returns:
        the ``subprocess.CompletedProcess`` (text output captured), unchecked.
    """
    command = [sys.executable, "-m", "mkdocs", "build", "--strict"]
    if site is not None:
        command += ["--site-dir", str(site)]
    env = {**(os.environ if env is None else env), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def scratch_project(root: Path) -> dict[str, str]:
    """A full copy of the course in ``root`` with a block-output cache of its own.

    docs/ and mkdocs.yml are copied (they may be edited), src/, overrides/ and the pins linked.
    Returns the environment to build it with (``DLCOURSE_CACHE_DIR`` inside ``root``).
    """
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for name in ("src", "overrides", "requirements.txt"):
        (root / name).symlink_to(REPO / name)
    return {**os.environ, "DLCOURSE_CACHE_DIR": str(root / ".cache/dlcourse")}


def mini_project(root: Path, copy_src: bool = False) -> Path:
    """The course's MkDocs set-up in ``root`` with only a home page; tests add chapters.

    Args:
        root: an empty directory.
        copy_src: copy src/ (to edit the library) instead of linking it.
    Returns:
        ``root``.
    """
    (root / "docs/chapters").mkdir(parents=True)
    for part in ("javascripts", "stylesheets", "includes"):
        shutil.copytree(REPO / "docs" / part, root / "docs" / part)
    (root / "docs/index.md").write_text("# Home\n")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "overrides").symlink_to(REPO / "overrides")  # mkdocs.yml names it
    if copy_src:  # src/ holds the build's hooks as well as the library
        shutil.copytree(REPO / "src", root / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    else:
        (root / "src").symlink_to(REPO / "src")
    return root


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
