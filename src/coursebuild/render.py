"""Render one chapter exactly as ``mkdocs build`` does, without building the site.

Used by the chapter tests: the same Markdown extensions and options (read from mkdocs.yml), the
same equation rewriting and the same strict execution of code blocks.
"""

from __future__ import annotations

from pathlib import Path

import markdown
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from coursebuild import equations, execute, outputs
from coursebuild import page as coursepage

REPO = Path(__file__).resolve().parents[2]


def render_page(src_path: str, config_file: Path = REPO / "mkdocs.yml") -> tuple[str, execute.PageRun]:
    """HTML of ``docs/<src_path>`` and the record of its blocks (``.failures``, ``.executed``)."""
    config = load_config(str(config_file))
    files = get_files(config)
    pages = equations.markdown_pages(files)
    registry = equations.build_registry(pages)
    references = coursepage.references_of(pages, config.docs_dir)
    text = (Path(config.docs_dir) / src_path).read_text(encoding="utf-8")
    text = coursepage.prepare(src_path, text, config.docs_dir, registry, references, files)
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    outputs.freeze_environment()
    try:
        html = md.convert(text)
    finally:
        outputs.thaw_environment()
        run = execute.finish_page()
    return html, run
