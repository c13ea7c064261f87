"""Sentences about executed output that the build checks: ``print(claim(...))``.

A chapter's prose may only say what its numbers show, on every machine and with either data set.
A sentence that states a number, a comparison, a trend or a qualitative result is therefore
written in an exec block, with the values it rests on and the condition that makes it true::

    ```python exec="on" session="gap"
    from coursebuild.claims import claim, greater
    print(claim("The gap grows from {first:.0e} to {last:.0e}.",
                holds=greater(last, first, by=10), first=gaps[0], last=gaps[-1]))
    ```

``claim`` formats the sentence with ``str.format`` and returns it (print it, or pass it as a
figure's ``alt=`` or ``caption=``). When ``holds`` is false it raises :class:`ClaimError`; the build
(``coursebuild.execute``) then fails naming ``docs/<file>:<line>`` of the ``claim(`` call and the
sentence, e.g.::

    docs/chapters/09-x.md:212: claim does not hold: "The gap grows from 2e-07 to 1e-07."
      because: last = 1e-07 > 10 x first = 2e-06 is false

``holds`` is a bool (Python or NumPy) or one of the checks below, which say what they compared
when they fail: :func:`greater`, :func:`less`, :func:`between`, :func:`near` (a number),
:func:`rising`, :func:`falling` (a trend); combine them with ``&``, ``|`` and ``~``.
Anything else (``None``, an array, a string) is refused: a guard must be a real condition.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np


class ClaimError(AssertionError):
    """A sentence the computed values do not support.

    ``sentence`` is the formatted sentence, ``why`` what was checked, ``block_line`` the 1-based
    line of the ``claim(`` call inside the exec block that made it (None outside a block).
    """

    def __init__(self, sentence: str, why: str, block_line: int | None, where: str):
        self.sentence, self.why, self.block_line = sentence, why, block_line
        self.where = where
        super().__init__(f'{where}: claim does not hold: "{sentence}"\n  because: {why}')


@dataclass(frozen=True)
class Check:
    """A condition and a description of it with the values it compared."""

    ok: bool
    description: str

    def __bool__(self) -> bool:
        return self.ok

    def __and__(self, other: "Check") -> "Check":
        other = _as_check(other)
        return Check(self.ok and other.ok, f"({self.description}) and ({other.description})")

    def __or__(self, other: "Check") -> "Check":
        other = _as_check(other)
        return Check(self.ok or other.ok, f"({self.description}) or ({other.description})")

    def __rand__(self, other) -> "Check":  # a bool first: (x == y) & greater(a, b)
        return _as_check(other) & self

    def __ror__(self, other) -> "Check":
        return _as_check(other) | self

    def __invert__(self) -> "Check":
        return Check(not self.ok, f"not ({self.description})")


def _number(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        if not (isinstance(value, np.ndarray) and value.shape == ()):
            raise TypeError(f"{name} must be a single number; got {type(value).__name__} {value!r:.80}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN: a claim cannot rest on it")
    return value


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def greater(a, b, by: float = 1.0) -> Check:
    """``a > by * b``: "a is larger than b" (``by=10``: "more than ten times b")."""
    a, b = _number(a, "a"), _number(b, "b")
    scaled = f"{_fmt(by)} x {_fmt(b)}" if by != 1 else _fmt(b)
    return Check(a > by * b, f"{_fmt(a)} > {scaled}")


def less(a, b, by: float = 1.0) -> Check:
    """``by * a < b``: "a is smaller than b" (``by=10``: "b is more than ten times a")."""
    a, b = _number(a, "a"), _number(b, "b")
    scaled = f"{_fmt(by)} x {_fmt(a)}" if by != 1 else _fmt(a)
    return Check(by * a < b, f"{scaled} < {_fmt(b)}")


def between(x, low, high) -> Check:
    """``low <= x <= high``."""
    x, low, high = _number(x, "x"), _number(low, "low"), _number(high, "high")
    return Check(low <= x <= high, f"{_fmt(low)} <= {_fmt(x)} <= {_fmt(high)}")


def near(x, target, rel: float | None = None, abs: float | None = None) -> Check:
    """``|x - target| <= tolerance``, the tolerance given as ``rel`` (of ``|target|``) or ``abs``."""
    if (rel is None) == (abs is None):
        raise TypeError("near() needs exactly one tolerance: rel= (relative) or abs= (absolute)")
    x, target = _number(x, "x"), _number(target, "target")
    tolerance = rel * math.fabs(target) if rel is not None else abs
    return Check(math.fabs(x - target) <= tolerance,
                 f"|{_fmt(x)} - {_fmt(target)}| = {_fmt(math.fabs(x - target))} <= {_fmt(tolerance)}")


def _steps(values: Iterable, name: str) -> np.ndarray:
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(f"{name}() needs a sequence of at least two numbers; got shape {array.shape}")
    if np.isnan(array).any():
        raise ValueError(f"{name}() got NaN in {array}")
    return array


def _trend(values, sign: int, slack: float, name: str) -> Check:
    array = _steps(values, name)
    steps = sign * np.diff(array)  # positive when the step goes the claimed way
    against = np.flatnonzero(steps < -slack)
    ok = against.size == 0 and sign * (array[-1] - array[0]) > 0
    shown = ", ".join(_fmt(v) for v in array) if array.size <= 12 else f"{_fmt(array[0])}, ... {_fmt(array[-1])} ({array.size} values)"
    word = "rises" if sign > 0 else "falls"
    if against.size:
        i = int(against[0])
        detail = f"step {i}->{i + 1} goes the other way ({_fmt(array[i])} -> {_fmt(array[i + 1])})"
    else:
        detail = f"first {_fmt(array[0])}, last {_fmt(array[-1])}"
    slack_text = f" (steps back up to {_fmt(slack)} allowed)" if slack else ""
    return Check(bool(ok), f"[{shown}] {word} at every step{slack_text}: {detail}")


def rising(values, slack: float = 0.0) -> Check:
    """Every step goes up (or down by at most ``slack``), and the last value exceeds the first."""
    return _trend(values, +1, slack, "rising")


def falling(values, slack: float = 0.0) -> Check:
    """Every step goes down (or up by at most ``slack``), and the last value is below the first."""
    return _trend(values, -1, slack, "falling")


def _as_check(holds) -> Check:
    if isinstance(holds, Check):
        return holds
    if isinstance(holds, (bool, np.bool_)):
        return Check(bool(holds), "the condition given as holds= is false")
    raise TypeError(
        "holds= must be a condition: a bool, or a check such as greater(a, b), falling(losses); "
        f"got {type(holds).__name__} {holds!r:.80}"
    )


def _where_called() -> tuple[int | None, str]:
    """Line of the call in the outermost exec block on the stack, and a readable location.

    In a notebook cell (the lab, executed by mkdocs-jupyter) the location is the line of the
    notebook file, ``docs/<file>.ipynb:<line>``, found from the cell being run.
    """
    frame = sys._getframe(2)
    block_line, where = None, f"{frame.f_code.co_filename}:{frame.f_lineno}"
    cell_line = None
    while frame is not None:
        if frame.f_code.co_filename.startswith("<code block"):
            block_line, where = frame.f_lineno, f"line {frame.f_lineno} of {frame.f_code.co_filename}"
        elif "ipykernel_" in frame.f_code.co_filename and cell_line is None:
            cell_line = frame.f_lineno
        frame = frame.f_back
    if block_line is None and cell_line is not None:
        where = _notebook_line(cell_line) or where
    return block_line, where


def _notebook_line(cell_line: int) -> str | None:
    """``docs/<path>.ipynb:<line>`` of line ``cell_line`` of the notebook cell now running.

    The kernel runs in the notebook's folder; the cell is found there by its source, and the line
    in the file by nbformat's layout (one JSON string per source line after ``"source": [``).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or not shell.user_ns.get("_ih"):
        return None
    running = shell.user_ns["_ih"][-1].rstrip("\n")
    here = Path.cwd()
    docs = next((parent / "docs" for parent in [here, *here.parents] if (parent / "mkdocs.yml").is_file()), None)
    for path in sorted(here.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        cells = json.loads(text).get("cells", [])
        for index, cell in enumerate(cells):
            if cell.get("cell_type") == "code" and "".join(cell.get("source", [])).rstrip("\n") == running:
                starts = [n for n, line in enumerate(text.split("\n"), 1) if line.strip() == '"source": [']
                shown = path.relative_to(docs.parent).as_posix() if docs and path.is_relative_to(docs) else path.name
                line = starts[index] + cell_line if len(starts) == len(cells) else None
                return f"{shown}:{line}" if line else f"{shown}, cell {index + 1}, line {cell_line}"
    return None


def claim(sentence: str, *, holds, **values) -> str:
    """``sentence.format(**values)``, if ``holds``; otherwise a :class:`ClaimError`.

    Args:
        sentence: the sentence with ``{name:format}`` fields, e.g. ``"Loss falls to {loss:.3f}."``.
        holds: what makes it true: a bool or a check (``greater``, ``falling``, ...).
        values: the fields of the sentence.
    Returns:
        the formatted sentence (print it, or use it as a figure's alt text or caption).
    """
    check = _as_check(holds)
    try:
        text = sentence.format(**values)
    except (KeyError, IndexError) as error:
        raise KeyError(f"claim {sentence!r} names a field {error} that was not given; got {sorted(values)}") from None
    if not check.ok:
        block_line, where = _where_called()
        raise ClaimError(text, check.description, block_line, where)
    return text
