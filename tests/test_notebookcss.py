"""The notebook page keeps only the JupyterLab styles it can use (coursebuild/notebookcss.py)."""

import pytest

from coursebuild import notebookcss
from coursebuild.notebookcss import prune, prune_css

PAGE = '<div class="jupyter-wrapper"><div class="jp-Cell jp-CodeCell" id="cell-1"><span class="k">def</span></div></div>'


def test_rules_for_absent_classes_and_ids_go():
    css = ".jp-Cell{margin:0}.jp-Toolbar{height:9px}#cell-1{color:red}#nowhere{color:blue}.jp-Cell .k{color:green}"
    kept = prune_css(css, PAGE)
    assert ".jp-Cell{margin:0}" in kept and "#cell-1{color:red}" in kept and ".jp-Cell .k{color:green}" in kept
    assert "jp-Toolbar" not in kept and "nowhere" not in kept


def test_a_selector_list_keeps_its_matching_selectors_and_not_is_no_requirement():
    kept = prune_css(".jp-Toolbar,.jp-CodeCell{padding:1px}.jp-Cell:not(.jp-mod-hidden){display:block}", PAGE)
    assert kept == ".jp-CodeCell{padding:1px}.jp-Cell:not(.jp-mod-hidden){display:block}"


def test_materials_classes_around_the_notebook_are_assumed_present():
    assert prune_css("[data-md-color-scheme=slate] .md-typeset .jp-Cell{color:white}", PAGE)


def test_only_variables_in_use_are_kept_followed_through_other_variables():
    css = (".jupyter-wrapper{--a:var(--b);--b:#123;--c:#456;--unused:1px}"
           ".jp-Cell{color:var(--a)}.jp-Toolbar{color:var(--c)}")
    kept = prune_css(css, PAGE)
    assert "--a:var(--b)" in kept and "--b:#123" in kept
    assert "--c" not in kept and "--unused" not in kept


def test_media_rules_are_pruned_inside_and_dropped_when_empty():
    css = "@media (max-width: 600px){.jp-Cell{margin:0}.jp-Toolbar{margin:1px}}@media print{.jp-Toolbar{x:1}}"
    assert prune_css(css, PAGE) == "@media (max-width: 600px){.jp-Cell{margin:0}}"


def test_variables_defined_in_one_style_block_and_read_in_another_are_kept():
    page = PAGE + "<style>.jupyter-wrapper{--ink:#111;--other:#222}</style><style>.k{color:var(--ink)}</style>"
    pruned = prune(page)
    assert "--ink:#111" in pruned and "--other" not in pruned and ".k{color:var(--ink)}" in pruned
    assert pruned.startswith(PAGE)


def test_prune_cached_stores_the_pruned_page_and_verifies_it_when_read(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DLCOURSE_CACHE_DIR", str(tmp_path / "dlcourse"))
    page = ('<style>.used{color:red}.unused{color:blue}</style>'
            '<div class="used">x</div>')
    pruned = notebookcss.prune_cached(page)
    assert pruned == notebookcss.prune(page) and ".unused" not in pruned
    entry, = (tmp_path / "notebookcss").glob("*.json")

    real_prune = notebookcss.prune
    monkeypatch.setattr(notebookcss, "prune", lambda html: pytest.fail("pruned again"))
    assert notebookcss.prune_cached(page) == pruned  # from the cache

    entry.write_bytes(entry.read_bytes().replace(b"red", b"rod"))  # still JSON, another colour
    monkeypatch.setattr(notebookcss, "prune", real_prune)
    assert notebookcss.prune_cached(page) == pruned
    assert f"discarded the cache entry {entry}" in caplog.text

    other = '<style>.used{color:red}</style><p class="other">y</p>'
    assert notebookcss.prune_cached(other) == notebookcss.prune(other)  # another page, its own entry
