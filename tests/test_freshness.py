"""Builds are never stale, and two clean builds are identical.

- An edit in src/dlcourse shows up on the next build, on a markdown-exec page and on an executed
  notebook alike (both are cached: dlcourse.cache and mkdocs-jupyter's cache).
- Two clean builds print the same outputs and the same SVGs on every page (timings aside).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from sitebuild import REPO, mini_project, mkdocs_build, scratch_project

pytestmark = pytest.mark.slow

PROBE = '''"""A throwaway module for the freshness test."""
from dlcourse.cache import cached
from dlcourse import activations


@cached
def value():
    return activations.PROBE
'''

PAGE = '''# 9. Probe

```python exec="on"
from dlcourse.probe import value
print(f"md-probe={value()}")
```
'''

NOTEBOOK = '''# %% [markdown]
# # Probe notebook

# %%
from dlcourse.probe import value
print(f"nb-probe={value()}")
'''


def build(project: Path, site: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("DLCOURSE_CACHE_DIR", None)
    result = mkdocs_build(project, site, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def project(tmp_path):
    """A minimal course project with its own copy of src/ (imported first via PYTHONPATH)."""
    mini_project(tmp_path, copy_src=True)
    (tmp_path / "docs/chapters/09-probe.md").write_text(PAGE)
    (tmp_path / "docs/chapters/10-probe-notebook.py").write_text(NOTEBOOK)
    (tmp_path / "src/dlcourse/probe.py").write_text(PROBE)
    with open(tmp_path / "src/dlcourse/activations.py", "a") as handle:
        handle.write("\nPROBE = 1\n")
    return tmp_path


def shown(site: Path, prefix: str) -> str:
    text = "".join(p.read_text() for p in site.rglob("*.html"))
    return re.search(prefix + r"=(\d+)", text).group(1)


def test_a_library_edit_shows_up_on_the_next_build(project, tmp_path):
    build(project, tmp_path / "site1")
    assert (shown(tmp_path / "site1", "md-probe"), shown(tmp_path / "site1", "nb-probe")) == ("1", "1")
    assert list((project / ".cache/dlcourse").rglob("*.npz")), "the result was not cached"
    assert list((project / ".cache/mkdocs-jupyter").rglob("*.json")), "the notebook was not cached"

    source = project / "src/dlcourse/activations.py"
    source.write_text(source.read_text().replace("PROBE = 1", "PROBE = 2"))
    build(project, tmp_path / "site2")
    assert shown(tmp_path / "site2", "md-probe") == "2"
    assert shown(tmp_path / "site2", "nb-probe") == "2"

    # Deleting the cache is always safe: the next build recomputes what it held.
    shutil.rmtree(project / ".cache")
    build(project, tmp_path / "site3")
    assert shown(tmp_path / "site3", "md-probe") == "2"


VOLATILE = re.compile(r'<span class="volatile">.*?</span>', re.S)


def normalised_pages(site: Path) -> dict[str, str]:
    pages = {}
    for page in sorted(site.rglob("*.html")):
        html = VOLATILE.sub('<span class="volatile"></span>', page.read_text(encoding="utf-8"))
        pages[page.relative_to(site).as_posix()] = html
    return pages


def test_two_clean_builds_are_identical(built_site, tmp_path):
    """The session's build (cached results allowed) vs a build from an empty cache."""
    project = tmp_path / "project"
    project.mkdir()
    result = mkdocs_build(project, project / "site", scratch_project(project))
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = normalised_pages(built_site), normalised_pages(project / "site")
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    for name in differing:  # show the first differing line of each page
        a, b = first[name].splitlines(), second[name].splitlines()
        line = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y) if len(a) == len(b) else "length"
        print(name, line)
    assert not differing, f"pages differ between two clean builds: {differing}"


def test_a_warm_build_runs_no_code_and_never_imports_tensorflow(built_site, tmp_path):
    """After the session's build, nothing changed: every block's output and result is reused."""
    result = mkdocs_build(REPO, tmp_path / "site")
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "code blocks run" not in log, [line for line in log.splitlines() if "code blocks run" in line]
    assert "TensorFlow was imported" not in log
