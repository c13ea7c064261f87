"""An on-disk cache for the course's expensive results (training runs, long experiments).

A result is stored under ``.cache/dlcourse/<module>.<function>/<key>.npz`` at the repository
root (or under ``$DLCOURSE_CACHE_DIR``). The key hashes

- the function's arguments (``joblib.hash``: arrays by content, not identity),
- the source of every ``dlcourse`` module the function's module imports, directly or
  transitively (found statically in the import statements, so computing a key never imports
  anything: a warm build does not import TensorFlow), and
- the environment: the Python version, the platform, and the name and version of every installed
  distribution (``importlib.metadata``), not only the pinned ones.

A result also records the data files it read (:func:`record_input`, called by
``dlcourse.data``) with their SHA-256; a stored result whose data file changed is recomputed.

So editing ``dlcourse/scratch.py`` invalidates exactly the results of functions whose modules
import ``scratch`` (and ``scratch``'s own), and upgrading any package invalidates every result.
Entries are verified when read and written atomically (``dlcourse.cachefile``): a truncated,
corrupt or tampered entry is logged (a warning of the ``dlcourse.cache`` logger naming it),
discarded and recomputed; nothing read from the cache is ever unpickled. A cache folder that
cannot be read or written raises :class:`~dlcourse.cachefile.CacheIOError` naming the path and
the fix. Deleting ``.cache/`` is always safe. ``DLCOURSE_CACHE=off`` turns the cache off.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import inspect
import logging
import os
import platform
import sys
from pathlib import Path
from typing import Any, Callable

import joblib

from dlcourse.cachefile import CorruptEntry, decode_entry, encode_entry, read_bytes, write_atomic

PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("dlcourse.cache")


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


@functools.cache
def _distributions_digest(site_dirs: tuple[tuple[str, int], ...]) -> str:
    names = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def environment_digest() -> str:
    """SHA-256 of the Python version, the platform, every installed distribution's version and
    NumPy's BLAS configuration (``blas_configuration``).

    Reading the 130 installed distributions costs about 0.2 s, so the answer is kept until a
    folder on ``sys.path`` changes (installing or removing a package changes its folder).
    """
    site_dirs = []
    for entry in sys.path:
        try:
            site_dirs.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    digest = hashlib.sha256(f"{sys.version}\n{platform.machine()}\n{platform.system()}\n".encode())
    digest.update(_distributions_digest(tuple(site_dirs)).encode())
    digest.update(blas_configuration().encode())
    return digest.hexdigest()


def blas_configuration() -> str:
    """The BLAS library behind NumPy's matrix products, its CPU kernels and its thread count.

    Results depend on them in their last bits (OpenBLAS's float32 products differ between one
    thread and two, and between kernels), and training amplifies such bits: a result computed
    under ``OPENBLAS_NUM_THREADS=1`` or another ``OPENBLAS_CORETYPE`` is another result.
    """
    from threadpoolctl import threadpool_info

    return ";".join(sorted(
        f"{info.get('internal_api')} {info.get('version')} {info.get('architecture')} "
        f"threads={info.get('num_threads')}"
        for info in threadpool_info()
        if info.get("user_api") == "blas" and "numpy" in info.get("filepath", "")))


_file_digests: dict[tuple, str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (remembered while its size and modification time stay), or
    ``"missing"`` if there is no such file."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "missing"
    memo = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if memo not in _file_digests:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        _file_digests[memo] = digest.hexdigest()
    return _file_digests[memo]


# One dict per @cached call being computed (innermost last): the data files it has read.
_recording: list[dict[str, str]] = []


def record_input(path: Path, digest: str | None = None) -> None:
    """Note that the results being computed read the data file ``path`` (its SHA-256 ``digest``,
    computed if not given). A stored result is reused only while its files are unchanged."""
    if _recording:
        value = digest or file_digest(path)
        for inputs in _recording:
            inputs[str(path)] = value


def _changed_inputs(inputs: dict[str, str]) -> list[str]:
    return [path for path, digest in inputs.items() if file_digest(Path(path)) != digest]


def enabled() -> bool:
    """False when ``$DLCOURSE_CACHE`` is off, 0, no or false: every call then recomputes."""
    return os.environ.get("DLCOURSE_CACHE", "on").lower() not in {"off", "0", "no", "false"}


def cached(function: Callable) -> Callable:
    """Decorate a module-level ``dlcourse`` function so its results are stored on disk.

    The function's arguments must be values ``joblib.hash`` can hash (numbers, strings,
    tuples, arrays, dicts of those) and its result plain values: None, bool, int, float, str,
    NumPy arrays and scalars, and lists, tuples and dicts of them (not Keras models; anything
    else is a TypeError when it is stored). ``wrapper.cache_path(*args, **kwargs)`` tells where
    a result lives, ``wrapper.uncached`` is the plain function.
    """
    module = function.__module__.rpartition(".")[2]
    if not function.__module__.startswith("dlcourse.") or "<" in function.__qualname__:
        raise ValueError(
            f"@cached needs a module-level function in a dlcourse module; got "
            f"{function.__module__}.{function.__qualname__}"
        )

    signature = inspect.signature(function)
    name = f"{module}.{function.__qualname__}"

    def cache_key(*args: Any, **kwargs: Any) -> str:
        # Keyed by what the function receives, not how the call spells it: f(src), f(src,
        # epochs=5) with 5 the default, and f(source=src) are one result, stored once.
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return joblib.hash((source_hash(module), environment_digest(), function.__qualname__,
                            list(bound.arguments.items())))

    def cache_path(*args: Any, **kwargs: Any) -> Path:
        return cache_dir() / name / f"{cache_key(*args, **kwargs)}.npz"

    def load(path: Path, key: str) -> tuple[bool, Any]:
        data = read_bytes(path)  # CacheIOError if unreadable
        if data is None:
            return False, None
        try:
            value, inputs = decode_entry(data, key)
        except CorruptEntry as why:
            log.warning("discarded the cache entry %s (%s); recomputing it", path, why)
            return False, None
        changed = _changed_inputs(inputs)
        if changed:
            log.info("recomputing %s: its data changed (%s)", path, ", ".join(changed))
            return False, None
        for inputs_of_caller in _recording:  # a caller being computed read these files too
            inputs_of_caller.update(inputs)
        return True, value

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not enabled():
            return function(*args, **kwargs)
        key = cache_key(*args, **kwargs)
        path = cache_dir() / name / f"{key}.npz"
        found, value = load(path, key)
        if found:
            return value
        _recording.append({})
        try:
            result = function(*args, **kwargs)
        finally:
            inputs = _recording.pop()
        for inputs_of_caller in _recording:
            inputs_of_caller.update(inputs)
        try:
            data = encode_entry(key, result, inputs)
        except TypeError as error:
            raise TypeError(f"@cached {name}: {error}") from None
        write_atomic(path, data)  # CacheIOError (naming the path and the fix) if it cannot
        return result

    wrapper.cache_path = cache_path
    wrapper.uncached = function
    return wrapper
