"""Tests for dlcourse.blas_pool: loops split over OpenBLAS's threads give the one-thread bits."""

import numba
import numpy as np
import pytest
import threadpoolctl

from dlcourse import blas_pool, optimizers

N = blas_pool.MIN_SIZE + 12_345  # long enough to be split, and not a multiple of anything

BLAS_THREADS = max(lib["num_threads"] for lib in threadpoolctl.threadpool_info()
                   if lib["user_api"] == "blas")
needs_two_threads = pytest.mark.skipif(
    BLAS_THREADS < 2, reason="OpenBLAS runs on one thread here: there is nothing to split over")


@needs_two_threads
def test_the_pool_is_on_with_the_pinned_numpy():
    """The speed goal of issue 5 counts on it; if a new NumPy's OpenBLAS changes, this says so."""
    pool = blas_pool.pool()
    assert pool.split is not None, blas_pool.status()
    assert pool.unit > 0
    assert "split over OpenBLAS's" in blas_pool.status()


def steps(name, dtype, n_steps=4, one_thread=False, monkeypatch=None):
    """w and the optimizer's state after n_steps of ``name`` on fixed random gradients."""
    if one_thread:
        monkeypatch.setattr(blas_pool, "MIN_SIZE", 1 << 62)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(N).astype(dtype)
    optimizer = optimizers.get(name, 1e-3)
    optimizer.build(w)
    for _ in range(n_steps):
        g = rng.standard_normal(N).astype(dtype)
        g[::5] = 0  # the flush-to-zero branch must agree too
        optimizer.step(w, g)
    if one_thread:
        monkeypatch.undo()
    return w, optimizer.state_copy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_split_optimizer_steps_equal_one_thread_steps_bit_for_bit(name, dtype, monkeypatch):
    w_split, state_split = steps(name, dtype)
    w_one, state_one = steps(name, dtype, one_thread=True, monkeypatch=monkeypatch)
    np.testing.assert_array_equal(w_split, w_one)
    assert state_split.keys() == state_one.keys()
    for key in state_one:
        np.testing.assert_array_equal(state_split[key], state_one[key])


@numba.cfunc(blas_pool.SIGNATURE)
def _count_and_mark(m, n, k, alpha, a, lda, b, ldb, c, ldc, sb):
    """Adds 1 to every entry of its slice of array 0; writes the slice's length at its first
    entry of array 1."""
    start = blas_pool.chunk_start(a, c)
    blas_pool.array_slice(c, 0, start, m, np.float64)[:] += 1
    blas_pool.array_slice(c, 1, start, m, np.int64)[0] = m
    return 0


@needs_two_threads
def test_a_split_loop_visits_every_entry_once_in_one_slice_per_thread():
    counts, slices = np.zeros(N), np.zeros(N, np.int64)
    block = blas_pool.Block([counts, slices], 0, N)
    assert blas_pool.run(lambda: _count_and_mark, block)
    np.testing.assert_array_equal(counts, 1)
    lengths = slices[slices > 0]
    assert len(lengths) == blas_pool.pool().threads() >= 2
    assert lengths.sum() == N


def test_short_loops_never_compile_or_split():
    made = []
    block = blas_pool.Block([np.zeros(10)], 0, 10)
    assert blas_pool.run(lambda: made.append(1), block) is False
    assert made == []


def test_one_openblas_thread_means_one_thread_and_the_same_result(monkeypatch):
    w_one, _ = steps("rmsprop", np.float32, one_thread=True, monkeypatch=monkeypatch)
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        block = blas_pool.Block([np.zeros(N)], 0, N)
        assert blas_pool.run(lambda: pytest.fail("compiled a split loop"), block) is False
        w, _ = steps("rmsprop", np.float32)
    np.testing.assert_array_equal(w, w_one)


def test_an_openblas_version_not_checked_turns_the_pool_off_and_says_so(monkeypatch):
    monkeypatch.setattr(blas_pool, "CHECKED_MODES", {"0.0.1": 2})
    pool = blas_pool._Pool()
    assert pool.split is None
    assert "is not a version blas_pool was checked against (0.0.1)" in pool.reason
    block = blas_pool.Block([np.zeros(N)], 0, N)
    assert pool.run(lambda: pytest.fail("compiled a split loop"), block, 1) is False


def test_a_block_refuses_a_strided_array_by_name():
    with pytest.raises(ValueError, match=r"C-contiguous arrays; got strides \(8,\) for shape"):
        blas_pool.Block([np.zeros(20, np.float32)[::2]], 0, 10)


def test_optimizer_steps_a_strided_vector_on_one_thread(monkeypatch):
    rng = np.random.default_rng(1)
    w = rng.standard_normal(2 * N).astype(np.float32)[::2]
    g = rng.standard_normal(2 * N).astype(np.float32)[::2]
    expected = w - np.float32(0.5) * g
    optimizer = optimizers.SGD(0.5)
    optimizer.build(w)
    optimizer.step(w, g)
    np.testing.assert_array_equal(w, expected)
