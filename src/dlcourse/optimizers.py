"""Keras's optimizers SGD, RMSprop and Adam, updating a flat parameter vector in place.

``dlcourse.network`` keeps all of a network's weights and biases in ONE vector ``w`` (each W
and b is a view into it) and all gradients in another, ``g``, of the same length. An
optimizer is then a single loop over that vector, and its state (RMSprop's v, Adam's m and
v) is one more vector of the same length, allocated once in ``build``.

The three loops below are the only compiled code of the course's networks, and they are
here for speed alone. Written as NumPy expressions, RMSprop's update takes nine passes over
the 407,050 parameters of the lecture's MNIST network, which on a small CPU cost about as
much as the network's matrix products; numba compiles each loop, which reads like its
equation, into one pass. The arithmetic is Keras's, operation for operation, in the
parameters' dtype (float32 by default), with Keras's defaults.

To try another rule, subclass an optimizer and override its public ``update(w, g)``
(the From scratch to Keras chapter's first exercise does).
"""

import numba
import numpy as np

from dlcourse.checks import fraction, positive


# error_model="numpy": a division by zero gives inf as in NumPy and Keras, instead of a
# per-element check that raises (and that would stop the loop from being vectorized).
#
# ``tiny`` is the dtype's smallest normal number. A running mean that decays below it is set
# to 0: where a gradient stays exactly 0 for a few hundred steps (a dead relu unit, a pixel
# that is 0 in every digit of a batch), v would otherwise sink into subnormal numbers, which
# the processor handles on a slow path (the whole step became 13 times slower). TensorFlow
# runs with subnormals flushed to zero, so Keras's state becomes 0 there too.
@numba.njit(cache=True, error_model="numpy")
def _sgd_step(w, g, lr):
    for i in range(w.size):
        w[i] -= g[i] * lr


@numba.njit(cache=True, error_model="numpy")
def _rmsprop_step(w, g, v, lr, rho, one_minus_rho, epsilon, tiny):
    zero = v.dtype.type(0)
    for i in range(w.size):
        v_i = rho * v[i] + one_minus_rho * (g[i] * g[i])
        v_i = zero if v_i < tiny else v_i  # v >= 0; a NaN stays NaN
        v[i] = v_i
        w[i] -= (lr * g[i]) / np.sqrt(v_i + epsilon)


@numba.njit(cache=True, error_model="numpy")
def _adam_step(w, g, m, v, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, tiny):
    zero = v.dtype.type(0)
    for i in range(w.size):
        m_i = m[i] + (g[i] - m[i]) * one_minus_beta_1
        m_i = zero if abs(m_i) < tiny else m_i
        v_i = v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2
        v_i = zero if v_i < tiny else v_i
        m[i], v[i] = m_i, v_i
        w[i] -= (m_i * alpha) / (np.sqrt(v_i) + epsilon)


class Optimizer:
    """What the three optimizers share: a learning rate, a step counter, shape checks."""

    def __init__(self, learning_rate):
        self.learning_rate = positive("learning_rate", learning_rate)
        self.iterations = 0
        self._size, self._dtype = None, None

    def build(self, w):
        """Allocate the optimizer's state for a parameter vector like ``w`` (n_params,).

        Like a Keras optimizer, an optimizer is built once: building it again for a vector of
        the same size and dtype keeps its state and step count, so passing one instance to
        several ``Network.fit`` calls continues the training where it stopped.
        """
        if not isinstance(w, np.ndarray):
            raise ValueError(f"w must be a 1-D float array (n_params,); got {type(w).__name__}.")
        if w.ndim != 1 or not np.issubdtype(w.dtype, np.floating):
            raise ValueError(f"w must be a 1-D float array (n_params,); got {w.dtype} array of "
                             f"shape {w.shape}.")
        if (self._size, self._dtype) == (w.size, w.dtype):
            return
        self._size, self._dtype = w.size, w.dtype
        self.iterations = 0
        self._tiny = np.finfo(w.dtype).tiny
        self._allocate(w)

    _state_names = ()  # the state vectors' attribute names: RMSprop's v, Adam's m and v

    def _allocate(self, w):
        """Create the state vectors, zeros shaped like ``w`` (none for plain SGD)."""
        for name in self._state_names:
            setattr(self, name, np.zeros_like(w))

    def state_copy(self):
        """Copies of the state vectors (RMSprop's v, Adam's m and v; none for SGD), a dict."""
        return {name: getattr(self, name).copy() for name in self._state_names}

    def step(self, w, g):
        """Update ``w`` in place, given the gradient ``g``; both (n_params,), same dtype."""
        if self._size is None:
            raise ValueError("call build(w) before step(w, g): the optimizer has no state yet.")
        for name, array in (("w", w), ("g", g)):
            if array.shape != (self._size,) or array.dtype != self._dtype:
                raise ValueError(f"{name} must be a ({self._size},) {self._dtype} vector, as "
                                 f"passed to build; got {array.dtype} {array.shape}.")
        self.iterations += 1
        self.update(w, g)

    def cast(self, value):
        """``value`` (a hyperparameter) in the parameters' dtype, where Keras keeps it."""
        return self._dtype.type(value)

    def update(self, w, g):
        """The update rule: change ``w`` in place, given ``g``; both (n_params,), checked.

        Override it to try another rule. ``step`` calls it after its checks, with
        ``iterations`` already counting this step; the state vectors (RMSprop's ``v``, Adam's
        ``m`` and ``v``) are attributes. Hyperparameters are read at every step, so a changed
        learning rate takes effect; ``cast`` puts them in the parameters' dtype.
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent, Keras's ``SGD()`` (no momentum).

    Implements Eq. `eq:sgd` (Training with Keras chapter): w <- w - lr g, the lecture's
    delta rule applied to every parameter.

    Args:
        learning_rate: lr, a positive float (Keras's default 0.01).
    """

    def __init__(self, learning_rate=0.01):
        super().__init__(learning_rate)

    def update(self, w, g):
        _sgd_step(w, g, self.cast(self.learning_rate))


