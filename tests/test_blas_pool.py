"""Tests for dlcourse.blas_pool: loops split over OpenBLAS's threads give the one-thread bits."""

import copy
import os
import pickle
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest
import threadpoolctl

from dlcourse import blas_pool, optimizers

N = blas_pool.MIN_SIZE + 12_345  # long enough to be split, and not a multiple of anything

needs_two_threads = pytest.mark.skipif(
    blas_pool.pool().threads() < 2,
    reason="NumPy's OpenBLAS runs on one thread here: there is nothing to split over")


@needs_two_threads
def test_the_pool_is_on_with_the_pinned_numpy():
    """The speed goal of issue 5 counts on it; if a new NumPy's OpenBLAS changes, this says so."""
    assert "split over OpenBLAS's" in blas_pool.status(), blas_pool.status()
    assert blas_pool.pool().unit > 0


def steps(name, dtype, n_steps=4):
    """w and the optimizer's state after n_steps of ``name`` on fixed random gradients."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal(N).astype(dtype)
    optimizer = optimizers.get(name, 1e-3)
    optimizer.build(w)
    for _ in range(n_steps):
        g = rng.standard_normal(N).astype(dtype)
        g[::5] = 0  # the flush-to-zero branch must agree too
        optimizer.step(w, g)
    return w, optimizer.state_copy()


@needs_two_threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_split_optimizer_steps_equal_one_thread_steps_bit_for_bit(name, dtype, monkeypatch,
                                                                  splits):
    w_split, state_split = steps(name, dtype)
    assert splits and all(splits)
    monkeypatch.setattr(blas_pool, "MIN_SIZE", 1 << 62)  # every loop too short to split
    w_one, state_one = steps(name, dtype)
    assert not any(splits[4:])
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


@needs_two_threads
def test_a_thread_limit_set_at_run_time_means_one_thread_and_the_same_result(splits):
    w_split, _ = steps("rmsprop", np.float32)
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert "on one thread (OpenBLAS runs on one)" in blas_pool.status()
        block = blas_pool.Block([np.zeros(N)], 0, N)
        assert blas_pool.run(lambda: pytest.fail("compiled a split loop"), block) is False
        w_one, _ = steps("rmsprop", np.float32)
    assert all(splits[:4]) and not any(splits[4:])
    np.testing.assert_array_equal(w_split, w_one)


def test_openblas_started_on_one_thread_steps_on_one_thread_without_hanging():
    """Started on one thread, OpenBLAS has no worker: a slice handed to one would never run."""
    script = textwrap.dedent(f"""
        import numpy as np
        from dlcourse import blas_pool, optimizers
        w, g = np.zeros({N}, np.float32), np.ones({N}, np.float32)
        optimizer = optimizers.RMSprop()
        optimizer.build(w)
        optimizer.step(w, g)
        assert w[0] < 0 and np.all(w == w[0]), w
        print(blas_pool.status())
    """)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "elementwise loops on one thread" in done.stdout


def test_an_openblas_version_not_checked_turns_the_pool_off_and_says_so(monkeypatch):
    monkeypatch.setattr(blas_pool, "CHECKED_MODES", {"0.0.1": 2})
    pool = blas_pool._Pool()
    assert "is not a version blas_pool was checked against (0.0.1)" in pool.reason
    block = blas_pool.Block([np.zeros(N)], 0, N)
    assert pool.run(lambda: pytest.fail("compiled a split loop"), block) is False


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))])
def test_a_copied_optimizer_steps_its_own_vectors_only(duplicate):
    """A copy must not carry the original's raw addresses (blas_pool.Block.__reduce__)."""
    rng = np.random.default_rng(2)
    w, g = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    optimizer = optimizers.RMSprop()
    optimizer.build(w)
    optimizer.step(w, g)  # builds the optimizer's Block
    w_before, v_before = w.copy(), optimizer.v.copy()
    w2, g2, optimizer2 = duplicate((w, g, optimizer))
    optimizer2.step(w2, g2)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(optimizer.v, v_before)
    optimizer.step(w, g)
    np.testing.assert_array_equal(w2, w)
    np.testing.assert_array_equal(optimizer2.v, optimizer.v)


def test_a_block_refuses_a_strided_array_by_name():
    with pytest.raises(ValueError, match=r"C-contiguous arrays; got strides \(8,\) for shape"):
        blas_pool.Block([np.zeros(20, np.float32)[::2]], 0, 10)


def test_optimizer_steps_a_strided_vector_on_one_thread():
    rng = np.random.default_rng(1)
    w = rng.standard_normal(2 * N).astype(np.float32)[::2]
    g = rng.standard_normal(2 * N).astype(np.float32)[::2]
    expected = w - np.float32(0.5) * g
    optimizer = optimizers.SGD(0.5)
    optimizer.build(w)
    optimizer.step(w, g)
    np.testing.assert_array_equal(w, expected)
