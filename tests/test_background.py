"""coursebuild.background: notebook pages rendered in forked children while the build goes on."""

import logging
import os
from pathlib import Path
from types import SimpleNamespace

from coursebuild.background import NotebooksAhead


def page(name):
    return SimpleNamespace(file=SimpleNamespace(src_uri=f"chapters/{name}.ipynb"))


def test_a_child_renders_in_its_own_process_and_the_build_logs_its_warnings(tmp_path, caplog):
    def render(p):
        Path(tmp_path, p.file.src_uri.replace("/", "-")).write_text(str(os.getpid()))
        logging.getLogger("mkdocs.plugins.jupyter").warning("cell 3 has no alt text")
        logging.getLogger("mkdocs.plugins.jupyter").info("converted")

    ahead = NotebooksAhead()
    ahead.start([page("08-lab")], render)
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        ahead.wait("chapters/08-lab.ipynb")
    written = (tmp_path / "chapters-08-lab.ipynb").read_text()
    assert written != str(os.getpid())  # rendered by another process
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [(r.name, r.getMessage()) for r in warnings] == [("mkdocs.plugins.jupyter", "cell 3 has no alt text")]
    assert any("rendered in the background" in r.getMessage() for r in caplog.records)
    assert not ahead.children


def test_a_failing_child_leaves_the_page_to_the_build(caplog):
    def render(p):
        raise ValueError("cell seven is broken")

    ahead = NotebooksAhead()
    ahead.start([page("08-lab")], render)
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        ahead.wait("chapters/08-lab.ipynb")
    assert any("did not render in the background (exit code 1); rendering it now" in r.getMessage()
               for r in caplog.records)


def test_waiting_for_a_page_without_a_child_returns_and_stop_ends_the_rest():
    import time

    ahead = NotebooksAhead()
    ahead.wait("chapters/01-neuron.md")
    ahead.start([page("08-lab")], lambda p: time.sleep(60))
    child = ahead.children["chapters/08-lab.ipynb"][0]
    ahead.stop()
    assert not child.is_alive() and not ahead.children