class RMSprop(Optimizer):
    """Keras's ``RMSprop()``: a running mean of squared gradients scales every step.

    Implements Eq. `eq:rmsprop` (Training with Keras chapter):
    v <- rho v + (1 - rho) g^2,   w <- w - lr g / sqrt(v + epsilon),
    with v starting at 0 and epsilon INSIDE the square root, as in
    ``keras/src/optimizers/rmsprop.py`` (not centered, no momentum).

    Args:
        learning_rate: lr (Keras's default 0.001).
        rho: decay of the running mean, in [0, 1) (default 0.9).
        epsilon: keeps the root away from 0 (default 1e-7).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = fraction("rho", rho)
        self.epsilon = positive("epsilon", epsilon)

    _state_names = ("v",)

    def update(self, w, g):
        cast = self.cast
        _rmsprop_step(w, g, self.v, cast(self.learning_rate), cast(self.rho), cast(1 - self.rho),
                      cast(self.epsilon), self._tiny)


class Adam(Optimizer):
    """Keras's ``Adam()``: running means of the gradient and of its square, bias-corrected.

    Implements Eq. `eq:adam` (Training with Keras chapter), in Keras's form
    (``keras/src/optimizers/adam.py``): at step t,
    alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t),
    m <- m + (1 - beta_1)(g - m),   v <- v + (1 - beta_2)(g^2 - v),
    w <- w - alpha m / (sqrt(v) + epsilon).
    The bias correction sits in alpha, and epsilon is OUTSIDE the root (unlike RMSprop).

    Args:
        learning_rate: lr (Keras's default 0.001).
        beta_1, beta_2: decays of the two running means, in [0, 1) (defaults 0.9, 0.999).
        epsilon: keeps the denominator away from 0 (default 1e-7).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = fraction("beta_1", beta_1)
        self.beta_2 = fraction("beta_2", beta_2)
        self.epsilon = positive("epsilon", epsilon)

    _state_names = ("m", "v")

    def update(self, w, g):
        # Keras evaluates alpha in the variables' dtype; so do we, to follow it in float32.
        cast = self.cast
        t, one = cast(self.iterations), cast(1)
        alpha = (cast(self.learning_rate) * np.sqrt(one - cast(self.beta_2) ** t)
                 / (one - cast(self.beta_1) ** t))
        _adam_step(w, g, self.m, self.v, cast(alpha), cast(1 - self.beta_1), cast(1 - self.beta_2),
                   cast(self.epsilon), self._tiny)


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(name, learning_rate):
    """The optimizer called ``name`` ("sgd", "rmsprop" or "adam") with this learning rate.

    Args:
        name: one of ``OPTIMIZERS``.
        learning_rate: positive float.
    Returns:
        an unbuilt ``Optimizer``; call ``build(w)`` with the parameter vector first.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got {name!r}.")
    return OPTIMIZERS[name](learning_rate)
