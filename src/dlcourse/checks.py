"""Argument checks shared by the library: bad input is refused with a ValueError naming it.

NumPy converts almost anything to a float array: ``"3"`` becomes 3.0, ``1 + 2j`` loses its
imaginary part (with only a warning), a float64 1e39 becomes inf in float32. These helpers
accept real numbers only (bool, integer and floating dtypes), check finiteness AFTER the cast to
the dtype the computation uses, and raise ``ValueError`` whose message starts with the
argument's name, says what was expected and what came.
"""

from __future__ import annotations

import numbers

import numpy as np


def _is_real_scalar(value) -> bool:
    return (isinstance(value, (numbers.Real, np.floating, np.integer))
            and not isinstance(value, (bool, np.bool_)))


def real_array(name: str, value, dtype=None) -> np.ndarray:
    """``value`` as an array of real numbers (cast to ``dtype`` if given; overflow gives inf).

    Raises:
        ValueError: complex numbers, text, None or objects, or ragged nested lists.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested lists
        raise ValueError(f"{name} must be an array of real numbers; got a ragged "
                         f"{type(value).__name__}") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {array.dtype}")
    if dtype is None:
        return array
    with np.errstate(over="ignore"):  # 1e39 -> inf in float32: caught by finite_array
        return array.astype(dtype, copy=False)


def finite_array(name: str, value, dtype=np.float64) -> np.ndarray:
    """``value`` as a ``dtype`` array of real numbers, finite in that dtype.

    Raises:
        ValueError: not real (see :func:`real_array`), or NaN or inf entries once cast.
    """
    array = real_array(name, value, dtype)
    # A sum is finite when every entry is: one pass, no temporary the size of the data (a fit
    # on MNIST checks 47 million numbers). Only a sum that is not (a NaN, an inf, or finite
    # entries whose sum overflows) sends the check entry by entry.
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    if not np.isfinite(total) and not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite in {np.dtype(dtype).name}; got NaN or inf entries "
                         f"({(~np.isfinite(array)).sum()} of {array.size})")
    return array


def int_at_least(name: str, value, minimum: int) -> int:
    """``value`` as an int of at least ``minimum`` (a bool or a float is not a count).

    Raises:
        ValueError: not an int, or below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def positive(name: str, value) -> float:
    """``value`` as a float, positive and finite.

    Raises:
        ValueError: not a real number (bool and text included), NaN, inf, zero or negative.
    """
    if not _is_real_scalar(value) or not 0 < float(value) < np.inf:
        raise ValueError(f"{name} must be a positive finite number; got {value!r}")
    return float(value)


def fraction(name: str, value) -> float:
    """``value`` as a float in [0, 1) (a decay rate).

    Raises:
        ValueError: not a real number, or outside [0, 1).
    """
    if not _is_real_scalar(value) or not 0 <= float(value) < 1:
        raise ValueError(f"{name} must be a number in [0, 1); got {value!r}")
    return float(value)


def real_number(name: str, value, low: float = -np.inf, high: float = np.inf) -> float:
    """``value`` as a finite float in [low, high].

    Raises:
        ValueError: not a real number (bool and text included), NaN, inf, or out of range.
    """
    if not _is_real_scalar(value) or not np.isfinite(float(value)) or not low <= float(value) <= high:
        raise ValueError(f"{name} must be a finite number in [{low}, {high}]; got {value!r}")
    return float(value)


def seed(name: str, value):
    """``value`` if ``numpy.random.default_rng`` takes it: None, an int >= 0 or a SeedSequence.

    Raises:
        ValueError: anything else (NumPy's own error would not name the argument).
    """
    if value is None or isinstance(value, np.random.SeedSequence):
        return value
    return int_at_least(name, value, 0)


def targets(name: str, Y: np.ndarray, loss: str | None) -> np.ndarray:
    """``Y`` if it suits ``loss``: probabilities in [0, 1] for the cross-entropies, rows summing
    to 1 (one-hot or soft labels) for ``categorical_crossentropy``; anything finite otherwise.

    Raises:
        ValueError: naming ``name`` and what the loss needs.
    """
    if loss in ("categorical_crossentropy", "binary_crossentropy"):
        if Y.size and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(f"{name} must hold probabilities in [0, 1] for {loss}; got values in "
                             f"[{Y.min():.3g}, {Y.max():.3g}]")
    if loss == "categorical_crossentropy":
        sums = Y.sum(axis=-1, dtype=np.float64)
        if not np.allclose(sums, 1, atol=1e-3):
            raise ValueError(f"{name} must have rows that sum to 1 for {loss} (one-hot labels: "
                             f"keras.utils.to_categorical); got row sums from {sums.min():.3g} to "
                             f"{sums.max():.3g}")
    return Y
