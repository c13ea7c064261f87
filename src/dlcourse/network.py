"""A general dense network in plain NumPy that trains step for step like a Keras ``Sequential``.

The From scratch to Keras chapter reads this module one step at a time:

1. ``Network.forward``        Z = A_prev W + b, then A = f(Z), layer after layer;
2. ``Network.loss``           Keras's mean loss of a batch (``LOSSES``);
3. ``Network.output_delta``   dL/dZ of the output layer, then ``Network.backward``: the
                              chain rule back through every layer;
4. the optimizer's update of ``dlcourse.optimizers``, one call per batch in ``Network.fit``.

Samples are ROWS, as in Keras: X is (m, n_in), a kernel W is (n_in, n_out) and a layer
computes Z = A_prev W + b. (``dlcourse.scratch`` keeps the lecture's columns: W1 transposed.)

All weights and biases live in one vector ``w`` (each W and b is a view into it) and their
gradients in another, ``g``: an optimizer then updates the whole network in one call. That,
and NumPy's matrix products, is all the speed there is; nothing here is compiled.
"""

import time
from functools import partial
from typing import Callable, NamedTuple

import numpy as np

from dlcourse import activations, optimizers
from dlcourse.checks import finite_array, int_at_least, targets
from dlcourse.losses import (binary_crossentropy_from_logits, categorical_crossentropy_from_logits,
                             mean_squared_error, mean_squared_error_prime,
                             sigmoid_crossentropy_delta, softmax_crossentropy_delta)

# name -> (f, f') from ``dlcourse.activations``. Softmax has no elementwise derivative: its
# Jacobian is applied in ``activation_backward``.
ACTIVATIONS = {
    "linear": (activations.linear, activations.linear_prime),
    "relu": (activations.relu, activations.relu_prime),
    "sigmoid": (activations.sigmoid, activations.sigmoid_prime),
    "softmax": (partial(activations.softmax, axis=1), None),
    "tanh": (activations.tanh, activations.tanh_prime),
}


class Loss(NamedTuple):
    """How ``Network`` computes one of Keras's losses and its gradient at the output layer.

    Attributes:
        activation: the output activation whose derivative cancels against the loss's
            (softmax for CCE, sigmoid for BCE), or None when nothing cancels (MSE).
        value: value(Y, Z, A) -> the batch's mean loss, a float; Y, Z, A (m, n_out).
        gradient: gradient(Y, A) -> (m, n_out): dL/dZ when ``activation`` cancels, else dL/dA.
    """
    activation: str | None
    value: Callable
    gradient: Callable


# Keras computes the two cross-entropies from the logits Z when the output layer is the
# matching softmax or sigmoid Dense layer; so does ``Network``.
LOSSES = {
    "categorical_crossentropy": Loss("softmax", lambda Y, Z, A: categorical_crossentropy_from_logits(Y, Z),
                                     softmax_crossentropy_delta),
    "binary_crossentropy": Loss("sigmoid", lambda Y, Z, A: binary_crossentropy_from_logits(Y, Z),
                                sigmoid_crossentropy_delta),
    "mse": Loss(None, lambda Y, Z, A: mean_squared_error(Y, A), mean_squared_error_prime),
}
LOSSES["mean_squared_error"] = LOSSES["mse"]
DTYPES = ("float32", "float64")


def activation_backward(name, dA, Z, A):
    """dL/dZ from dL/dA through the activation ``name``; dA, Z, A and the result (m, n).

    Implements the last factor of Eq. `eq:dense-backward` (From scratch to Keras chapter):
    dA * f'(Z) elementwise, or for softmax its Jacobian product A * (dA - sum_k dA_k A_k).
    """
    if name == "softmax":
        return A * (dA - np.sum(dA * A, axis=1, keepdims=True))
    return dA * ACTIVATIONS[name][1](Z)


class History:
    """What ``Network.fit`` returns, shaped like Keras's ``History``: ``history`` maps "loss",
    "accuracy", "val_loss", "val_accuracy" to one float per epoch; ``epoch`` holds 0, 1, ...;
    ``seconds`` the wall time of each epoch (training and validation)."""

    def __init__(self, keys):
        self.history = {key: [] for key in keys}
        self.epoch = []
        self.seconds = []


