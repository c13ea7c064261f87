"""Run a compiled elementwise loop on BLAS's own threads: both cores, no thread of our own.

NumPy's matrix products run on OpenBLAS, which keeps one worker thread per extra core. Between
two products that thread spins, waiting for the next one (about 0.1 s before it sleeps), so in
a training loop it holds the second core all the time. A thread of our own cannot get that
core in time: on this course's 2-core machine a woken Python or numba thread waited about
3 ms (the scheduler's tick) before it ran, where an optimizer step takes 0.17 ms.

OpenBLAS has a helper for its own vector routines that hands slices of a loop to that spinning
thread and runs the first slice on the calling one: ``blas_level1_thread``. It is exported but
not documented, so this module treats it with care:

- it is found in the OpenBLAS that NumPy loaded (through threadpoolctl), or not used at all;
- only in an OpenBLAS version listed in ``CHECKED_MODES``, whose calling convention was read;
- a probe call, once per process, checks how it splits a loop, and anything unexpected turns
  the pool off;
- every user keeps a one-thread path, used when the pool is off, when OpenBLAS runs on one
  thread, or when a loop is too short to be worth splitting.

The loops are elementwise, so each entry gets exactly the arithmetic it gets on one thread:
the results are equal bit for bit (``tests/test_blas_pool.py``).

A pooled loop is a numba ``cfunc`` with ``SIGNATURE``, the form OpenBLAS calls its slices in
(``legacy_exec`` in ``driver/others/blas_server.c``):
``(m, n, k, alpha, a, lda, b, ldb, c, ldc, sb)``. Only three of those matter here: ``m`` is the
slice's length, ``a`` is never a real pointer but the slice's start (``chunk_start``), and ``c``
points to a ``Block``: the addresses of the arrays and the loop's scalars.
"""

import ctypes
import functools

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

SIGNATURE = types.int32(types.int64, types.int64, types.int64, types.float32, types.voidptr,
                        types.int64, types.voidptr, types.int64, types.CPointer(types.int64),
                        types.int64, types.voidptr)

# Below this many entries a loop runs on the calling thread: handing a slice to the other
# thread costs a few microseconds (bench/bench_network.py measures the optimizer's step).
MIN_SIZE = 1 << 16

# The mode that makes ``legacy_exec`` call a slice as a real single-precision routine (the
# form of SIGNATURE), by OpenBLAS version: the precision codes were renumbered when bfloat16
# arrived, and a wrong code would pass the arguments in other registers. Only versions whose
# source was read and whose probe passed are listed; NumPy's pin decides which one loads.
CHECKED_MODES = {"0.3.31": 2}  # BLAS_SINGLE in common_thread.h

# The Block's layout, in int64 slots: the probe's unit, then one address per array, then the
# scalars (as float64, whatever the arrays' dtype).
_UNIT, _FIRST_ARRAY = 0, 1


@intrinsic
def _address(typingctx, pointer):
    """The integer value of a pointer."""
    def codegen(context, builder, signature, args):
        return builder.ptrtoint(args[0], ir.IntType(64))
    return types.int64(pointer), codegen


@intrinsic
def _typed_pointer(typingctx, address, dtype):
    """A pointer to ``dtype`` (a NumPy scalar type) at an integer address."""
    pointer_type = types.CPointer(dtype.dtype)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(pointer_type))
    return pointer_type(types.int64, dtype), codegen


@numba.njit(inline="always")
def chunk_start(a, c):
    """The index of a slice's first entry, from the ``a`` OpenBLAS passed (see module doc)."""
    return _address(a) // c[_UNIT]


@numba.njit(inline="always")
def array_slice(c, i, start, count, dtype):
    """Entries [start, start + count) of the Block's array ``i``, a 1-D ``dtype`` view."""
    return numba.carray(_typed_pointer(c[_FIRST_ARRAY + i], dtype), start + count)[start:]


@numba.njit(inline="always")
def matrix_rows(c, i, start, count, n_columns, dtype):
    """Rows [start, start + count) of the Block's C-ordered matrix ``i`` with ``n_columns``."""
    return numba.carray(_typed_pointer(c[_FIRST_ARRAY + i], dtype),
                        (start + count, n_columns))[start:]


@numba.njit(inline="always")
def scalar(c, n_arrays, i):
    """The Block's scalar ``i`` (a float64)."""
    return numba.carray(_typed_pointer(_address(c) + 8 * (_FIRST_ARRAY + n_arrays), np.float64),
                        i + 1)[i]


