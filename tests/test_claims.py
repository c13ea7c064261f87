"""Guarded sentences (coursebuild.claims): each check can fail, and a false claim fails the build
naming the page, the line of its ``claim(`` call and the sentence."""

import json
import re
import textwrap

import numpy as np
import pytest
from sitebuild import mini_project, mkdocs_build

from coursebuild.claims import ClaimError, between, claim, falling, greater, less, near, rising
from coursebuild.render import render_page


def test_a_true_claim_is_the_formatted_sentence():
    assert claim("Loss falls to {loss:.2f}.", holds=falling([2.3, 0.5, 0.25]), loss=0.25) == "Loss falls to 0.25."


@pytest.mark.parametrize("check, ok", [
    (greater(3, 1, by=2), True), (greater(3, 2, by=2), False), (greater(1, 1), False),
    (less(1, 3, by=2), True), (less(2, 3, by=2), False),
    (between(0.5, 0, 1), True), (between(1.5, 0, 1), False),
    (near(2.31, np.log(10), rel=0.01), True), (near(2.9, np.log(10), rel=0.01), False),
    (near(1e-7, 0, abs=1e-6), True), (near(1e-5, 0, abs=1e-6), False),
    (rising([1, 2, 2, 3]), True), (rising([1, 3, 2]), False), (rising([2, 2]), False),
    (rising([1, 3, 2.9, 4], slack=0.2), True),
    (falling(np.array([3.0, 2.0, 1.0])), True), (falling([3, 1, 2]), False), (falling([1, 1]), False),
    (greater(2, 1) & less(1, 2), True), (greater(2, 1) & less(2, 1), False),
    (greater(1, 2) | less(1, 2), True), (~greater(1, 2), True),
    (True & greater(2, 1), True), (np.bool_(False) & greater(2, 1), False), (False | greater(2, 1), True),
])
def test_each_check_can_fail(check, ok):
    assert bool(check) is ok


def test_a_false_claim_says_what_was_compared():
    with pytest.raises(ClaimError) as caught:
        claim("The gap grows from {first:.0e} to {last:.0e}.", holds=greater(1e-7, 2e-7, by=10),
              first=2e-7, last=1e-7)
    assert caught.value.sentence == "The gap grows from 2e-07 to 1e-07."
    assert "1e-07 > 10 x 2e-07" in caught.value.why


@pytest.mark.parametrize("holds", [None, "yes", 1, np.array([True, True]), [True]])
def test_a_guard_must_be_a_condition(holds):
    with pytest.raises(TypeError, match="holds= must be a condition"):
        claim("Anything.", holds=holds)


def test_checks_refuse_what_is_not_a_number():
    with pytest.raises(TypeError, match="single number"):
        greater(np.array([1.0, 2.0]), 0)
    with pytest.raises(ValueError, match="NaN"):
        less(float("nan"), 1)
    with pytest.raises(ValueError, match="at least two"):
        rising([1.0])
    with pytest.raises(TypeError, match="exactly one tolerance"):
        near(1, 1)


def test_a_missing_field_is_named():
    with pytest.raises(KeyError, match="acc"):
        claim("Accuracy {acc:.1%}.", holds=True)


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "cache" / "dlcourse"))


# Three false claims of the three kinds; each line number below is the line of its claim( call.
FALSE_CLAIMS = """\
    # 7. Claims

    ```python exec="on" session="c"
    from coursebuild.claims import claim, falling, greater, near
    import numpy as np
    losses = [2.30, 0.41, 0.47, 0.35]
    ```

    The loss starts where a uniform guess would:

    ```python exec="on" session="c"
    print(claim("The first loss, {first:.2f}, is within 1 % of ln 10.",
                holds=near(losses[0], np.log(10), rel=0.01) & near(losses[1], np.log(10), rel=0.01),
                first=losses[1]))
    ```

    ```python exec="on" session="c"
    first, last = losses[0], losses[-1]
    print(claim("The loss ends more than ten times lower ({last:.2f}).",
                holds=greater(first, last, by=10), last=last))
    print(claim("It falls at every epoch.", holds=falling(losses)))
    ```
    """


@pytest.mark.slow
def test_false_number_comparison_and_trend_fail_the_strict_build_naming_file_and_line(tmp_path):
    project = mini_project(tmp_path / "project")
    (project / "docs/chapters/07-claims.md").write_text(textwrap.dedent(FALSE_CLAIMS))
    result = mkdocs_build(project)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r'docs/chapters/07-claims.md:12: claim does not hold: "The first loss, 0.41, is within 1 % of ln 10."', log), log[-3000:]
    assert "|0.41 - 2.30259|" in log  # the part of the check that failed, with its values
    assert 'docs/chapters/07-claims.md:19: claim does not hold: "The loss ends more than ten times lower (0.35)."' in log
    assert "2.3 > 10 x 0.35" in log
    assert not (project / "site/chapters/07-claims/index.html").exists()


@pytest.mark.slow
def test_a_false_trend_after_a_true_claim_names_its_own_line(tmp_path):
    project = mini_project(tmp_path / "project")
    page = FALSE_CLAIMS.replace("0.41, 0.47", "0.23, 0.47").replace("losses[1]", "losses[0]").replace("by=10", "by=5")
    (project / "docs/chapters/07-claims.md").write_text(textwrap.dedent(page))
    html, run = render_page("chapters/07-claims.md", project / "mkdocs.yml")
    assert "The first loss, 2.30, is within 1 % of ln 10." in html
    assert len(run.failures) == 1, run.failures
    assert run.failures[0].startswith('docs/chapters/07-claims.md:21: claim does not hold: "It falls at every epoch."')
    assert "step 1->2 goes the other way (0.23 -> 0.47)" in run.failures[0]


@pytest.mark.slow
def test_a_figure_alt_text_can_be_a_claim(tmp_path):
    project = mini_project(tmp_path / "project")
    (project / "docs/chapters/07-claims.md").write_text(textwrap.dedent("""\
        # 7. Claims

        ```python exec="on" html="1"
        from coursebuild.claims import claim, rising
        from dlcourse import figures
        y = [1.0, 2.0, 1.5]
        fig, ax = figures.new()
        ax.plot(y)
        print(figures.to_html(fig, name="claimed", alt=claim("A curve that rises at every step.", holds=rising(y))))
        ```
        """))
    _, run = render_page("chapters/07-claims.md", project / "mkdocs.yml")
    assert len(run.failures) == 1
    assert run.failures[0].startswith('docs/chapters/07-claims.md:9: claim does not hold: "A curve that rises at every step."')


@pytest.mark.slow
def test_a_false_claim_in_a_notebook_fails_the_build_naming_the_notebook_line(tmp_path):
    project = mini_project(tmp_path / "project")
    cells = [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# 8. A notebook\n"]},
        {"cell_type": "code", "id": "b", "execution_count": None, "metadata": {}, "outputs": [], "source": [
            "from IPython.display import Markdown, display\n",
            "from coursebuild.claims import claim, greater\n",
            "display(Markdown(claim('Five is more than {x}.', holds=greater(5, 3), x=3)))\n",
            "display(Markdown(claim('One is more than {x}.', holds=greater(1, 3), x=3)))\n"]},
    ]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    path = project / "docs/chapters/08-notebook.ipynb"
    path.write_text(json.dumps(notebook, indent=1) + "\n")
    line = next(n for n, text in enumerate(path.read_text().split("\n"), 1) if "One is more" in text)
    result = mkdocs_build(project)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert f'docs/chapters/08-notebook.ipynb:{line}: claim does not hold: "One is more than 3."' in log, log[-3000:]