class Network:
    """A stack of dense layers, trained with Keras's losses, optimizers and batching.

    Args:
        layer_sizes: [n_in, n_1, ..., n_out], e.g. [784, 512, 10]; positive ints.
        activations: one name per layer after the input, from ``ACTIVATIONS``,
            e.g. ["relu", "softmax"].
        seed: int or None; fixes the initial weights (Glorot-uniform kernels and zero
            biases, Keras's defaults for ``Dense``; Keras's own generator draws other numbers,
            so to follow Keras exactly copy its weights in with ``set_weights``).
        dtype: "float32" (Keras's default) or "float64" (for gradient checks).
    Attributes:
        w, g: every weight and bias in one vector (n_params,), and their gradients.
        params, grads: [(W (n_in, n_out), b (n_out,)), ...] per layer, views into w and g.
    """

    def __init__(self, layer_sizes, activations, seed=None, dtype="float32"):
        if (isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__")
                or len(layer_sizes) < 2):
            raise ValueError(f"layer_sizes must be a list [n_in, ..., n_out] of at least 2 ints; "
                             f"got {layer_sizes!r}.")
        self.layer_sizes = [int_at_least(f"layer_sizes[{i}]", n, 1)
                            for i, n in enumerate(layer_sizes)]
        if (isinstance(activations, str) or not hasattr(activations, "__len__")
                or len(activations) != len(layer_sizes) - 1):
            raise ValueError(f"activations must list one name per layer, {len(layer_sizes) - 1} "
                             f"for layer_sizes {self.layer_sizes}; got {activations!r}.")
        for name in activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {name!r}.")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
        self.activations, self.dtype = list(activations), np.dtype(dtype)
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        n_params = sum(n_in * n_out + n_out for n_in, n_out in shapes)
        self.w, self.g = np.zeros(n_params, self.dtype), np.zeros(n_params, self.dtype)
        self.params, self.grads = [], []
        start = 0
        for n_in, n_out in shapes:
            for flat, layers in ((self.w, self.params), (self.g, self.grads)):
                layers.append((flat[start:start + n_in * n_out].reshape(n_in, n_out),
                               flat[start + n_in * n_out:start + n_in * n_out + n_out]))
            start += n_in * n_out + n_out
        rng = np.random.default_rng(seed)
        for W, _ in self.params:
            limit = np.sqrt(6 / sum(W.shape))
            W[...] = rng.uniform(-limit, limit, size=W.shape)

    def get_weights(self):
        """Copies of [W1 (n_in, n_1), b1 (n_1,), W2 (n_1, n_2), ...]: ``keras.Model.get_weights()``."""
        return [array.copy() for layer in self.params for array in layer]

    def set_weights(self, weights):
        """Overwrite the parameters with ``weights``, e.g. a Keras model's ``get_weights()``.

        Args:
            weights: [W1 (n_in, n_1), b1 (n_1,), W2 (n_1, n_2), b2 (n_2,), ...], real and
                finite in the network's dtype.
        """
        arrays = [array for layer in self.params for array in layer]
        if not isinstance(weights, (list, tuple)) or len(weights) != len(arrays):
            raise ValueError(f"weights must be a list of {len(arrays)} arrays (a kernel and a "
                             f"bias per layer); got {type(weights).__name__} of "
                             f"{len(weights) if hasattr(weights, '__len__') else 'no'} items.")
        checked = []
        for k, (target, source) in enumerate(zip(arrays, weights)):
            source = finite_array(f"weights[{k}]", source, self.dtype)
            if source.shape != target.shape:
                raise ValueError(f"weights[{k}] must be {target.shape}; got {source.shape}. "
                                 "Kernels are (n_in, n_out), Keras's layout.")
            checked.append(source)
        for target, source in zip(arrays, checked):
            target[...] = source

    def _check_inputs(self, X, name="X"):
        """X (m, n_in) as a finite array of the network's dtype, m >= 1."""
        n_in = self.layer_sizes[0]
        X = finite_array(name, X, self.dtype)
        if X.ndim != 2 or X.shape[1] != n_in or len(X) == 0:
            hint = (" Did you pass samples as columns? Use X.T."
                    if X.ndim == 2 and X.shape[0] == n_in else "")
            raise ValueError(f"{name} must be (m, n_in) = (m, {n_in}) with m >= 1; got {X.shape}.{hint}")
        return X

    def _check_data(self, X, Y, loss, names=("X", "Y")):
        """``_check_inputs(X)`` and Y (m, n_out), finite, as ``loss`` needs its targets."""
        self._check_loss(loss)
        X, n_out = self._check_inputs(X, names[0]), self.layer_sizes[-1]
        Y = finite_array(names[1], Y, self.dtype)
        if Y.shape != (len(X), n_out):
            hint = " Reshape labels with y.reshape(-1, 1)." if Y.shape == (len(X),) else ""
            raise ValueError(f"{names[1]} must be (m, n_out) = ({len(X)}, {n_out}) to match "
                             f"{names[0]}; got {Y.shape}.{hint}")
        return X, targets(names[1], Y, loss)

    def _check_loss(self, loss):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {list(LOSSES)}; got {loss!r}.")
        needed = LOSSES[loss].activation
        if needed is not None and self.activations[-1] != needed:
            raise ValueError(f"loss {loss!r} needs a {needed!r} output layer; "
                             f"got {self.activations[-1]!r}.")

    def forward(self, X):
        """Step 1: the forward pass, layer after layer.

        Implements Eq. `eq:dense-keras` (Keras chapter): Z = A_prev W + b, A = f(Z).

        Args:
            X: inputs (m, n_in), a checked array of the network's dtype.
        Returns:
            [(Z1, A1), ..., (ZL, AL)]: each layer's (m, n_l) arrays, what ``backward`` needs.
        """
        A, caches = X, []
        for (W, b), name in zip(self.params, self.activations):
            Z = A @ W
            Z += b
            A = ACTIVATIONS[name][0](Z)
            caches.append((Z, A))
        return caches

    def loss(self, Y, caches, loss):
        """Step 2: the batch's mean loss and, for the cross-entropies, its accuracy.

        Implements Eqs. `eq:cce-batch`, `eq:bce-batch` and `eq:mse-batch` (From scratch to
        Keras chapter). Accuracy is chosen as Keras's ``metrics=["accuracy"]`` chooses it, by
        the output's width: for one output, the share of rows on the right side of 0.5; for
        several, the share of rows whose largest output is the labelled class.

        Args:
            Y: targets (m, n_out); caches: from ``forward``; loss: a key of ``LOSSES``.
        Returns:
            {"loss": float, "accuracy": float}; no "accuracy" for MSE.
        """
        Z, A = caches[-1]
        metrics = {"loss": LOSSES[loss].value(Y, Z, A)}
        if loss == "binary_crossentropy" and A.shape[1] == 1:
            metrics["accuracy"] = float(np.mean((A > 0.5) == (Y > 0.5)))
        elif loss in ("categorical_crossentropy", "binary_crossentropy"):
            metrics["accuracy"] = float(np.mean(A.argmax(axis=1) == Y.argmax(axis=1)))
        return metrics

    def output_delta(self, Y, Z, A, loss):
        """Step 3, at the output layer: Delta^[L] = dL/dZ^[L], (m, n_out).

        Implements Eq. `eq:output-delta` (From scratch to Keras chapter): for the two
        cross-entropies the activation's derivative cancels, leaving (A - Y) / (m c); for
        MSE, dL/dA = 2 (A - Y) / (m n) goes through the activation's derivative.

        Args:
            Y: targets; Z, A: the output layer's (m, n_out) arrays; loss: a key of ``LOSSES``.
        """
        rule = LOSSES[loss]
        if rule.activation is not None:
            return rule.gradient(Y, A)
        return activation_backward(self.activations[-1], rule.gradient(Y, A), Z, A)

    def backward(self, X, Y, caches, loss):
        """Step 3: every layer's gradients, from the output down, written into ``grads``.

        Implements Eq. `eq:dense-backward` (From scratch to Keras chapter), starting from
        ``output_delta``: dW = A_prev^T Delta, db = the column sums of Delta, and
        Delta_prev = (Delta W^T) * f'(Z_prev).

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out); caches: from ``forward(X)``;
            loss: a key of ``LOSSES``.
        """
        delta = self.output_delta(Y, *caches[-1], loss)
        for layer in reversed(range(len(self.params))):
            W, (dW, db) = self.params[layer][0], self.grads[layer]
            A_prev = caches[layer - 1][1] if layer else X
            np.matmul(A_prev.T, delta, out=dW)
            np.sum(delta, axis=0, out=db)
            if layer:
                Z_prev, A_prev = caches[layer - 1]
                delta = activation_backward(self.activations[layer - 1], delta @ W.T, Z_prev, A_prev)

    def predict(self, X, batch_size=4096):
        """Outputs A^[L] (m, n_out) of X (m, n_in), ``batch_size`` rows per ``forward`` call."""
        X = self._check_inputs(X)
        batch_size = int_at_least("batch_size", batch_size, 1)
        return np.concatenate([self.forward(X[start:start + batch_size])[-1][1]
                               for start in range(0, len(X), batch_size)])

    def evaluate(self, X, Y, loss="categorical_crossentropy"):
        """``Network.loss`` on all of X (m, n_in), Y (m, n_out), as ``keras.Model.evaluate``."""
        X, Y = self._check_data(X, Y, loss)
        return self.loss(Y, self.forward(X), loss)

    def gradients(self, X, Y, loss="categorical_crossentropy"):
        """Copies of [dL/dW1, dL/db1, ...] on all of X, Y: ``forward`` and ``backward``, as in ``fit``.

        The layout of ``get_weights()``, and of the gradients a Keras ``GradientTape`` returns.
        """
        X, Y = self._check_data(X, Y, loss)
        self.backward(X, Y, self.forward(X), loss)
        return [array.copy() for layer in self.grads for array in layer]

    def fit(self, X, Y, epochs, batch_size, optimizer="rmsprop", learning_rate=1e-3,
            loss="categorical_crossentropy", validation_data=None, shuffle=True, seed=None):
        """Mini-batch training, one optimizer step per batch, as ``keras.Model.fit`` does.

        Each epoch walks through the rows in batches of ``batch_size`` (the last may be
        smaller), in a fresh random order if ``shuffle`` (``seed`` fixes it). An epoch's loss
        and accuracy are, as in Keras, the sample-weighted means of each batch's values just
        before its step; the validation values are measured after the epoch.

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out), e.g. one-hot rows.
            optimizer: "sgd", "rmsprop" or "adam" with ``learning_rate`` (fresh for this call),
                or an ``optimizers.Optimizer``, whose state carries over between calls.
            loss: a key of ``LOSSES``; validation_data: None or (X_val, Y_val).
        Returns:
            a ``History``.
        """
        X, Y, validation_data, optimizer = self._fit_arguments(
            X, Y, epochs, batch_size, optimizer, learning_rate, loss, validation_data, shuffle)
        keys = ["loss"] if LOSSES[loss].activation is None else ["loss", "accuracy"]
        history = History(keys + (["val_" + key for key in keys] if validation_data else []))
        rng = np.random.default_rng(seed)
        for epoch in range(epochs):
            started = time.perf_counter()
            order = rng.permutation(len(X)) if shuffle else None
            totals = dict.fromkeys(keys, 0.0)
            for start in range(0, len(X), batch_size):
                rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
                xb, yb = X[rows], Y[rows]
                caches = self.forward(xb)                                 # step 1
                for key, value in self.loss(yb, caches, loss).items():   # step 2
                    totals[key] += value * len(xb)
                self.backward(xb, yb, caches, loss)                       # step 3
                optimizer.step(self.w, self.g)                            # step 4
            for key, total in totals.items():
                history.history[key].append(total / len(X))
            if validation_data:
                for key, value in self.evaluate(*validation_data, loss=loss).items():
                    history.history["val_" + key].append(value)
            history.epoch.append(epoch)
            history.seconds.append(time.perf_counter() - started)
        return history

    def _fit_arguments(self, X, Y, epochs, batch_size, optimizer, learning_rate, loss,
                       validation_data, shuffle):
        """``fit``'s arguments checked: (X, Y, validation_data or None, a built Optimizer)."""
        X, Y = self._check_data(X, Y, loss)
        int_at_least("epochs", epochs, 1)
        int_at_least("batch_size", batch_size, 1)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise ValueError(f"shuffle must be True or False; got {shuffle!r}.")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be None or a pair (X_val, Y_val); "
                                 f"got {type(validation_data).__name__}.")
            validation_data = self._check_data(*validation_data, loss, names=("X_val", "Y_val"))
        if not isinstance(optimizer, optimizers.Optimizer):
            optimizer = optimizers.get(optimizer, learning_rate)
        optimizer.build(self.w)
        return X, Y, validation_data, optimizer
