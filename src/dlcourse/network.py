"""A general dense network in NumPy that follows a Keras ``Sequential`` step for step.

Layout: samples are ROWS, as in Keras: X is (m, n_in), Y is (m, n_out) and a layer's
kernel W is (n_in, n_out), so a layer computes Z = A_prev W + b. The scratch network
(``dlcourse.scratch``) keeps the lecture's columns: its W1 is this W transposed.

All weights and biases live in one contiguous vector ``self._w`` (each W and b is a view
into it) and all their gradients in another, ``self._g``. An optimizer then updates the
whole network in one pass (``dlcourse.optimizers``). ``fit`` allocates its buffers and the
optimizer's state once; a training step allocates nothing of the parameters' size.
"""

import functools
import numbers
import time

import numba
import numpy as np

from dlcourse import blas_pool, optimizers
from dlcourse.activations import linear, linear_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from dlcourse.losses import (_crossentropy_of_logits_sum, binary_crossentropy_from_logits,
                             categorical_crossentropy_from_logits,
                             mean_squared_error, mean_squared_error_prime,
                             sigmoid_crossentropy_delta, softmax_crossentropy_delta)


ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh")

# name -> (f, f') of the activations computed with ``dlcourse.activations``. Relu and softmax,
# those of the lecture's MNIST network, have compiled kernels below that agree with
# ``activations.relu`` and ``activations.softmax`` to rounding (tests/test_network.py).
_ELEMENTWISE = {
    "tanh": (tanh, tanh_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "linear": (linear, linear_prime),
}

# loss -> (the output activation that makes dL/dZ = (A - Y)/size, loss of the logits, that dL/dZ).
# Keras, too, computes these two cross-entropies from the logits when the output layer is
# the matching softmax or sigmoid.
_CROSS_ENTROPIES = {
    "categorical_crossentropy": ("softmax", categorical_crossentropy_from_logits,
                                 softmax_crossentropy_delta),
    "binary_crossentropy": ("sigmoid", binary_crossentropy_from_logits, sigmoid_crossentropy_delta),
}
LOSSES = ("categorical_crossentropy", "binary_crossentropy", "mse", "mean_squared_error")
DTYPES = ("float32", "float64")


def _int_at_least(name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value!r}.")
    return int(value)


# The per-batch elementwise work of the two activations the lecture's MNIST network uses,
# compiled by numba: each is one pass over a (batch, units) array in cache, where the NumPy
# expressions took three to five passes and allocated temporaries (about 0.11 s of an
# epoch on 60,000 MNIST rows, down to about 0.05 s; bench/bench_network.py).
@numba.njit(cache=True)
def _add_bias_relu(Z, b):
    """Z = relu(Z + b) on every row, in place: a relu layer's A is its Z buffer; Z (m, n), b (n,).

    Implements Eq. `eq:dense-keras` (Keras chapter) for a relu layer: Z = A_prev W + b,
    A = relu(Z) (Eq. `eq:relu`, Building blocks chapter). Nothing downstream needs Z itself
    (relu' comes from A, see ``_relu_backward``), so one buffer serves both, which halves
    the memory this pass touches. A NaN stays NaN, as in ``np.maximum``, so a diverging
    training run shows in its loss.
    """
    zero = Z.dtype.type(0)
    for i in range(Z.shape[0]):
        row = Z[i]
        for j in range(row.size):
            z = row[j] + b[j]
            row[j] = zero if z <= zero else z


@numba.njit(cache=True)
def _add_bias_softmax(Z, b, A):
    """Z += b on every row, then A = softmax of each row of Z; Z, A (m, n), b (n,), in place.

    Implements Eq. `eq:dense-keras` (Keras chapter) for a softmax layer, with
    Eq. `eq:softmax` (Training with Keras chapter) computed as ``activations.softmax`` does:
    exp(z - max z) / sum exp(z - max z), which never overflows.
    """
    for i in range(Z.shape[0]):
        largest = Z[i, 0] + b[0]
        for j in range(Z.shape[1]):
            Z[i, j] += b[j]
            largest = max(largest, Z[i, j])
        total = Z.dtype.type(0)
        for j in range(Z.shape[1]):
            A[i, j] = np.exp(Z[i, j] - largest)
            total += A[i, j]
        for j in range(Z.shape[1]):
            A[i, j] /= total


@numba.njit(cache=True)
def _relu_backward(dZ, A):
    """dZ = dA * relu'(Z) in place: zero where A = relu(Z) is 0; dZ, A (m, n).

    Implements the last factor of Eq. `eq:dense-backward` (From scratch to Keras chapter)
    for relu. A > 0 exactly where Z > 0, so the mask comes from A; at Z = 0 the derivative
    is taken as 0, as TensorFlow's ReluGrad takes it. (A select rather than a branch, so
    that LLVM vectorizes the loop.)
    """
    zero = dZ.dtype.type(0)
    for i in range(dZ.shape[0]):
        for j in range(dZ.shape[1]):
            dZ[i, j] = dZ[i, j] if A[i, j] > zero else zero


@numba.njit(cache=True)
def _count_same_argmax(Y, A):
    """How many rows of A (m, n) have their largest entry where Y (m, n) has its own; an int.

    The numerator of Keras's categorical accuracy (first index wins a tie, as in NumPy).
    """
    count = 0
    for i in range(A.shape[0]):
        if np.argmax(A[i]) == np.argmax(Y[i]):
            count += 1
    return count


@numba.njit(cache=True)
def _column_sums(dZ, db):
    """db = the sum of the rows of dZ (m, n), written into db (n,).

    Implements db = sum over the batch of dZ, Eq. `eq:dense-backward` (From scratch to Keras
    chapter). Row after row, in dZ's dtype, as ``np.sum(dZ, axis=0)`` adds them, but in one
    pass without NumPy's per-call set-up, which costs more than the sums on a batch.
    """
    db[:] = 0
    for i in range(dZ.shape[0]):
        for j in range(dZ.shape[1]):
            db[j] += dZ[i, j]


@numba.njit(cache=True)
def _softmax_crossentropy_step(Z, b, Y, A, dZ, db):
    """The softmax output layer of a training step, from Z = A_prev W to dL/dZ, in one call.

    Z += b, A = softmax(Z) (``_add_bias_softmax``); the batch's summed cross-entropy of the
    logits (``losses._crossentropy_of_logits_sum``) and count of right answers
    (``_count_same_argmax``); dZ = (A - Y) / m, Eq. `eq:output-delta` (From scratch to Keras
    chapter), as ``losses.softmax_crossentropy_delta`` computes it; db = the column sums of dZ.
    TensorFlow fuses the same pair (``SoftmaxCrossEntropyWithLogits``).

    Args:
        Z, A, dZ: (m, n_out); Z holds A_prev W on entry. b, db: (n_out,). Y: (m, n_out) labels.
    Returns:
        (sum over the rows of the loss, a float; the number of rows classified right, an int).
    """
    _add_bias_softmax(Z, b, A)
    loss_sum = _crossentropy_of_logits_sum(Y, Z)
    right = _count_same_argmax(Y, A)
    scale = Z.dtype.type(1 / Z.shape[0])
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            dZ[i, j] = (A[i, j] - Y[i, j]) * scale
    _column_sums(dZ, db)
    return loss_sum, right


@numba.njit(cache=True)
def _copy_rows(X, Y, rows, X_out, Y_out):
    """X_out[r] = X[rows[r]] and Y_out[r] = Y[rows[r]] for every r: (part of) a shuffled batch.

    X (m, n_in), Y (m, n_out), rows (k,) ints, X_out (k, n_in), Y_out (k, n_out). What two
    ``np.take(..., axis=0, out=...)`` calls do, in one pass.
    """
    for r in range(rows.size):
        source, target = X[rows[r]], X_out[r]
        for j in range(source.size):
            target[j] = source[j]
        source, target = Y[rows[r]], Y_out[r]
        for j in range(source.size):
            target[j] = source[j]


@functools.cache
def _pooled_copy_rows(dtype):
    """``_copy_rows`` as a ``blas_pool`` cfunc, for arrays of ``dtype`` (a NumPy scalar type).

    Block (see ``_RowGather``): X, Y, order (int64), X_batch, Y_batch; scalars m, n_in, n_out
    and the batch's first position in ``order``.
    """
    start, vector, matrix = blas_pool.chunk_start, blas_pool.array_slice, blas_pool.matrix_rows
    scalar = blas_pool.scalar

    def chunk(k, n, unused, alpha, a, lda, b, ldb, c, ldc, sb):
        s = start(a, c)
        m, n_in, n_out, first = (int(scalar(c, 0)), int(scalar(c, 1)), int(scalar(c, 2)),
                                 int(scalar(c, 3)))
        _copy_rows(matrix(c, 0, 0, m, n_in, dtype), matrix(c, 1, 0, m, n_out, dtype),
                   vector(c, 2, first + s, k, np.int64), matrix(c, 3, s, k, n_in, dtype),
                   matrix(c, 4, s, k, n_out, dtype))
        return 0
    return numba.cfunc(blas_pool.SIGNATURE)(chunk)


class _RowGather:
    """Copies the rows of each shuffled batch of X and Y into fixed buffers, for ``fit``.

    ``_copy_rows``, with its rows split over OpenBLAS's threads when ``blas_pool`` can: a
    gather of scattered rows waits on memory more than it computes, and two cores cut its time
    by about a third (bench/bench_network.py measures it alone).

    Args:
        X (m, n_in), Y (m, n_out): the training data; X_batch (k, n_in), Y_batch (k, n_out):
        the buffers a batch of at most k rows is copied into.
    """

    def __init__(self, X, Y, X_batch, Y_batch):
        self.X, self.Y, self.X_batch, self.Y_batch = X, Y, X_batch, Y_batch
        self.order, self.block = None, None
        arrays = (X, Y, X_batch, Y_batch)
        if blas_pool.poolable(arrays) and len({x.dtype for x in arrays}) == 1:
            placeholder = np.zeros(1, np.int64)  # until ``shuffle`` gives the order
            self.block = blas_pool.Block((X, Y, placeholder, X_batch, Y_batch), 4, len(X_batch))
            self.block.scalars[:3] = X.shape + Y.shape[1:]
        self.min_rows = blas_pool.MIN_SIZE // X.shape[1]

    def shuffle(self, order):
        """Read the rows in ``order`` (a permutation of range(m), int64) from now on."""
        self.order = np.ascontiguousarray(order, dtype=np.int64)
        if self.block is not None:
            self.block.set_array(2, self.order)

    def __call__(self, start, rows):
        """Copy rows order[start:start + rows] into the buffers' first ``rows`` rows."""
        if not 0 <= start <= start + rows <= len(self.order) or rows > len(self.X_batch):
            raise IndexError(f"rows [{start}, {start + rows}) of an order of {len(self.order)} "
                             f"into buffers of {len(self.X_batch)} rows")
        block = self.block
        if block is not None:
            block.size, block.scalars[3] = rows, start
            if blas_pool.run(lambda: _pooled_copy_rows(self.X.dtype.type), block, self.min_rows):
                return
        _copy_rows(self.X, self.Y, self.order[start:start + rows], self.X_batch[:rows],
                   self.Y_batch[:rows])


# reassoc lets LLVM vectorize the sum; it cannot turn x - x into 0, which needs "nnan".
@numba.njit(cache=True, fastmath={"reassoc"})
def _nonfinite_sum(X):
    """The sum of x - x over every entry of X (m, n): 0 if all are finite, else NaN.

    One pass over X without a temporary, where ``np.isfinite(X).all()`` writes a bool array
    the size of X and min() plus max() read X twice.
    """
    total = X.dtype.type(0)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total += X[i, j] - X[i, j]
    return total


def _add_bias_activate(name, Z, b, A):
    """Z += b on every row, then A = f(Z) for the activation ``name``; Z, A (m, n), b (n,).

    Implements Eq. `eq:dense-keras` (Keras chapter), after the product A_prev W.
    """
    if name == "relu":
        _add_bias_relu(Z, b)  # A is Z: every caller's buffers come from _layer_buffers
    elif name == "softmax":
        _add_bias_softmax(Z, b, A)
    else:
        np.add(Z, b, out=Z)
        A[...] = _ELEMENTWISE[name][0](Z)


def _activation_backward(name, Z, A, dZ):
    """dL/dZ from dL/dA through the activation ``name``, in place in ``dZ``; all (m, n).

    Implements Eq. `eq:dense-backward` (From scratch to Keras chapter), its last factor:
    elementwise dA * f'(Z), or for softmax the Jacobian product A * (dA - sum_k dA_k A_k).
    ``dZ`` holds dL/dA on entry.
    """
    if name == "relu":
        _relu_backward(dZ, A)
    elif name == "softmax":
        weighted = np.sum(dZ * A, axis=1, keepdims=True)
        np.subtract(dZ, weighted, out=dZ)
        np.multiply(dZ, A, out=dZ)
    else:
        np.multiply(dZ, _ELEMENTWISE[name][1](Z), out=dZ)


def _not_finite(name, X):
    """The ValueError for NaN or inf in X (m, n), naming its first bad row."""
    row = int(np.argmax(~np.isfinite(X).all(axis=1)))
    return ValueError(f"{name} must be finite; got NaN or inf entries (first in row {row}).")


def _first_rows(Zs, As, dZs, rows):
    """The per-layer buffers cut to their first ``rows`` rows, for a last, smaller batch.

    A buffer shared by Z and A (a relu layer, ``Network._layer_buffers``) stays shared.
    """
    Z_rows = [Z[:rows] for Z in Zs]
    A_rows = [Z_row if A is Z else A[:rows] for Z, Z_row, A in zip(Zs, Z_rows, As)]
    return Z_rows, A_rows, [dZ[:rows] for dZ in dZs]


class History:
    """What ``Network.fit`` returns, shaped like Keras's ``History``.

    Attributes:
        history: dict from metric name ("loss", "accuracy", "val_loss", "val_accuracy")
            to a list with one float per epoch.
        epoch: the epoch indices 0, 1, ...
        seconds: wall time of each epoch (training and validation), a list of floats.
    """

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
    """

    def __init__(self, layer_sizes, activations, seed=None, dtype="float32"):
        if (isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__")
                or len(layer_sizes) < 2):
            raise ValueError(f"layer_sizes must be a list [n_in, ..., n_out] of at least 2 ints; "
                             f"got {layer_sizes!r}.")
        self.layer_sizes = [_int_at_least(f"layer_sizes[{i}]", n, 1)
                            for i, n in enumerate(layer_sizes)]
        if isinstance(activations, str) or len(activations) != len(layer_sizes) - 1:
            raise ValueError(f"activations must list one name per layer, {len(layer_sizes) - 1} "
                             f"for layer_sizes {self.layer_sizes}; got {activations!r}.")
        for name in activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {list(ACTIVATIONS)}; got {name!r}.")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
        self.activations = list(activations)
        self.dtype = np.dtype(dtype)
        self.shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        n_params = sum(n_in * n_out + n_out for n_in, n_out in self.shapes)
        self._w = np.zeros(n_params, self.dtype)
        self._g = np.zeros(n_params, self.dtype)
        self.params = self._layer_views(self._w)
        self.grads = self._layer_views(self._g)
        rng = np.random.default_rng(seed)
        for (n_in, n_out), (W, _) in zip(self.shapes, self.params):
            limit = np.sqrt(6 / (n_in + n_out))
            W[...] = rng.uniform(-limit, limit, size=W.shape)

    def _layer_views(self, flat):
        """[(W (n_in, n_out), b (n_out,)), ...] as views into the flat vector ``flat``."""
        views, start = [], 0
        for n_in, n_out in self.shapes:
            W = flat[start:start + n_in * n_out].reshape(n_in, n_out)
            start += n_in * n_out
            views.append((W, flat[start:start + n_out]))
            start += n_out
        return views

    def get_weights(self):
        """Copies of the parameters in Keras's order and layout.

        Returns:
            [W1 (n_in, n_1), b1 (n_1,), W2 (n_1, n_2), b2 (n_2,), ...]: what
            ``keras.Model.get_weights()`` returns for the same Dense layers.
        """
        return [array.copy() for layer in self.params for array in layer]

    def set_weights(self, weights):
        """Overwrite the parameters with ``weights``, e.g. a Keras model's ``get_weights()``.

        Args:
            weights: [W1 (n_in, n_1), b1 (n_1,), W2 (n_1, n_2), b2 (n_2,), ...].
        """
        targets = [array for layer in self.params for array in layer]
        if len(weights) != len(targets):
            raise ValueError(f"weights must hold {len(targets)} arrays (a kernel and a bias per "
                             f"layer); got {len(weights)}.")
        for k, (target, source) in enumerate(zip(targets, weights)):
            source = np.asarray(source)
            if source.shape != target.shape:
                raise ValueError(f"weights[{k}] must be {target.shape}; got {source.shape}. "
                                 "Kernels are (n_in, n_out), Keras's layout.")
            if not np.isfinite(source).all():
                raise ValueError(f"weights[{k}] must be finite; got NaN or inf.")
        for target, source in zip(targets, weights):
            target[...] = source

    def _check_data(self, X, Y=None, names=("X", "Y")):
        """X (m, n_in) and Y (m, n_out) as finite arrays of the network's dtype."""
        n_in, n_out = self.layer_sizes[0], self.layer_sizes[-1]
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != n_in:
            hint = (" Did you pass samples as columns? Use X.T."
                    if X.ndim == 2 and X.shape[0] == n_in else "")
            raise ValueError(f"{names[0]} must be (m, n_in) = (m, {n_in}); got {X.shape}.{hint}")
        if X.size and _nonfinite_sum(X) != 0:
            raise _not_finite(names[0], X)
        if Y is None:
            return X
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.shape != (len(X), n_out):
            hint = " Reshape labels with y.reshape(-1, 1)." if Y.shape == (len(X),) else ""
            raise ValueError(f"{names[1]} must be (m, n_out) = ({len(X)}, {n_out}) to match "
                             f"{names[0]}; got {Y.shape}.{hint}")
        if Y.size and _nonfinite_sum(Y) != 0:
            raise _not_finite(names[1], Y)
        return X, Y

    def _forward(self, X, Zs, As, activate_output=True):
        """Forward pass, writing each layer's Z and A into the matching buffers of ``Zs``, ``As``.

        Implements Eq. `eq:dense-keras` (Keras chapter) layer by layer: Z = A_prev W + b,
        A = f(Z).

        Args:
            X: inputs (m, n_in).
            Zs, As: one array (m, n_l) each per layer, overwritten with Z^[l] and A^[l]; a
                relu layer has one buffer for both (``_layer_buffers``), which ends up
                holding A^[l] = relu(Z^[l]).
            activate_output: if False, stop at the output layer's product A_prev W, leaving
                its bias, activation and ``As[-1]`` to a fused kernel of the training step.
        """
        A = X
        last = len(self.params) - 1
        for layer, ((W, b), name, Z, A_next) in enumerate(zip(self.params, self.activations, Zs, As)):
            np.matmul(A, W, out=Z)
            if layer < last or activate_output:
                _add_bias_activate(name, Z, b, A_next)
            A = A_next

    def _output_delta(self, Y, Zs, As, dZs, loss):
        """dL/dZ of the output layer into ``dZs[-1]``, and its bias gradient.

        Implements Eq. `eq:output-delta` (From scratch to Keras chapter) for the two
        cross-entropies (whose output activation cancels), and dL/dA * f'(Z) for MSE.

        Args:
            Y: targets (m, n_out); Zs, As: per layer (m, n_l), from ``_forward``;
            dZs: per layer (m, n_l) buffers; loss: a name from ``LOSSES``.
        """
        if loss in _CROSS_ENTROPIES:
            _CROSS_ENTROPIES[loss][2](Y, As[-1], out=dZs[-1])
        else:
            mean_squared_error_prime(Y, As[-1], out=dZs[-1])
            _activation_backward(self.activations[-1], Zs[-1], As[-1], dZs[-1])
        _column_sums(dZs[-1], self.grads[-1][1])

    def _backward_layers(self, X, Zs, As, dZs):
        """From the output layer's dL/dZ down: every dW, and dZ and db of the hidden layers.

        Implements Eq. `eq:dense-backward` (From scratch to Keras chapter): dW = A_prev^T dZ,
        dZ_prev = (dZ W^T) * f'(Z_prev), db_prev = sum over rows of dZ_prev.

        Args:
            X: inputs (m, n_in); Zs, As: per layer (m, n_l), from ``_forward``.
            dZs: per layer (m, n_l); ``dZs[-1]`` holds the output layer's dL/dZ (and its db
                is computed), the others are overwritten.
        """
        for layer in range(len(self.params) - 1, -1, -1):
            W, dW = self.params[layer][0], self.grads[layer][0]
            A_prev = As[layer - 1] if layer else X
            np.matmul(A_prev.T, dZs[layer], out=dW)
            if layer:
                # dZs[layer - 1] first holds dL/dA_prev, then dL/dZ_prev, computed in place.
                np.matmul(dZs[layer], W.T, out=dZs[layer - 1])
                _activation_backward(self.activations[layer - 1], Zs[layer - 1], As[layer - 1],
                                     dZs[layer - 1])
                _column_sums(dZs[layer - 1], self.grads[layer - 1][1])

    def _train_step(self, X, Y, Zs, As, dZs, loss):
        """Forward and backward on one batch; returns the batch's summed loss and metric.

        The gradients land in ``self.grads`` (the optimizer's step is the caller's). For
        softmax + categorical cross-entropy the output layer is one fused kernel
        (``_softmax_crossentropy_step``), as in TensorFlow; the other losses take
        ``_metrics`` and ``_output_delta``, equal in value.

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out); Zs, As, dZs: per layer (m, n_l).
            loss: a name from ``LOSSES``.
        Returns:
            {"loss": m times the batch's mean loss, "accuracy": the number right} (no
            accuracy for MSE): sums, so that an epoch's totals divided by its rows are
            the sample-weighted means Keras reports.
        """
        if loss == "categorical_crossentropy":
            self._forward(X, Zs, As, activate_output=False)
            loss_sum, right = _softmax_crossentropy_step(Zs[-1], self.params[-1][1], Y, As[-1],
                                                         dZs[-1], self.grads[-1][1])
            sums = {"loss": loss_sum, "accuracy": right}
        else:
            self._forward(X, Zs, As)
            sums = {key: len(X) * value
                    for key, value in self._metrics(Y, Zs[-1], As[-1], loss).items()}
            self._output_delta(Y, Zs, As, dZs, loss)
        self._backward_layers(X, Zs, As, dZs)
        return sums

    def _buffers(self, m):
        """One uninitialized array (m, n_l) per layer, in the network's dtype."""
        return [np.empty((m, n), self.dtype) for n in self.layer_sizes[1:]]

    def _layer_buffers(self, m):
        """(Zs, As) for a batch of m rows: a relu layer's A is its Z (``_add_bias_relu``)."""
        Zs = self._buffers(m)
        As = [Z if name == "relu" else np.empty_like(Z) for Z, name in zip(Zs, self.activations)]
        return Zs, As

    def _check_loss(self, loss):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {list(LOSSES)}; got {loss!r}.")
        if loss in _CROSS_ENTROPIES and self.activations[-1] != _CROSS_ENTROPIES[loss][0]:
            raise ValueError(f"loss {loss!r} needs a {_CROSS_ENTROPIES[loss][0]!r} output layer; "
                             f"got {self.activations[-1]!r}.")

    def _metrics(self, Y, Z, A, loss):
        """{"loss": float, "accuracy": float} of a batch (no accuracy for MSE); Y, Z, A (m, n_out).

        Accuracy is chosen as Keras's ``metrics=["accuracy"]`` chooses it, by the output's
        width: for one output, the share of rows on the right side of 0.5; for several, the
        share of rows whose largest output is the labelled class.
        """
        if loss not in _CROSS_ENTROPIES:
            return {"loss": mean_squared_error(Y, A)}
        if A.shape[1] == 1:
            accuracy = np.mean((A > 0.5) == (Y > 0.5))
        else:
            accuracy = _count_same_argmax(Y, A) / len(A)
        return {"loss": _CROSS_ENTROPIES[loss][1](Y, Z), "accuracy": float(accuracy)}

    def predict(self, X, batch_size=4096):
        """The network's outputs A^[L] for every row of X.

        Args:
            X: inputs (m, n_in).
            batch_size: rows per forward pass (only memory depends on it).
        Returns:
            A^[L], (m, n_out), in the network's dtype.
        """
        X = self._check_data(X)
        batch_size = _int_at_least("batch_size", batch_size, 1)
        out = np.empty((len(X), self.layer_sizes[-1]), self.dtype)
        for start in range(0, len(X), batch_size):
            rows = X[start:start + batch_size]
            Zs, As = self._layer_buffers(len(rows))
            self._forward(rows, Zs, As)
            out[start:start + len(rows)] = As[-1]
        return out

    def evaluate(self, X, Y, loss="categorical_crossentropy"):
        """Loss (and accuracy, for the cross-entropies) on the whole of X, Y.

        Like ``keras.Model.evaluate(..., return_dict=True)`` of a model compiled with
        ``metrics=["accuracy"]`` (see ``_metrics`` for which accuracy).

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out).
            loss: a name from ``LOSSES``.
        Returns:
            dict {"loss": float, "accuracy": float}; no "accuracy" for MSE.
        """
        self._check_loss(loss)
        X, Y = self._check_data(X, Y)
        Zs, As = self._layer_buffers(len(X))
        self._forward(X, Zs, As)
        return self._metrics(Y, Zs[-1], As[-1], loss)

    def gradients(self, X, Y, loss="categorical_crossentropy"):
        """Gradients of the mean loss over all of X, Y: what one training step would use.

        Implements Eqs. `eq:output-delta` and `eq:dense-backward` (From scratch to Keras chapter).

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out).
            loss: a name from ``LOSSES``.
        Returns:
            [dL/dW1 (n_in, n_1), dL/db1 (n_1,), dL/dW2 (n_1, n_2), ...]: the layout of
            ``get_weights()``, and of the gradients a Keras ``GradientTape`` returns.
        """
        self._check_loss(loss)
        X, Y = self._check_data(X, Y)
        (Zs, As), dZs = self._layer_buffers(len(X)), self._buffers(len(X))
        self._train_step(X, Y, Zs, As, dZs, loss)  # the very code path of fit
        return [array.copy() for layer in self.grads for array in layer]

    def fit(self, X, Y, epochs, batch_size, optimizer="rmsprop", learning_rate=1e-3,
            loss="categorical_crossentropy", validation_data=None, shuffle=True, seed=None):
        """Mini-batch training, one optimizer step per batch, as ``keras.Model.fit`` does.

        Each epoch walks through the rows in batches of ``batch_size`` (the last one may be
        smaller), in a fresh random order if ``shuffle``. The loss and accuracy recorded
        for an epoch are, as in Keras, the sample-weighted means of the values on each batch
        just before its step; the validation values are measured after the epoch.

        Args:
            X: inputs (m, n_in); Y: targets (m, n_out), e.g. one-hot rows.
            epochs, batch_size: positive ints.
            optimizer: "sgd", "rmsprop" or "adam" (Keras's update rules and defaults; a fresh
                optimizer for this call), or a ``dlcourse.optimizers.Optimizer`` instance
                (``learning_rate`` is then unused; its state carries over to later calls, as
                a compiled Keras model's does).
            learning_rate: positive float.
            loss: "categorical_crossentropy" (softmax output), "binary_crossentropy"
                (sigmoid output) or "mse".
            validation_data: None or (X_val (m_val, n_in), Y_val (m_val, n_out)).
            shuffle: reshuffle the rows every epoch.
            seed: int or None; fixes the shuffling.
        Returns:
            a ``History``.
        """
        self._check_loss(loss)
        X, Y = self._check_data(X, Y)
        epochs = _int_at_least("epochs", epochs, 1)
        batch_size = _int_at_least("batch_size", batch_size, 1)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be None or a pair (X_val, Y_val); "
                                 f"got {type(validation_data).__name__}.")
            validation_data = self._check_data(*validation_data, names=("X_val", "Y_val"))
        if not isinstance(optimizer, optimizers.Optimizer):
            optimizer = optimizers.get(optimizer, learning_rate)
        optimizer.build(self._w)

        keys = ["loss", "accuracy"] if loss in _CROSS_ENTROPIES else ["loss"]
        validation_keys = ["val_" + key for key in keys] if validation_data is not None else []
        history = History(keys + validation_keys)
        m, size = len(X), min(batch_size, len(X))
        # The per-batch buffers, allocated once: the last (smaller) batch uses their first rows.
        (Zs, As), dZs = self._layer_buffers(size), self._buffers(size)
        X_batch = np.empty((size, X.shape[1]), self.dtype)
        Y_batch = np.empty((size, Y.shape[1]), self.dtype)
        gather = _RowGather(X, Y, X_batch, Y_batch) if shuffle else None
        rng = np.random.default_rng(seed)
        for epoch in range(epochs):
            started = time.perf_counter()
            if shuffle:
                gather.shuffle(rng.permutation(m))
            totals = dict.fromkeys(keys, 0.0)
            for start in range(0, m, batch_size):
                rows = min(batch_size, m - start)
                buffers = (Zs, As, dZs) if rows == size else _first_rows(Zs, As, dZs, rows)
                if shuffle:
                    gather(start, rows)
                    xb, yb = (X_batch, Y_batch) if rows == size else (X_batch[:rows], Y_batch[:rows])
                else:
                    xb, yb = X[start:start + rows], Y[start:start + rows]
                for key, value in self._train_step(xb, yb, *buffers, loss).items():
                    totals[key] += value
                optimizer.step(self._w, self._g)
            for key, total in totals.items():
                history.history[key].append(total / m)
            if validation_data is not None:
                for key, value in self.evaluate(*validation_data, loss=loss).items():
                    history.history["val_" + key].append(value)
            history.epoch.append(epoch)
            history.seconds.append(time.perf_counter() - started)
        return history
