"""The on-disk cache: keyed by arguments and by the source of exactly the modules involved."""

import os
import pytest

from dlcourse import cache


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throwaway copy of the cache's world: a fake dlcourse package dir with two modules."""
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    monkeypatch.setattr(cache, "PACKAGE_DIR", pkg)
    (pkg / "base.py").write_text("SCALE = 2\n")
    (pkg / "other.py").write_text("UNRELATED = 1\n")
    (pkg / "work.py").write_text("from .base import SCALE\n")
    return pkg


def test_dependencies_follow_imports_transitively(package):
    (package / "top.py").write_text("from dlcourse import work\nimport dlcourse.other\n")
    assert cache.dependencies("top") == ["base", "other", "top", "work"]
    assert cache.dependencies("work") == ["base", "work"]


def test_a_dependency_edit_changes_the_key_an_unrelated_edit_does_not(package):
    before = cache.source_hash("work")
    (package / "other.py").write_text("UNRELATED = 2\n")
    assert cache.source_hash("work") == before
    (package / "base.py").write_text("SCALE = 3\n")
    assert cache.source_hash("work") != before


def test_results_are_stored_and_reused_and_invalidated(package, monkeypatch, tmp_path):
    calls = []

    def compute(x):
        calls.append(x)
        return {"value": x * 2}

    compute.__module__, compute.__qualname__ = "dlcourse.work", "compute"
    cached = cache.cached(compute)
    assert cached(3) == {"value": 6} and cached(3) == {"value": 6}
    assert calls == [3]
    assert cached.cache_path(3).is_file()
    (package / "base.py").write_text("SCALE = 5\n")  # a source the function depends on changed
    cached(3)
    assert calls == [3, 3]


def test_one_call_spelled_differently_is_one_entry(package):
    calls = []

    def compute(x, scale=2):
        calls.append(x)
        return x * scale

    compute.__module__, compute.__qualname__ = "dlcourse.work", "compute"
    cached = cache.cached(compute)
    assert cached(3) == cached(x=3) == cached(3, scale=2) == cached(x=3, scale=2) == 6
    assert calls == [3]
    assert cached(3, 4) == 12 and calls == [3, 3]


def test_cache_can_be_turned_off(package, monkeypatch):
    calls = []

    def compute(x):
        calls.append(x)
        return x

    compute.__module__, compute.__qualname__ = "dlcourse.work", "compute"
    cached = cache.cached(compute)
    monkeypatch.setenv("DLCOURSE_CACHE", "off")
    cached(1), cached(1)
    assert calls == [1, 1]


def test_only_module_level_dlcourse_functions_can_be_cached():
    with pytest.raises(ValueError, match="module-level function in a dlcourse module"):
        cache.cached(lambda: 1)


def test_results_are_keyed_by_numpys_blas_threads_and_kernels():
    # A result computed with one BLAS thread or other CPU kernels differs in its last bits, which
    # training amplifies: it must not be served to a build that runs with another configuration.
    import subprocess
    import sys

    code = "from dlcourse import cache; print(cache.environment_digest())"
    digests = {}
    for name, extra in {"default": {}, "one thread": {"OPENBLAS_NUM_THREADS": "1"},
                        "other kernels": {"OPENBLAS_CORETYPE": "Sandybridge"}}.items():
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")} | extra
        digests[name] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                       text=True, check=True).stdout
    assert len(set(digests.values())) == 3, digests
