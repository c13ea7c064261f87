"""Run a compiled elementwise loop on BLAS's own threads: both cores, no thread of our own.

NumPy's matrix products run on OpenBLAS, which keeps one worker thread per extra core. Between
two products that thread spins, waiting for the next one (about 0.1 s before it sleeps), so in
a training loop it holds the second core all the time. A thread of our own cannot get that
core in time: on this course's 2-core machine a woken Python or numba thread waited about
3 ms (the scheduler's tick) before it ran, where an optimizer step takes 0.17 ms.

OpenBLAS has a helper for its own vector routines that hands slices of a loop to that spinning
thread and runs the first slice on the calling one: ``blas_level1_thread``. It is exported but
not documented, so this module treats it with care:

- it is taken from the OpenBLAS in NumPy's own ``numpy.libs`` folder (or the only OpenBLAS
  loaded), found through threadpoolctl, or not used at all;
- only in an OpenBLAS version listed in ``CHECKED_MODES``, whose calling convention was read;
- only while OpenBLAS runs on two threads or more: its worker threads exist then (started on
  one thread, it has none, and a slice handed to one would never run);
- a probe call, once per process, checks how it splits a loop, and anything unexpected turns
  the pool off;
- every user keeps a one-thread path, used when the pool is off, when OpenBLAS runs on one
  thread, or when a loop is too short to be worth splitting.

The loops are elementwise, so each entry gets exactly the arithmetic it gets on one thread:
the results are equal bit for bit (``tests/test_blas_pool.py``), as long as the threads share
their floating-point settings (a program that flushes subnormals to zero on its main thread
only would see slices differ).

A pooled loop is a numba ``cfunc`` with ``SIGNATURE``, the form OpenBLAS calls its slices in
(``legacy_exec`` in ``driver/others/blas_server.c``):
``(m, n, k, alpha, a, lda, b, ldb, c, ldc, sb)``. Only three of those matter here: ``m`` is the
slice's length, ``a`` is never a real pointer but the slice's start (``chunk_start``), and ``c``
points to a ``Block``'s slots: the addresses of the arrays and the loop's scalars.
"""

import ctypes
import functools
from pathlib import Path

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

# A Block's layout, in int64 slots: the probe's unit, the slot where the scalars start, one
# address per array, then the scalars (as float64, whatever the arrays' dtype).
_UNIT, _SCALARS, _FIRST_ARRAY = 0, 1, 2


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
def scalar(c, i):
    """The Block's scalar ``i`` (a float64)."""
    return numba.carray(_typed_pointer(_address(c) + 8 * c[_SCALARS], np.float64), i + 1)[i]


def poolable(arrays):
    """Whether a Block can hold these arrays: all C-contiguous (a slice reads raw memory)."""
    return all(array.flags.c_contiguous for array in arrays)


class Block:
    """What a pooled loop reads: the arrays' addresses and the scalars, in one int64 array.

    Built once for arrays that stay put (a training loop's buffers), so that each run only
    writes a scalar or two: building one takes about 10 microseconds of Python, a tenth of the
    optimizer step of the lecture's MNIST network.

    A copy (``copy.deepcopy``, pickle) is built afresh from copies of the arrays: the raw
    addresses of the original must never travel with it.

    Args:
        arrays: C-contiguous arrays (the Block keeps them alive); ``set_array`` replaces one.
        scalars: the loop's scalars, or how many there will be; ``scalars`` holds them
            (float64, so integers up to 2**53 are exact too).
        size: the loop's length, split over the threads (the caller may change it).
    """

    def __init__(self, arrays, scalars, size):
        n_scalars = scalars if isinstance(scalars, int) else len(scalars)
        self.size = size
        self.slots = np.zeros(_FIRST_ARRAY + len(arrays) + n_scalars, np.int64)
        self.slots[_SCALARS] = _FIRST_ARRAY + len(arrays)
        self.address = self.slots.ctypes.data
        self.arrays = list(arrays)
        for i, array in enumerate(arrays):
            self.set_array(i, array)
        self.scalars = self.slots[_FIRST_ARRAY + len(arrays):].view(np.float64)
        if not isinstance(scalars, int):
            self.scalars[:] = scalars

    def set_array(self, i, array):
        """Point slot ``i`` at ``array`` (C-contiguous; the Block keeps it alive)."""
        if not poolable([array]):
            raise ValueError(f"a pooled loop needs C-contiguous arrays; got strides "
                             f"{array.strides} for shape {array.shape}.")
        self.arrays[i] = array
        self.slots[_FIRST_ARRAY + i] = array.ctypes.data

    def __reduce__(self):
        return Block, (self.arrays, self.scalars.copy(), self.size)


