"""Reuse a code block's printed output when nothing it could depend on has changed.

A prose edit should not re-run a chapter's code, yet a changed input must never publish stale
output. A block's output is stored under a key that hashes everything the block can read:

- the code of this block and of every block before it in the same session on the page (the
  session's state is built by them), with their fence options;
- the source of ``src/dlcourse`` and ``src/coursebuild`` (any library edit re-runs every page;
  the expensive results inside stay cached, precisely keyed, by ``dlcourse.cache``);
- the environment: the Python version and every installed distribution's version
  (``dlcourse.cache.environment_digest``) and the pinned requirements;
- the environment variables the library's code reads (``KEY_VARIABLES``; no others: an unrelated
  ``DLCOURSE_*`` variable re-runs nothing), and the content of Keras's ``mnist.npz``, which
  decides what ``load_mnist`` returns.

Every entry is verified when read (``dlcourse.cachefile``: the key it was made for and a digest
of key and output); a truncated, corrupt or tampered entry is logged, discarded and the block
re-run, never published. Entries are written atomically. A store that cannot be read or written
raises ``CacheIOError`` naming the path and the fix; ``coursebuild.execute`` fails the block.

On a miss, the blocks of the session whose outputs were reused are replayed first, so the
namespace is exactly what a full run would have built. Failing blocks are never stored.
``DLCOURSE_CACHE=off`` disables this too. Outputs live in ``<dlcourse cache dir>/../pages``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

from dlcourse.cache import cache_dir, enabled, environment_digest, file_digest
from dlcourse.cachefile import CorruptEntry, read_bytes, read_text_entry, text_entry, write_atomic
from dlcourse.data import keras_mnist_path

SRC = Path(__file__).resolve().parents[1]
REPO = SRC.parent
log = logging.getLogger("dlcourse.cache")

# The environment variables read by code a page can run (src/dlcourse): only these enter the key.
# tests/test_coursebuild.py checks that every variable src/ reads is here or in NOT_INPUTS.
KEY_VARIABLES = ("DLCOURSE_MNIST_SOURCE", "KERAS_HOME", "MPLBACKEND")
# Read by src/ but deciding where or whether results are cached, never what a page shows.
NOT_INPUTS = ("DLCOURSE_CACHE", "DLCOURSE_CACHE_DIR",
              # coursebuild.pdf: which browser prints the handouts, and the address its links name
              "CHROMIUM", "SITE_URL")


def _environment_key() -> str:
    digest = hashlib.sha256()
    for package in ("dlcourse", "coursebuild"):
        for path in sorted((SRC / package).rglob("*.py")):
            digest.update(path.relative_to(SRC).as_posix().encode())
            digest.update(path.read_bytes())
    requirements = REPO / "requirements.txt"
    if requirements.is_file():
        digest.update(requirements.read_bytes())
    digest.update(environment_digest().encode())
    for name in KEY_VARIABLES:
        digest.update(f"{name}={os.environ.get(name)!r}\n".encode())
    digest.update(f"mnist.npz={file_digest(keras_mnist_path())}".encode())
    return digest.hexdigest()


_frozen_key: str | None = None


def freeze_environment() -> None:
    """Compute the environment key once, for the build (or page render) that starts now.

    Sources, pins and environment do not change in the middle of a build; hashing them for
    every block cost 0.3 ms a block, 50 ms of each rebuild under ``mkdocs serve``.
    """
    global _frozen_key
    _frozen_key = _environment_key()


def thaw_environment() -> None:
    """Back to computing the key at every call, between builds."""
    global _frozen_key
    _frozen_key = None


def environment_key() -> str:
    """The inputs shared by every block: the library's and the build's sources, the installed
    distributions, the pins, the Python version, ``KEY_VARIABLES`` and Keras's MNIST file.

    Between ``freeze_environment`` and ``thaw_environment`` the key computed at the freeze is
    reused; otherwise it is computed afresh, so nothing that changed is missed.
    """
    return _frozen_key if _frozen_key is not None else _environment_key()


def block_key(history: list[str]) -> str:
    """Key of the last block in ``history`` (the session's blocks so far, code and options)."""
    digest = hashlib.sha256(environment_key().encode())
    for item in history:
        digest.update(hashlib.sha256(item.encode()).digest())
    return digest.hexdigest()


def path_of(key: str, store: str = "pages") -> Path:
    """Where the text stored under ``key`` lives: ``<dlcourse cache dir>/../<store>/<key>.json``."""
    return cache_dir().parent / store / f"{key}.json"


def load(key: str, store: str = "pages", *, entry: str = "cache entry",
         redo: str = "re-running its block") -> str | None:
    """The verified text stored under ``key``, or None (none stored, or a bad entry discarded).

    ``store`` is the folder: a block's output by default; the typeset math (``math``) and the
    notebook's pruned styles (``notebookcss``) use the same verified entries. ``entry`` and
    ``redo`` name the entry and what happens instead in the warning about a bad one.

    Raises:
        CacheIOError: the entry cannot be read (naming the path and the fix).
    """
    if not enabled():
        return None
    path = path_of(key, store)
    data = read_bytes(path)
    if data is None:
        return None
    try:
        return read_text_entry(data, key)
    except CorruptEntry as why:
        log.warning("discarded the %s %s (%s); %s", entry, path, why, redo)
        return None


def save(key: str, text: str, store: str = "pages") -> None:
    """Store ``text`` under ``key`` in ``store``, atomically.

    Raises:
        CacheIOError: the store cannot be written (naming the path and the fix).
    """
    if enabled():
        write_atomic(path_of(key, store), text_entry(key, text))
