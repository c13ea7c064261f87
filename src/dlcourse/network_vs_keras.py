"""``dlcourse.network.Network`` and Keras side by side: one model, the same weights, the gaps.

Every function that runs Keras imports it when called (TensorFlow costs about 7 s), and the
runs the From scratch to Keras page shows are ``@cached`` and return plain dicts, so a warm
build reads them from disk without importing TensorFlow.

The data are MNIST digits from ``dlcourse.data.load_mnist``: the page and the tests use the
same problems, and Keras and ``Network`` always see the same rows in the same order
(``shuffle=False``), so their trajectories can be compared step by step.
"""

import ast
import importlib.util
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from dlcourse.cache import cached
from dlcourse.data import load_mnist, preprocess
from dlcourse.keras_models import seed_everything
from dlcourse import optimizers
from dlcourse.network import Network

KERAS_OPTIMIZERS = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}

# loss -> (output activation, what the digits are asked), for the three problems compared.
PROBLEMS = {
    "categorical_crossentropy": ("softmax", "which digit (10 classes, one-hot)"),
    "binary_crossentropy": ("sigmoid", "is the digit even? (one output, 0 or 1)"),
    "mse": ("linear", "the digit's value divided by 9 (one output, regression)"),
}


def relative_gap(ours, theirs):
    """The largest relative distance between matching arrays of two lists.

    Implements Eq. `eq:relative-gap` (From scratch to Keras chapter):
    max_k ||ours_k - theirs_k|| / ||theirs_k|| (Frobenius norms).

    Args:
        ours, theirs: lists of arrays, pairwise of equal shapes (e.g. two ``get_weights()``).
    Returns:
        a float >= 0; 0.0 means equal.
    """
    if len(ours) != len(theirs):
        raise ValueError(f"ours and theirs must hold as many arrays; "
                         f"got {len(ours)} and {len(theirs)}.")
    gaps = []
    for k, (a, b) in enumerate(zip(ours, theirs)):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"ours[{k}] and theirs[{k}] must have one shape; "
                             f"got {a.shape} and {b.shape}.")
        if not np.linalg.norm(b):
            raise ValueError(f"theirs[{k}] must not be all zeros: a gap relative to it is "
                             "undefined.")
        gaps.append(np.linalg.norm(a - b) / np.linalg.norm(b))
    return float(max(gaps))


def keras_source(path, qualname):
    """Markdown showing a function of the installed Keras, read from its file, not imported.

    Reading the file costs nothing, where ``import keras`` would start TensorFlow (about 7 s).

    Args:
        path: the file inside Keras's ``src`` folder, e.g. "layers/core/dense.py".
        qualname: "function" or "Class.method" defined in that file.
    Returns:
        a fenced Python block titled with the file, its lines and Keras's version; the
        docstring, if any, is left out (and the title says so).
    """
    keras_dir = Path(importlib.util.find_spec("keras").submodule_search_locations[0])
    file = keras_dir / "src" / path
    node = ast.parse(file.read_text(encoding="utf-8"))
    for name in qualname.split("."):
        found = [n for n in node.body if getattr(n, "name", None) == name]
        if not found:
            raise ValueError(f"keras/src/{path} defines no {qualname!r} (looked for {name!r}).")
        node = found[0]
    lines = file.read_text(encoding="utf-8").splitlines()[node.lineno - 1:node.end_lineno]
    body, note = node.body, ""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        docstring = range(body[0].lineno - node.lineno, body[0].end_lineno - node.lineno + 1)
        lines = [line for k, line in enumerate(lines) if k not in docstring]
        note = ", docstring left out"
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    code = "\n".join(line[indent:] for line in lines)
    title = (f"keras/src/{path}, lines {node.lineno}–{node.end_lineno} "
             f"(Keras {version('keras')}{note})")
    return f'```python title="{title}"\n{code}\n```'


def keras_twin(network, loss, optimizer, learning_rate):
    """A compiled ``keras.Sequential`` of the same Dense layers, holding the network's weights.

    Args:
        network: a ``Network``; its layer sizes, activations and current weights are copied.
        loss: "categorical_crossentropy", "binary_crossentropy" or "mse".
        optimizer: "sgd", "rmsprop" or "adam" (Keras's class of that name, defaults otherwise).
        learning_rate: positive float.
    Returns:
        the compiled model, with accuracy as a metric except for MSE.
    """
    keras = seed_everything(0)
    layers = [keras.layers.Dense(n, activation=activation)
              for n, activation in zip(network.layer_sizes[1:], network.activations)]
    model = keras.Sequential([keras.Input((network.layer_sizes[0],))] + layers)
    keras_optimizer = getattr(keras.optimizers, KERAS_OPTIMIZERS[optimizer])
    model.compile(optimizer=keras_optimizer(learning_rate=learning_rate), loss=loss,
                  metrics=[] if loss == "mse" else ["accuracy"])
    model.set_weights(network.get_weights())
    return model