class Block:
    """What a pooled loop reads: the arrays' addresses and the scalars, in one int64 array.

    Built once for arrays that stay put (a training loop's buffers), so that each run only
    writes a scalar or two: building one takes about 10 microseconds of Python, as long as
    the loop it would split.

    Args:
        arrays: C-contiguous arrays (the Block keeps them alive); ``set_array`` replaces one.
        n_scalars: how many scalars follow; write them into ``scalars`` (float64, so integers
            up to 2**53 are exact too).
        size: the loop's length, split over the threads (the caller may change it).
    """

    def __init__(self, arrays, n_scalars, size):
        self.size = size
        self.slots = np.zeros(_FIRST_ARRAY + len(arrays) + n_scalars, np.int64)
        self.address = self.slots.ctypes.data
        self.arrays = list(arrays)
        for i, array in enumerate(arrays):
            self.set_array(i, array)
        self.scalars = self.slots[_FIRST_ARRAY + len(arrays):].view(np.float64)

    def set_array(self, i, array):
        """Point slot ``i`` at ``array`` (C-contiguous; the Block keeps it alive)."""
        if not array.flags.c_contiguous:
            raise ValueError(f"a pooled loop needs C-contiguous arrays; got strides "
                             f"{array.strides} for shape {array.shape}.")
        self.arrays[i] = array
        self.slots[_FIRST_ARRAY + i] = array.ctypes.data


class _Pool:
    """OpenBLAS's ``blas_level1_thread`` with the mode and unit the probe found, or a reason."""

    def __init__(self):
        self.split, self.threads, self.reason = None, None, None
        try:
            import threadpoolctl
        except ImportError:  # pragma: no cover - a dependency of scikit-learn, pinned
            self.reason = "threadpoolctl is not installed"
            return
        numpy_blas = [lib for lib in threadpoolctl.ThreadpoolController().lib_controllers
                      if lib.internal_api == "openblas" and "numpy" in lib.filepath]
        if not numpy_blas:
            self.reason = "NumPy does not use OpenBLAS here"
            return
        self.threads = numpy_blas[0].get_num_threads
        version = ".".join((numpy_blas[0].version or "unknown").split(".")[:3])
        if version not in CHECKED_MODES:
            self.reason = (f"OpenBLAS {version} is not a version blas_pool was checked against "
                           f"({', '.join(sorted(CHECKED_MODES))})")
            return
        try:
            split = ctypes.CDLL(numpy_blas[0].filepath).blas_level1_thread
        except AttributeError:
            self.reason = "this OpenBLAS does not export blas_level1_thread"
            return
        split.restype = ctypes.c_int
        split.argtypes = ([ctypes.c_int] + [ctypes.c_long] * 3 + [ctypes.c_void_p] * 2
                          + [ctypes.c_long, ctypes.c_void_p, ctypes.c_long, ctypes.c_void_p,
                             ctypes.c_long, ctypes.c_void_p, ctypes.c_int])
        self._alpha = np.zeros(2)  # read by OpenBLAS before each call, never by us
        self._alpha_address = self._alpha.ctypes.data
        self.mode, self.unit = CHECKED_MODES[version], self._probe(split, CHECKED_MODES[version])
        if self.unit is None:
            self.reason = "blas_level1_thread did not split a loop as expected"
        else:
            self.split = split

    def _probe(self, split, mode):
        """How far apart, per entry, the ``a`` of two slices are when OpenBLAS splits a loop
        under ``mode``; None if it does not call the function on two slices that tile it."""
        n = 1000
        seen = np.full(4, -1, np.int64)
        split(mode, n, 0, 0, self._alpha_address, None, 1, None, 1, seen.ctypes.data, 0,
              _probe_cfunc().address, 2)
        (start_0, size_0, start_1, size_1) = seen
        if start_0 == 0 and size_0 > 0 and size_1 > 0 and size_0 + size_1 == n \
                and start_1 > 0 and start_1 % size_0 == 0:
            return start_1 // size_0
        return None

    def run(self, make_cfunc, block, min_size):
        """Run ``make_cfunc()`` over [0, block.size) on OpenBLAS's threads; False if it cannot."""
        if self.split is None or block.size < min_size:
            return False
        threads = self.threads()
        if threads < 2:
            return False
        block.slots[_UNIT] = self.unit
        self.split(self.mode, block.size, 0, 0, self._alpha_address, None, 1, None, 1,
                   block.address, 0, make_cfunc().address, threads)
        return True


@functools.cache
def _probe_cfunc():
    @numba.cfunc(SIGNATURE)
    def probe(m, n, k, alpha, a, lda, b, ldb, c, ldc, sb):
        slot = 0 if _address(a) == 0 else 2
        c[slot], c[slot + 1] = _address(a), m
        return 0
    return probe


@functools.cache
def pool():
    """The process's ``_Pool``, probed on first use."""
    return _Pool()


def run(make_cfunc, block, min_size=None):
    """Run a pooled loop over all of ``block``'s entries on OpenBLAS's threads.

    ``make_cfunc()`` returns the loop's cfunc (compiled on first use, so a caller whose loops
    are all short never compiles it). Returns False, having run nothing, when the pool is off
    (``status()`` says why), OpenBLAS runs on one thread, or the loop is shorter than
    ``min_size`` (default ``MIN_SIZE``, for loops over single entries): the caller then runs
    its one-thread kernel.
    """
    return pool().run(make_cfunc, block, MIN_SIZE if min_size is None else min_size)


def status():
    """A sentence for benchmarks: whether pooled loops run on OpenBLAS's threads, or why not."""
    p = pool()
    if p.split is None:
        return f"elementwise loops on one thread ({p.reason})"
    return f"elementwise loops split over OpenBLAS's {p.threads()} threads"
