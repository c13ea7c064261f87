"""Numbered, citable display equations: ``(chapter.n)`` numbers, ``#eq-<label>`` anchors, ``\\eqref``.

An author writes a display equation with a label::

    $$
    a = \\sum_{i=1}^{n} w_i x_i - \\theta
    \\label{eq:weighted-input}
    $$

and cites it anywhere on the site, in prose or inside math, with ``\\eqref{eq:weighted-input}``.
At build time every labelled display on a chapter page ``chapters/NN-name.md`` gets the number
``(NN.k)`` (k counts the page's labelled displays in order), an anchor ``id="eq-weighted-input"``
and a visible permalink. The number is HTML text beside the formula (``<span class="eq-number">``),
not a ``\\tag`` inside it: MathJax draws a tagged display as one SVG as wide as its body plus the
tag, so on a phone a long formula pushed its number out of sight, while text beside a formula that
scrolls in its own box stays in view (``docs/stylesheets/course.css``); it needs no label
bookkeeping of MathJax's either (per page, broken across pages and on instant navigation). Every
``\\eqref`` becomes a link showing the number, also across pages.
An unknown or duplicated label is an error that names the file and line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LABEL = re.compile(r"\\label\{(eq:[A-Za-z0-9_.:-]+)\}")
EQREF = re.compile(r"\\eqref\{([^}]*)\}")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
CHAPTER_FILE = re.compile(r"(?:^|/)(\d+)-[^/]*\.md$")
# Inline code, inline math ($...$ or \(...\)), or an \eqref: the pieces a prose line is made of.
INLINE = re.compile(r"(?P<code>`+[^`]*`+)|(?P<math>(?<!\\)\$[^$\n]+?(?<!\\)\$|\\\(.+?\\\))|" + EQREF.pattern)


INCLUDE = re.compile(r'^--8<-- "([^"]+)"\s*$', re.M)


def expand_includes(markdown: str, docs_dir) -> str:
    """Inline whole-file snippet lines (``--8<-- "errata/x.md"``) so their ``\\eqref`` resolve too.

    pymdownx.snippets would include them later, after equations are processed; the other snippet
    forms (sections, ``auto_append``) are left to it.
    """
    from pathlib import Path

    def include(match: re.Match) -> str:
        path = Path(docs_dir) / match.group(1)
        return path.read_text(encoding="utf-8").rstrip("\n") if path.is_file() else match.group(0)

    return INCLUDE.sub(include, markdown)


class EquationError(ValueError):
    """A labelling mistake an author must fix; the message names the file and line."""


@dataclass(frozen=True)
class Equation:
    label: str  # "eq:weighted-input"
    number: str  # "1.1"
    src_path: str  # "chapters/01-neuron.md"
    line: int  # 1-based line of the opening $$

    @property
    def anchor(self) -> str:
        """The HTML id: ``eq-weighted-input`` (colons are awkward in URLs and CSS)."""
        return "eq-" + self.label.split(":", 1)[1]


def chapter_number(src_path: str) -> str | None:
    """``"chapters/05-backpropagation.md"`` -> ``"5"``; pages without a number -> ``None``."""
    match = CHAPTER_FILE.search(src_path.replace("\\", "/"))
    return str(int(match.group(1))) if match else None


def _display_blocks(markdown: str, code: set[int] | None = None):
    """Yield ``(start, end, indent)`` line indices of ``$$`` display blocks outside code fences.

    ``code``: the fenced lines (``_code_lines``), if the caller has them already.
    """
    lines = markdown.split("\n")
    code = _code_lines(markdown) if code is None else code
    i = 0
    while i < len(lines):
        line = lines[i]
        if i not in code and line.strip().startswith("$$"):
            indent = line[: len(line) - len(line.lstrip())]
            end = i
            if not (line.strip() != "$$" and line.strip().endswith("$$") and len(line.strip()) > 4):
                end = i + 1
                while end < len(lines) and not lines[end].strip().endswith("$$"):
                    end += 1
                if end == len(lines):
                    raise EquationError(f"line {i + 1}: a display equation opened with $$ is never closed")
            yield i, end, indent
            i = end
        i += 1


def scan(src_path: str, markdown: str) -> list[Equation]:
    """The labelled equations of one page, numbered in order."""
    chapter = chapter_number(src_path)
    lines = markdown.split("\n")
    equations = []
    for start, end, indent in _display_blocks(markdown):
        labels = LABEL.findall("\n".join(lines[start : end + 1]))
        if len(labels) > 1:
            raise EquationError(
                f"{src_path}:{start + 1}: one display equation has {len(labels)} labels {labels}; "
                "give each numbered equation its own $$ block"
            )
        if labels:
            if indent:
                raise EquationError(
                    f"{src_path}:{start + 1}: labelled equation '{labels[0]}' is indented (inside an "
                    "admonition, list or tab); numbered equations must stand at the top level"
                )
            k = len(equations) + 1
            number = f"{chapter}.{k}" if chapter else str(k)
            equations.append(Equation(labels[0], number, src_path, start + 1))
    return equations


def markdown_pages(files) -> dict[str, str]:
    """``{src_uri: text}`` of the site's Markdown pages, from MkDocs's ``Files`` (which leaves
    out what ``exclude_docs`` excludes, such as snippet parts): what ``build_registry`` reads."""
    return {f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri.endswith(".md")}


def build_registry(pages: dict[str, str]) -> dict[str, Equation]:
    """Labels of the whole site: ``{src_path: markdown}`` -> ``{label: Equation}``."""
    registry: dict[str, Equation] = {}
    for src_path in sorted(pages):
        for equation in scan(src_path, pages[src_path]):
            if equation.label in registry:
                first = registry[equation.label]
                raise EquationError(
                    f"{src_path}:{equation.line}: label '{equation.label}' is already used at "
                    f"{first.src_path}:{first.line}; labels must be unique across the site"
                )
            registry[equation.label] = equation
    return registry


def render(src_path: str, markdown: str, registry: dict[str, Equation], url_to) -> str:
    """Rewrite one page: number its labelled displays and turn every ``\\eqref`` into a link.

    ``url_to(equation, in_math)`` gives the link target: a relative ``.md`` link for Markdown
    (MkDocs then resolves and validates it), a final URL inside math (``\\href``).
    """
    lines = markdown.split("\n")

    def resolve(label: str, line_no: int) -> Equation:
        if label not in registry:
            close = sorted(registry, key=lambda known: _distance(known, label))[:3]
            raise EquationError(
                f"{src_path}:{line_no}: \\eqref{{{label}}} names no equation; "
                f"closest known labels: {', '.join(close) or 'none (no labelled equations yet)'}"
            )
        return registry[label]

    def tex_refs(tex: str, line_no: int) -> str:
        def link(match: re.Match) -> str:
            eq = resolve(match.group(1), line_no)
            return rf"\href{{{url_to(eq, True)}}}{{({eq.number})}}"

        return EQREF.sub(link, tex)

    def prose_refs(line: str, line_no: int) -> str:
        def piece(match: re.Match) -> str:
            if match.group("code"):
                return match.group(0)
            if match.group("math"):
                return tex_refs(match.group(0), line_no)
            eq = resolve(match.group(3), line_no)
            return f"[({eq.number})]({url_to(eq, False)}){{.eqref}}"

        return INLINE.sub(piece, line)

    out: list[str] = []
    in_code = _code_lines(markdown)
    displays = {start: (end, indent) for start, end, indent in _display_blocks(markdown, in_code)}
    i = 0
    while i < len(lines):
        if i in displays:
            end, indent = displays[i]
            block = "\n".join(lines[i : end + 1])
            labels = LABEL.findall(block)
            tex = tex_refs(block.strip()[2:-2], i + 1)
            if labels:
                eq = registry[labels[0]]
                out.append(_numbered_html(eq, LABEL.sub("", tex).strip()))
            else:
                out.extend(tex_refs(block, i + 1).split("\n"))
            i = end + 1
            continue
        out.append(lines[i] if i in in_code else prose_refs(lines[i], i + 1))
        i += 1
    return "\n".join(out)


def _numbered_html(eq: Equation, tex: str) -> str:
    """Raw HTML for a numbered display (blank lines around it keep Markdown out of the TeX):
    the formula, its number as text after it (what a screen reader reads next), the permalink."""
    body = html.escape(tex.strip(), quote=False)
    return (
        f'\n<div class="equation" id="{eq.anchor}" data-eq-number="{eq.number}">\n'
        f'<div class="arithmatex">\\[\n{body}\n\\]</div>\n'
        f'<span class="eq-number">({eq.number})</span>\n'
        f'<a class="eq-permalink" href="#{eq.anchor}" title="Link to Eq. ({eq.number})" '
        f'aria-label="Link to Eq. ({eq.number})">¶</a>\n'
        "</div>\n"
    )


def _code_lines(markdown: str) -> set[int]:
    """Indices of lines inside fenced code blocks (their ``\\eqref`` stays literal)."""
    inside, fence = set(), None
    for i, line in enumerate(markdown.split("\n")):
        match = FENCE.match(line)
        if fence:
            inside.add(i)
            if match and match.group("fence")[0] == fence[0] and len(match.group("fence")) >= len(fence):
                fence = None
        elif match:
            fence = match.group("fence")
            inside.add(i)
    return inside


def _distance(a: str, b: str) -> int:
    """Edit distance, for "did you mean" suggestions."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