def digits(loss, n, source=None):
    """The first ``n`` training digits as (X (n, 784), Y (n, n_out)) float32 for ``loss``'s problem.

    Args:
        loss: a key of ``PROBLEMS``: one-hot digits, "is it even", or the digit's value / 9.
        n: rows (at most the training set's size).
        source: passed to ``load_mnist``.
    """
    mnist = load_mnist(source)
    X, one_hot = preprocess(mnist.x_train[:n], mnist.y_train[:n])
    labels = mnist.y_train[:n].astype(np.float32)
    targets = {"categorical_crossentropy": one_hot,
               "binary_crossentropy": (labels % 2 == 0).astype(np.float32)[:, None],
               "mse": labels[:, None] / 9}
    return X, targets[loss]


@cached
def one_step_each(source, n=256, hidden=64, seed=0):
    """Forward pass, loss, gradients and one RMSprop step of both, from the same weights.

    Args:
        source: ``load_mnist`` source (explicit, so the cache keeps one result per data set).
        n: digits in the batch; hidden: units of the relu layer; seed: the network's weights.
    Returns:
        dict of floats: "output_gap" (the outputs A^[2], (n, 10)), "loss_ours", "loss_keras",
        "gradient_gap", "step_gap" (weights after one step on the batch) and "step_size"
        (how far that step moved Keras's kernels, relative to where they started).
    """
    import tensorflow as tf

    keras = seed_everything(0)
    X, Y = digits("categorical_crossentropy", n, source)
    net = Network([784, hidden, 10], ["relu", "softmax"], seed=seed)
    model = keras_twin(net, "categorical_crossentropy", "rmsprop", 1e-3)
    with tf.GradientTape() as tape:
        output = model(X)
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(Y, output))
    theirs = [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    result = {"output_gap": relative_gap([net.predict(X)], [output.numpy()]),
              "loss_ours": net.evaluate(X, Y)["loss"], "loss_keras": float(loss),
              "gradient_gap": relative_gap(net.gradients(X, Y), theirs)}
    start = net.get_weights()
    model.train_on_batch(X, Y)
    net.fit(X, Y, epochs=1, batch_size=n, optimizer="rmsprop", learning_rate=1e-3, shuffle=False)
    result["step_gap"] = relative_gap(net.get_weights(), model.get_weights())
    result["step_size"] = relative_gap(model.get_weights()[::2], start[::2])  # biases start at 0
    return result


def keras_fit_by_epoch(model, X, Y, epochs, batch_size):
    """``model.fit`` without shuffling, keeping the weights and the wall time of every epoch.

    Args:
        model: a compiled Keras model; X, Y: its data; epochs, batch_size: as in ``fit``.
    Returns:
        (history, weights, seconds): Keras's ``History``; per epoch, ``get_weights()`` at its
        end and its duration in seconds.
    """
    import keras

    marks, weights = [], []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda *_: marks.append(time.perf_counter()),
        on_epoch_end=lambda *_: (marks.append(time.perf_counter()),
                                 weights.append(model.get_weights())))
    history = model.fit(X, Y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0,
                        callbacks=[callback])
    return history, weights, [end - begin for begin, end in zip(marks[::2], marks[1::2])]


