"""`make serve` rebuilds only what an edit touches (coursebuild.incremental), and still everything
an edit to a label reaches: run as `make serve` runs it, on a two-chapter copy of the course set-up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sitebuild import free_port, mini_project

pytestmark = pytest.mark.slow

DEFINES = """# Defining page

$$
a = 1
\\label{eq:first}
$$

$$
b = 2
\\label{eq:second}
$$
"""
CITES = "# Citing page\n\nThe second equation is \\eqref{eq:second}.\n"


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")


def eqref_shown(html: str) -> str | None:
    found = re.search(r'<a class="eqref" href="[^"]*#eq-second">\(([^)]*)\)</a>', html)
    return found and found.group(1)


def test_prose_edit_rebuilds_one_page_and_a_label_edit_renumbers_the_pages_citing_it(tmp_path):
    project = mini_project(tmp_path / "project")
    defining, citing = project / "docs/chapters/01-defines.md", project / "docs/chapters/02-cites.md"
    defining.write_text(DEFINES)
    citing.write_text(CITES)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "PRINT_SITE": "false", "NO_MKDOCS_2_WARNING": "1",
           "DLCOURSE_CACHE_DIR": str(tmp_path / "cache")}
    with open(log_path, "w") as log:
        server = subprocess.Popen(  # as `make serve` runs it
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload", "-a", f"127.0.0.1:{port}"],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    built = lambda page: log_path.read_text().count(f"building docs/chapters/{page}")  # noqa: E731

    def searchable() -> list[str]:
        index = json.loads(fetch(base + "search/search_index.json"))
        return sorted(doc["location"] for doc in index["docs"] if "#" not in doc["location"])
    try:
        wait_for(lambda: eqref_shown(fetch(base + "chapters/02-cites/")) == "1.2", "the first build")
        assert (built("01-defines"), built("02-cites")) == (1, 1)

        defining.write_text(DEFINES + "\nA sentence added to the prose.\n")
        wait_for(lambda: "A sentence added" in fetch(base + "chapters/01-defines/"), "the prose edit")
        assert (built("01-defines"), built("02-cites")) == (2, 1), "a prose edit re-rendered another page"
        page = fetch(base + "chapters/01-defines/")
        assert "Citing page" in page, "the page not read this time lost its title in the navigation"
        assert "A &#39;dirty&#39; build" not in page and "Aborted" not in log_path.read_text()
        assert searchable() == ["", "chapters/01-defines/", "chapters/02-cites/"], "the search index lost pages"

        defining.write_text(DEFINES.replace("$$\nb = 2", "$$\nc = 3\n\\label{eq:inserted}\n$$\n\n$$\nb = 2"))
        wait_for(lambda: eqref_shown(fetch(base + "chapters/02-cites/")) == "1.3",
                 "the citing page to renumber eq:second as (1.3)")
        assert built("02-cites") == 2
        assert 'id="eq-second" data-eq-number="1.3"' in fetch(base + "chapters/01-defines/")
        assert searchable() == ["", "chapters/01-defines/", "chapters/02-cites/"], "the search index lost pages"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode is not None