def _openblas_of_numpy(controllers):
    """The threadpoolctl controller of NumPy's OpenBLAS, or None.

    NumPy's wheels carry theirs in ``numpy.libs`` beside the package; a NumPy built against a
    system OpenBLAS is recognised when it is the only OpenBLAS in the process.
    """
    openblas = [lib for lib in controllers if lib.internal_api == "openblas"]
    wheel_libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    ours = [lib for lib in openblas if Path(lib.filepath).resolve().parent == wheel_libs]
    if len(ours) == 1:
        return ours[0]
    return openblas[0] if len(openblas) == 1 else None


class _Pool:
    """OpenBLAS's ``blas_level1_thread`` with the mode and unit the probe found, or a reason.

    ``split`` is None while the pool is off (``reason`` says why). The probe waits until
    OpenBLAS runs on two threads or more (``threads()``), so a process that starts on one
    never hands a slice to a worker thread that does not exist.
    """

    def __init__(self):
        self.split, self.unit, self.reason = None, None, None
        self.threads = lambda: 1
        try:
            import threadpoolctl
        except ImportError:  # pragma: no cover - a dependency of scikit-learn, pinned
            self.reason = "threadpoolctl is not installed"
            return
        lib = _openblas_of_numpy(threadpoolctl.ThreadpoolController().lib_controllers)
        if lib is None:
            self.reason = "NumPy's OpenBLAS was not found in this process"
            return
        self.threads = lib.get_num_threads
        version = ".".join((lib.version or "unknown").split(".")[:3])
        if version not in CHECKED_MODES:
            self.reason = (f"OpenBLAS {version} is not a version blas_pool was checked against "
                           f"({', '.join(sorted(CHECKED_MODES))})")
            return
        try:
            self._function = ctypes.CDLL(lib.filepath).blas_level1_thread
        except AttributeError:
            self.reason = "this OpenBLAS does not export blas_level1_thread"
            return
        integer, pointer = ctypes.c_int64, ctypes.c_void_p  # BLASLONG is 64 bits
        self._function.restype = ctypes.c_int
        self._function.argtypes = [ctypes.c_int, integer, integer, integer, pointer, pointer,
                                   integer, pointer, integer, pointer, integer, pointer,
                                   ctypes.c_int]
        self.mode = CHECKED_MODES[version]
        self._alpha = np.zeros(2)  # read by OpenBLAS before each call, never by us
        self._alpha_address = self._alpha.ctypes.data

    def _call(self, cfunc, size, slots_address, threads):
        """blas_level1_thread: ``cfunc`` over [0, size) in ``threads`` slices (see module doc)."""
        self._function(self.mode, size, 0, 0, self._alpha_address, None, 1, None, 1,
                       slots_address, 0, cfunc.address, threads)

    def _probe(self):
        """The unit: how far apart, per entry, the ``a`` of two slices are. Turns the pool off
        (``reason``) if OpenBLAS does not call the function on two slices that tile the loop."""
        n = 1000
        seen = np.full(4, -1, np.int64)
        self._call(_probe_cfunc(), n, seen.ctypes.data, 2)
        (start_0, size_0, start_1, size_1) = seen
        if start_0 == 0 and size_0 > 0 and size_1 > 0 and size_0 + size_1 == n \
                and start_1 > 0 and start_1 % size_0 == 0:
            self.unit = start_1 // size_0
        else:
            self._function = None
            self.reason = "blas_level1_thread did not split a loop as expected"

    def ready_threads(self):
        """How many threads a loop would be split over now: 0 if the pool is off (probing on
        the first call that finds two threads or more), or if OpenBLAS runs on one."""
        if self.reason is not None:
            return 0
        threads = self.threads()
        if threads < 2:
            return 0
        if self.unit is None:
            self._probe()
        return threads if self.unit is not None else 0

    def run(self, make_cfunc, block):
        """Run ``make_cfunc()`` over [0, block.size) on OpenBLAS's threads; False if it cannot."""
        threads = self.ready_threads()
        if not threads:
            return False
        block.slots[_UNIT] = self.unit
        self._call(make_cfunc(), block.size, block.address, threads)
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
    """The process's ``_Pool``, set up on first use."""
    return _Pool()


def run(make_cfunc, block, min_size=None):
    """Run a pooled loop over all of ``block``'s entries on OpenBLAS's threads.

    ``make_cfunc()`` returns the loop's cfunc (compiled on first use, so a caller whose loops
    are all short never compiles it). Returns False, having run nothing, when the loop is
    shorter than ``min_size`` (default ``MIN_SIZE``, for loops over single entries), when the
    pool is off (``status()`` says why) or when OpenBLAS runs on one thread: the caller then
    runs its one-thread kernel.
    """
    if block.size < (MIN_SIZE if min_size is None else min_size):
        return False
    return pool().run(make_cfunc, block)


def status():
    """A sentence for benchmarks: whether pooled loops run on OpenBLAS's threads, or why not."""
    p = pool()
    threads = p.ready_threads()
    if p.reason is not None:
        return f"elementwise loops on one thread ({p.reason})"
    if not threads:
        return "elementwise loops on one thread (OpenBLAS runs on one)"
    return f"elementwise loops split over OpenBLAS's {threads} threads"