@cached
def trajectories(source, n=512, hidden=32, epochs=5, batch_size=32, seed=0):
    """Both trained side by side for every optimizer and problem: the weight gap epoch by epoch.

    Each (loss, optimizer) pair starts from the same weights and sees the same batches
    (``shuffle=False``); after every epoch the weights of the two are compared.

    Args:
        source: ``load_mnist`` source; n: digits; hidden: units of the relu layer;
        epochs, batch_size: as in ``fit``; seed: the initial weights.
    Returns:
        {loss: {optimizer: {"gap": [one float per epoch], "travelled": float (how far
        Keras's kernels moved, relative), "loss_ours": float, "loss_keras": float (the
        last epoch's)}}}, for the losses of ``PROBLEMS`` and optimizers sgd, rmsprop, adam.
    """
    seed_everything(0)
    learning_rates = {"sgd": 0.05, "rmsprop": 1e-3, "adam": 1e-3}
    results = {}
    for loss, (activation, _) in PROBLEMS.items():
        X, Y = digits(loss, n, source)
        results[loss] = {}
        for optimizer, learning_rate in learning_rates.items():
            net = Network([784, hidden, Y.shape[1]], ["relu", activation], seed=seed)
            model = keras_twin(net, loss, optimizer, learning_rate)
            start = net.get_weights()
            theirs, theirs_by_epoch, _ = keras_fit_by_epoch(model, X, Y, epochs, batch_size)
            # One optimizer instance for all epochs, as Keras keeps its own across epochs.
            ours_optimizer, gaps = optimizers.get(optimizer, learning_rate), []
            for theirs_then in theirs_by_epoch:
                ours = net.fit(X, Y, epochs=1, batch_size=batch_size, optimizer=ours_optimizer,
                               loss=loss, shuffle=False)
                gaps.append(relative_gap(net.get_weights(), theirs_then))
            results[loss][optimizer] = {
                "gap": gaps, "travelled": relative_gap(model.get_weights()[::2], start[::2]),
                "loss_ours": ours.history["loss"][-1], "loss_keras": theirs.history["loss"][-1]}
    return results


@cached
def mnist_side_by_side(source, n_train=10_000, epochs=5, batch_size=128, seed=0):
    """The lecture's MNIST network trained by both on the same data, from the same weights.

    784-512-10 (relu, softmax), RMSprop with learning rate 1e-3, categorical cross-entropy,
    ``shuffle=False`` for both so that they see the same batches; each epoch is timed. A
    third run, ``Network`` in float64 from the same weights, is the yardstick: how far each
    float32 run ends up from it is how far float32 rounding alone carries a training run.

    Args:
        source: ``load_mnist`` source; n_train: at most this many training digits (the first
            ones; a cap that keeps a cold build of the site short); epochs, batch_size: as in
            ``fit``; seed: the weights.
    Returns:
        dict: "n_train", "n_test" (ints); "ours" and "keras", each {"loss", "accuracy",
        "seconds": [one float per epoch], "test_loss", "test_accuracy": float}; per epoch,
        the relative gaps (Eq. `eq:relative-gap`) "gaps" of ``Network`` to Keras,
        "ours_to_double" of ``Network`` to the float64 run and "keras_to_double" of Keras to it.
    """
    seed_everything(0)
    mnist = load_mnist(source)
    X, Y = preprocess(mnist.x_train[:n_train], mnist.y_train[:n_train])
    X_test, Y_test = preprocess(mnist.x_test, mnist.y_test)
    net = Network([784, 512, 10], ["relu", "softmax"], seed=seed)
    double = Network([784, 512, 10], ["relu", "softmax"], dtype="float64")
    double.set_weights(net.get_weights())
    model = keras_twin(net, "categorical_crossentropy", "rmsprop", 1e-3)
    theirs, keras_weights, keras_seconds = keras_fit_by_epoch(model, X, Y, epochs, batch_size)
    # One epoch per call with one optimizer each: the same steps as a single fit(epochs=...).
    ours = {"loss": [], "accuracy": [], "seconds": []}
    gaps = {"gaps": [], "ours_to_double": [], "keras_to_double": []}
    optimizer, double_optimizer = optimizers.RMSprop(1e-3), optimizers.RMSprop(1e-3)
    for epoch in range(epochs):
        history = net.fit(X, Y, epochs=1, batch_size=batch_size, optimizer=optimizer,
                          shuffle=False)
        for key in ours:
            ours[key] += history.seconds if key == "seconds" else history.history[key]
        double.fit(X, Y, epochs=1, batch_size=batch_size, optimizer=double_optimizer,
                   shuffle=False)
        gaps["gaps"].append(relative_gap(net.get_weights(), keras_weights[epoch]))
        gaps["ours_to_double"].append(relative_gap(net.get_weights(), double.get_weights()))
        gaps["keras_to_double"].append(relative_gap(keras_weights[epoch], double.get_weights()))
    test_loss, test_accuracy = model.evaluate(X_test, Y_test, verbose=0)
    return {
        "n_train": len(X), "n_test": len(X_test),
        "keras": {"loss": theirs.history["loss"], "accuracy": theirs.history["accuracy"],
                  "seconds": keras_seconds,
                  "test_loss": float(test_loss), "test_accuracy": float(test_accuracy)},
        "ours": {**ours, **{"test_" + k: v for k, v in net.evaluate(X_test, Y_test).items()}},
        **gaps,
    }
