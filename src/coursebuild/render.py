"""Render one chapter exactly as ``mkdocs build`` does, without building the site.

Used by the chapter tests: the same Markdown extensions and options (read from mkdocs.yml), the
same equation rewriting and the same strict execution of code blocks.
"""

from __future__ import annotations

from pathlib import Path

import markdown
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.utils import get_relative_url

from coursebuild import equations, execute, outputs

REPO = Path(__file__).resolve().parents[2]


def render_page(src_path: str, config_file: Path = REPO / "mkdocs.yml") -> tuple[str, execute.PageRun]:
    """HTML of ``docs/<src_path>`` and the record of its blocks (``.failures``, ``.executed``)."""
    config = load_config(str(config_file))
    docs = Path(config.docs_dir)
    registry = equations.build_registry(equations.markdown_pages(get_files(config)))
    text = equations.expand_includes((docs / src_path).read_text(encoding="utf-8"), docs)

    def url_to(eq: equations.Equation, in_math: bool) -> str:
        if eq.src_path == src_path:
            return f"#{eq.anchor}"
        return get_relative_url(eq.src_path, src_path) + f"#{eq.anchor}"

    text = equations.render(src_path, text, registry, url_to)
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    execute.start_page(src_path, text)
    outputs.freeze_environment()
    try:
        html = md.convert(text)
    finally:
        outputs.thaw_environment()
        run = execute.finish_page()
    return html, run
