"""The build glue: equation numbering, strict execution, page-scoped sessions, failing builds."""

import os
import re
import sys
import textwrap

import pytest
from sitebuild import REPO, mini_project, mkdocs_build

from coursebuild import equations
from coursebuild.render import render_page

CHAPTER = """# 3. A chapter

$$
a = b
\\label{eq:first}
$$

$$
c = d
$$

$$ e = f \\label{eq:second} $$

See \\eqref{eq:first}, and in math $x = \\eqref{eq:second}$, but not in `\\eqref{eq:first}`.
"""


def url_to(eq, in_math):
    return ("MATH#" if in_math else "#") + eq.anchor


def test_labelled_displays_are_numbered_per_chapter():
    registry = equations.build_registry({"chapters/03-x.md": CHAPTER})
    assert {label: eq.number for label, eq in registry.items()} == {"eq:first": "3.1", "eq:second": "3.2"}
    html = equations.render("chapters/03-x.md", CHAPTER, registry, url_to)
    assert '<div class="equation" id="eq-first" data-eq-number="3.1">' in html
    assert '<span class="eq-number">(3.2)</span>' in html  # text beside the formula, not a \tag in it
    assert r"\tag" not in html and r"\label" not in html
    assert "[(3.1)](#eq-first){.eqref}" in html
    assert r"\href{MATH#eq-second}{(3.2)}" in html
    assert r"`\eqref{eq:first}`" in html  # code stays literal
    assert "$$\nc = d\n$$" in html  # unlabelled displays are left alone


def test_unknown_label_names_file_line_and_suggests():
    registry = equations.build_registry({"chapters/03-x.md": CHAPTER})
    with pytest.raises(equations.EquationError, match=r"chapters/03-x.md:2: .*eq:frist.*eq:first"):
        equations.render("chapters/03-x.md", "x\n\\eqref{eq:frist}", registry, url_to)


def test_duplicate_label_across_pages_is_an_error():
    with pytest.raises(equations.EquationError, match="already used at chapters/03-x.md:3"):
        equations.build_registry({"chapters/03-x.md": CHAPTER, "chapters/04-y.md": "$$\nz\n\\label{eq:first}\n$$"})


def test_labels_in_code_fences_are_not_equations():
    page = "```\n$$\nx \\label{eq:in-code}\n$$\n```\n"
    assert equations.scan("chapters/05-z.md", page) == []


def test_indented_labelled_equation_is_refused():
    with pytest.raises(equations.EquationError, match="indented"):
        equations.scan("chapters/05-z.md", "!!! note\n    $$\n    x \\label{eq:x}\n    $$\n")


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    """Every test starts with empty result and block-output caches of its own."""
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache" / "dlcourse"))


@pytest.fixture
def site_dir(tmp_path):
    """A minimal copy of the project's MkDocs set-up with one chapter we write per test."""
    return mini_project(tmp_path)


def write_chapter(site_dir, body):
    path = site_dir / "docs/chapters/07-broken.md"
    path.write_text(textwrap.dedent(body))
    return path


BROKEN = """\
    # 7. Broken

    Fine text.

    ```python exec="on"
    x = 1
    print(x)
    ```

    ```python exec="on"
    raise RuntimeError("boom from chapter seven")
    ```
    """


def test_a_raising_block_fails_the_build_naming_file_and_line(site_dir):
    write_chapter(site_dir, BROKEN)
    result = mkdocs_build(site_dir)
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "docs/chapters/07-broken.md:10" in log and "boom from chapter seven" in log
    assert not (site_dir / "site/chapters/07-broken/index.html").exists()


