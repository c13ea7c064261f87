"""Cache entries that cannot lie: verified on every read, written atomically, never unpickled.

An entry is an ``.npz`` archive (NumPy's zip of arrays, read with ``allow_pickle=False``)
followed by a trailer ``sha256:<hex>``, the SHA-256 of the key and of every byte before it, checked
before anything is parsed (one flipped bit anywhere is caught). The archive holds

- ``meta``: UTF-8 JSON, ``{"format", "key", "value", "inputs"}``: the key the entry was made for,
  the value as JSON (arrays and NumPy scalars replaced by references to the arrays below, tuples
  and dicts with non-string keys tagged so they come back as they went in), and the data files
  the computation read, each with its SHA-256;
- ``a0``, ``a1``, ...: the arrays.

:func:`read_entry` raises :class:`CorruptEntry` (truncated, undecodable, digest or key mismatch)
or :class:`CacheIOError` (the file cannot be read); :func:`write_atomic` writes a temporary file
beside the target and renames it over it, so a reader sees the old entry or the new one, never
half of one. A tampered ``.cache`` can make an entry be recomputed, never make code run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
_TAGS = ("__array__", "__scalar__", "__tuple__", "__dict__")


class CorruptEntry(Exception):
    """A cache entry that is truncated, undecodable, or not the one its key asks for."""


class CacheIOError(OSError):
    """A cache file or folder that cannot be read or written; the message says how to fix it."""


def io_error(action: str, path: Path, error: OSError) -> CacheIOError:
    """A :class:`CacheIOError` naming ``path``, what failed and the fix."""
    reason = error.strerror or str(error)
    return CacheIOError(
        f"cannot {action} the build cache at {path}: {reason}. Fix: make {path.parent} writable "
        f"(after a `sudo make`: `sudo chown -R $USER .cache`), free disk space, or point "
        f"DLCOURSE_CACHE_DIR at a writable folder; deleting .cache/ is always safe."
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Raises:
        CacheIOError: the folder cannot be created or written (read-only, full disk).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
            temporary = Path(handle.name)
            try:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            except BaseException:
                handle.close()
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
    except OSError as error:
        raise io_error("write", path, error) from error


def read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``, or None if there is no such file.

    Raises:
        CacheIOError: the file exists but cannot be read.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise io_error("read", path, error) from error


def _encode(value: Any, arrays: list[np.ndarray], where: str) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(f"{where} is an array of Python objects; only numeric arrays can be cached")
        arrays.append(value)
        return {"__array__": len(arrays) - 1}
    if isinstance(value, np.generic):
        arrays.append(np.asarray(value))
        return {"__scalar__": len(arrays) - 1}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in _TAGS):
            return {k: _encode(v, arrays, f"{where}[{k!r}]") for k, v in value.items()}
        return {"__dict__": [[_encode(k, arrays, f"{where} key"), _encode(v, arrays, f"{where}[{k!r}]")]
                             for k, v in value.items()]}
    raise TypeError(
        f"{where} is a {type(value).__module__}.{type(value).__qualname__}; a cached result may hold "
        "only None, bool, int, float, str, NumPy arrays and scalars, and lists, tuples and dicts of them"
    )


def _decode(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, content), = value.items()
        if tag == "__array__":
            return arrays[content]
        if tag == "__scalar__":
            return arrays[content][()]
        if tag == "__tuple__":
            return tuple(_decode(v, arrays) for v in content)
        if tag == "__dict__":
            return {_hashable(_decode(k, arrays)): _decode(v, arrays) for k, v in content}
    return {k: _decode(v, arrays) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return key if not isinstance(key, list) else tuple(key)


_TRAILER = b"sha256:"
_TRAILER_SIZE = len(_TRAILER) + 64


def _digest(key: str, body: bytes) -> bytes:
    return hashlib.sha256(key.encode() + b"\0" + body).hexdigest().encode()


def encode_entry(key: str, value: Any, inputs: dict[str, str] | None = None) -> bytes:
    """The bytes of an entry holding ``value`` for ``key`` (``inputs``: data file -> SHA-256).

    Raises:
        TypeError: ``value`` holds something other than plain values and arrays.
    """
    stored: list[np.ndarray] = []
    tree = _encode(value, stored, "the result")
    meta = json.dumps({"format": FORMAT, "key": key, "value": tree, "inputs": inputs or {}}).encode()
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(meta, dtype=np.uint8),
             **{f"a{i}": array for i, array in enumerate(stored)})
    body = buffer.getvalue()
    return body + _TRAILER + _digest(key, body)


def decode_entry(data: bytes, key: str) -> tuple[Any, dict[str, str]]:
    """``(value, inputs)`` stored in ``data``, after checking it was made for ``key``.

    Raises:
        CorruptEntry: the bytes are not a complete entry, their digest does not match (a
            changed byte, or an entry made for another key), or they do not decode.
    """
    body, trailer = data[:-_TRAILER_SIZE], data[-_TRAILER_SIZE:]
    if len(data) < _TRAILER_SIZE or not trailer.startswith(_TRAILER):
        raise CorruptEntry(f"undecodable: no digest at its end ({len(data)} bytes; truncated?)")
    if trailer[len(_TRAILER):] != _digest(key, body):
        raise CorruptEntry("its content does not match its digest (a changed byte, or another key's entry)")
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as archive:
            record = json.loads(archive["meta"].tobytes())
            ordered = [archive[f"a{i}"] for i in range(len(archive.files) - 1)]
        if record["format"] != FORMAT or record["key"] != key:
            raise CorruptEntry(f"made for format {record['format']}, key {record['key']!r}")
        return _decode(record["value"], ordered), dict(record["inputs"])
    except CorruptEntry:
        raise
    except Exception as error:  # zipfile, NumPy's format reader, a refused pickle: all mean corrupt
        raise CorruptEntry(f"undecodable ({type(error).__name__}: {error})") from error


def text_entry(key: str, text: str) -> bytes:
    """A text entry (a page block's output): JSON with the key and a digest of key and text."""
    digest = hashlib.sha256(f"{key}\0{text}".encode()).hexdigest()
    return json.dumps({"format": FORMAT, "key": key, "digest": digest, "text": text}).encode()


def read_text_entry(data: bytes, key: str) -> str:
    """The text in ``data`` (see :func:`text_entry`), verified against ``key``.

    Raises:
        CorruptEntry: undecodable, truncated, another key's, or a digest mismatch.
    """
    try:
        record = json.loads(data.decode("utf-8"))
        text, digest, stored_key = record["text"], record["digest"], record["key"]
    except Exception as error:
        raise CorruptEntry(f"undecodable ({type(error).__name__}: {error})") from error
    if stored_key != key:
        raise CorruptEntry(f"made for key {stored_key!r}")
    if not isinstance(text, str) or hashlib.sha256(f"{key}\0{text}".encode()).hexdigest() != digest:
        raise CorruptEntry("its content does not match its digest")
    return text
