"""An on-disk cache for the course's expensive results (training runs, long experiments).

A result is stored under ``.cache/dlcourse/<module>.<function>/<key>.pkl`` at the repository
root (or under ``$DLCOURSE_CACHE_DIR``). The key hashes

- the function's arguments (``joblib.hash``: arrays by content, not identity), and
- the source of every ``dlcourse`` module the function's module imports, directly or
  transitively (found statically in the import statements, so computing a key never imports
  anything: a warm build does not import TensorFlow).

So editing ``dlcourse/scratch.py`` invalidates exactly the results of functions whose modules
import ``scratch`` (and ``scratch``'s own), and nothing else. Deleting ``.cache/`` is always safe.
``DLCOURSE_CACHE=off`` turns the cache off (every call computes).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable

import joblib

PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Where results live: ``$DLCOURSE_CACHE_DIR``, else ``<repo>/.cache/dlcourse``."""
    override = os.environ.get("DLCOURSE_CACHE_DIR")
    if override:
        return Path(override)
    return PACKAGE_DIR.parents[1] / ".cache" / "dlcourse"


def _imported_dlcourse_modules(module: str) -> set[str]:
    """The ``dlcourse`` modules that ``module`` imports (names like ``"scratch"``)."""
    tree = ast.parse((PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .scratch import x
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import scratch
                found.update(alias.name for alias in node.names)
            elif node.module == "dlcourse":  # from dlcourse import scratch
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("dlcourse."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dlcourse."):
                    found.add(alias.name.split(".")[1])
    return {name for name in found if (PACKAGE_DIR / f"{name}.py").is_file()}


def dependencies(module: str) -> list[str]:
    """``module`` and every ``dlcourse`` module it imports transitively, sorted."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_imported_dlcourse_modules(name) - seen)
    return sorted(seen)


def source_hash(module: str) -> str:
    """SHA-256 over the source of ``module`` and its ``dlcourse`` dependencies."""
    digest = hashlib.sha256()
    for name in dependencies(module):
        digest.update(name.encode())
        digest.update((PACKAGE_DIR / f"{name}.py").read_bytes())
    return digest.hexdigest()


def enabled() -> bool:
    """False when ``$DLCOURSE_CACHE`` is off, 0, no or false: every call then recomputes."""
    return os.environ.get("DLCOURSE_CACHE", "on").lower() not in {"off", "0", "no", "false"}


def cached(function: Callable) -> Callable:
    """Decorate a module-level ``dlcourse`` function so its results are stored on disk.

    The function's arguments must be values ``joblib.hash`` can hash (numbers, strings,
    tuples, arrays, dicts of those) and its result must pickle (return plain dicts and
    arrays, not Keras models). ``wrapper.cache_path(*args, **kwargs)`` tells where a
    result lives, ``wrapper.uncached`` is the plain function.
    """
    module = function.__module__.rpartition(".")[2]
    if not function.__module__.startswith("dlcourse.") or "<" in function.__qualname__:
        raise ValueError(
            f"@cached needs a module-level function in a dlcourse module; got "
            f"{function.__module__}.{function.__qualname__}"
        )

    signature = inspect.signature(function)

    def cache_path(*args: Any, **kwargs: Any) -> Path:
        # Keyed by what the function receives, not how the call spells it: f(src), f(src,
        # epochs=5) with 5 the default, and f(source=src) are one result, stored once.
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = joblib.hash((source_hash(module), function.__qualname__, list(bound.arguments.items())))
        return cache_dir() / f"{module}.{function.__qualname__}" / f"{key}.pkl"

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not enabled():
            return function(*args, **kwargs)
        path = cache_path(*args, **kwargs)
        if path.is_file():
            with path.open("rb") as handle:
                return pickle.load(handle)
        result = function(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so an interrupted build never leaves a truncated entry behind.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        return result

    wrapper.cache_path = cache_path
    wrapper.uncached = function
    return wrapper