def test_the_serve_configuration_builds_without_the_print_page(site_dir):
    """`make serve` sets PRINT_SITE=false: every hook must cope with print-site switched off."""
    result = mkdocs_build(site_dir, env={**os.environ, "PRINT_SITE": "false"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (site_dir / "site/print_page/index.html").exists()


def test_a_raising_block_fails_the_chapter_test_naming_file_and_line(site_dir):
    write_chapter(site_dir, BROKEN)
    html, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert len(run.failures) == 1 and "docs/chapters/07-broken.md:10" in run.failures[0]
    assert "Traceback" not in html and "boom" not in html


def test_a_warning_in_a_block_is_a_failure(site_dir):
    write_chapter(site_dir, """\
        ```python exec="on"
        import numpy as np
        print(np.log(np.array([0.0])))
        ```
        """)
    _, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert len(run.failures) == 1 and "RuntimeWarning" in run.failures[0] and ":1:" in run.failures[0]


def test_a_missing_dependency_names_the_file_and_the_fix(site_dir):
    write_chapter(site_dir, """\
        ```python exec="on"
        import not_a_course_dependency
        ```
        """)
    _, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert len(run.failures) == 1
    assert "docs/chapters/07-broken.md:1" in run.failures[0] and "make install" in run.failures[0]


def test_a_malformed_fence_option_is_a_failure(site_dir):
    write_chapter(site_dir, """\
        ```python exec="on" sesion="typo"
        print(1)
        ```
        """)
    _, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert len(run.failures) == 1 and "sesion" in run.failures[0]


def test_sessions_never_span_pages(site_dir):
    """Same session name on two pages: the second page must not see the first page's variables."""
    (site_dir / "docs/chapters/06-first.md").write_text('```python exec="on" session="s"\nsecret = 42\n```\n')
    write_chapter(site_dir, """\
        ```python exec="on" session="s"
        print("leaked" if "secret" in globals() else "isolated")
        ```
        """)
    render_page("chapters/06-first.md", site_dir / "mkdocs.yml")
    html, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert not run.failures and "isolated" in html and "leaked" not in html


def test_a_page_rerendered_starts_from_a_fresh_session(site_dir, monkeypatch):
    """As in `mkdocs serve`: re-rendering a page must not see its previous run's state."""
    monkeypatch.setenv("DLCOURSE_CACHE", "off")  # really run it twice
    write_chapter(site_dir, """\
        ```python exec="on" session="s"
        print("stale" if "counter" in globals() else "fresh")
        counter = 1
        ```
        """)
    render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    html, _ = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert "fresh" in html and "stale" not in html


def test_unknown_equation_label_fails_the_build_naming_the_file(site_dir):
    write_chapter(site_dir, "# 7. Refs\n\nAs \\eqref{eq:nowhere} shows.\n")
    result = mkdocs_build(site_dir)
    assert result.returncode != 0
    assert "chapters/07-broken.md:3" in result.stdout + result.stderr


SESSION_PAGE = """\
# 7. Cached

Some prose.

```python exec="on" session="s"
import itertools
base = 40
```

```python exec="on" session="s"
print(f"answer={base + 2}")
```
"""


def test_a_prose_edit_reuses_every_block_output(site_dir):
    path = write_chapter(site_dir, SESSION_PAGE)
    _, first = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    path.write_text(SESSION_PAGE.replace("Some prose.", "Some better prose."))
    html, second = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert first.executed == 2 and second.executed == 0
    assert "answer=42" in html


def test_a_code_edit_replays_the_session_before_running_the_changed_block(site_dir):
    path = write_chapter(site_dir, SESSION_PAGE)
    render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    path.write_text(SESSION_PAGE.replace("base + 2", "base + 3"))
    html, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert not run.failures and "answer=43" in html
    assert run.executed == 2  # the unchanged first block replayed for its state, then the edit


def test_a_library_edit_reruns_every_block(site_dir, monkeypatch):
    from coursebuild import outputs

    write_chapter(site_dir, SESSION_PAGE)
    render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    monkeypatch.setattr(outputs, "environment_key", lambda: "library changed")
    _, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert run.executed == 2


def test_a_failing_block_is_never_stored(site_dir):
    write_chapter(site_dir, BROKEN)
    render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    _, run = render_page("chapters/07-broken.md", site_dir / "mkdocs.yml")
    assert len(run.failures) == 1 and run.executed == 1


def test_each_build_reimports_the_library():
    """`mkdocs serve` rebuilds in one process; an edited module must not stay imported stale."""
    import dlcourse.neuron  # noqa: F401
    from coursebuild.plugin import CoursePlugin, forget_library

    assert CoursePlugin.on_config.__code__.co_names.count("forget_library") == 1
    saved = {name: module for name, module in sys.modules.items() if name.startswith("dlcourse")}
    try:
        forget_library()
        assert "dlcourse.neuron" not in sys.modules and "coursebuild.plugin" in sys.modules
    finally:
        sys.modules.update(saved)  # other tests keep the module objects they imported


def test_a_failing_notebook_cell_fails_the_build_naming_the_notebook(site_dir):
    (site_dir / "docs/chapters/08-lab.py").write_text(
        '# %% [markdown]\n# # Lab\n\n# %%\nraise ValueError("cell seven is broken")\n'
    )
    result = mkdocs_build(site_dir)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "08-lab.py" in log and "cell seven is broken" in log


def test_a_notebook_runs_in_the_background_and_its_page_reads_what_that_run_left(site_dir):
    (site_dir / "docs/chapters/08-lab.py").write_text(
        '# %% [markdown]\n# # Lab\n\n# %%\nimport os\nprint("answer", 6 * 7, "kernel", os.getpid())\n')
    result = mkdocs_build(site_dir)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert "rendering docs/chapters/08-lab.py in the background" in log
    assert "docs/chapters/08-lab.py rendered in the background" in log
    # The build's own render of the page found the entry the background child wrote.
    assert re.search(r"Cache hit: \S*08-lab\.py", log), log
    assert "answer 42 kernel" in (site_dir / "site/chapters/08-lab/index.html").read_text()


@pytest.mark.parametrize(
    "site_url, local",
    [("http://127.0.0.1:8000/", True), ("http://localhost:4000/x/", True), ("https://example.org/c/", False)],
)
def test_only_published_builds_carry_a_canonical_address(site_url, local):
    from types import SimpleNamespace

    from coursebuild.plugin import is_local_build

    assert is_local_build(SimpleNamespace(site_url=site_url)) is local


def test_markdown_execs_private_names_are_used_only_with_the_version_they_were_read_in(monkeypatch):
    import importlib
    import importlib.metadata

    from coursebuild import markdown_exec_private as adapter

    pinned = next(line.split("==")[1] for line in (REPO / "requirements.txt").read_text().splitlines()
                  if line.startswith("markdown-exec=="))
    assert pinned.strip() == adapter.CHECKED_VERSION
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    try:
        with pytest.raises(ImportError, match=r"read in version 1\.12\.6; 9\.9\.9 is installed"):
            importlib.reload(adapter)
    finally:
        monkeypatch.undo()
        importlib.reload(adapter)
