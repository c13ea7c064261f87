"""Author–year citations from one BibTeX file (``docs/references.bib``).

An author cites an entry in a page's prose with its key in brackets::

    Backpropagation [@rumelhart1986] ...       ->  Backpropagation (Rumelhart, Hinton & Williams, 1986)
    Black and Scholes [-@black1973] ...         ->  Black and Scholes (1973)
    [@black1973; @merton1973]                   ->  (Black & Scholes, 1973; Merton, 1973)
    [@hull2018, ch. 15]                         ->  (Hull, 2018, ch. 15)

Each citation links to the page's own references list, which the build appends at the end of the
page (``## References``), and each list points to the references page, which lists every entry
(a page holding the ``BIBLIOGRAPHY`` marker). Up to three authors are named, four or more as
"First et al.". Citations inside code (fenced or inline) and math are left alone; ``[@x](url)``
and ``[@x]: url`` are Markdown links, not citations. A key that no entry has, and an entry that
no page cites, fail the build naming file and line. The file is parsed by pybtex; DOIs and URLs
are written out as links, never fetched.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from pybtex.database import BibliographyData, Person, parse_string
from pybtex.richtext import Text
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError

from coursebuild import equations

BIB_NAME = "references.bib"  # in docs/
REFERENCES_PAGE = "references.md"  # holds the BIBLIOGRAPHY marker
BIBLIOGRAPHY = "<!-- bibliography: every entry of references.bib -->"
KEY = r"[A-Za-z][A-Za-z0-9_:.-]*"
ITEM = re.compile(rf"^\s*(?P<year_only>-?)@(?P<key>{KEY})\s*(?:,\s*(?P<locator>[^;]+?))?\s*$")
# A bracket whose content starts with @ or -@, and is not a Markdown link ([@x](url), [@x][ref]).
CITATION = re.compile(r"\[(?P<body>-?@[^\[\]\n]*)\](?![(\[])")
# A link reference definition: "[@x]: url" at the start of a line.
DEFINITION = re.compile(r" {0,3}\[[^\]]*\]:\s*\S")


class CitationError(ValueError):
    """A citation an author must fix; the message names the file and line."""


@dataclass(frozen=True)
class Citation:
    key: str
    src_path: str
    line: int


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str  # "Rumelhart, Hinton & Williams", "LeCun et al."
    year: str
    html: str  # the full entry, as one line of HTML
    line: int  # line of the entry in the .bib file


def _latex(text: str) -> str:
    """A BibTeX field as plain Unicode text (accents decoded, protective braces dropped)."""
    return str(Text.from_latex(text))


def _surname(person: Person) -> str:
    return _latex(" ".join(person.prelast_names + person.last_names))


def _full_name(person: Person) -> str:
    initials = " ".join(f"{_latex(name)[0]}." for name in person.first_names + person.middle_names)
    return f"{_surname(person)}, {initials}" if initials else _surname(person)


def _in_text_authors(people: list[Person]) -> str:
    names = [_surname(person) for person in people]
    if len(names) >= 4:
        return f"{names[0]} et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]


def _entry_html(entry, people: list[Person]) -> str:
    """APA-like: Authors (year). Title. *Container*, volume(number), pages. Link."""
    fields = {name: html.escape(_latex(value)) for name, value in entry.fields.items()}
    names = [html.escape(_full_name(person)) for person in people]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", &amp; " + names[-1]
    parts = [f"{authors} ({fields['year']})."]
    if entry.type == "book":
        edition = f" ({fields['edition']} ed.)" if "edition" in fields else ""
        parts.append(f"<em>{fields['title']}</em>{edition}. {fields.get('publisher', '')}.")
    else:
        parts.append(f"{fields['title']}.")
        container = fields.get("journal") or fields.get("booktitle")
        if container:
            issue = fields.get("volume", "")
            issue += f"({fields['number']})" if "number" in fields else ""
            pages = fields.get("pages", "").replace("--", "–")
            parts.append(", ".join(part for part in (f"<em>{container}</em>", issue, pages) if part) + ".")
        if "howpublished" in fields:
            parts.append(f"{fields['howpublished']}.")
    if "note" in fields:
        parts.append(f"{fields['note']}.")
    raw = entry.fields
    url = f"https://doi.org/{raw['doi']}" if "doi" in raw else raw.get("url")
    if url:
        parts.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
    return " ".join(parts)


def load(path: Path) -> dict[str, Reference]:
    """The entries of a BibTeX file, ``{key: Reference}``; a syntax error names file and line."""
    text = path.read_text(encoding="utf-8")
    try:
        data: BibliographyData = parse_string(text, "bibtex")
    except PybtexSyntaxError as error:  # "syntax error in line 4: ..."
        raise CitationError(f"{path}:{error.lineno}: {error}") from None
    except PybtexError as error:  # a duplicate key, for instance
        raise CitationError(f"{path}: {error}") from None
    references = {}
    for key, entry in data.entries.items():
        start = re.search(rf"@\w+\s*\{{\s*{re.escape(key)}\s*,", text)
        line = text.count("\n", 0, start.start()) + 1 if start else 1
        people = entry.persons.get("author", [])
        missing = [name for name in ("year", "title") if name not in entry.fields] + ([] if people else ["author"])
        if missing:
            raise CitationError(f"{path}:{line}: entry '{key}' has no {', '.join(missing)}")
        references[key] = Reference(key, _in_text_authors(people), _latex(entry.fields["year"]),
                                    _entry_html(entry, people), line)
    return references


def _prose_spans(markdown: str):
    """Yield ``(line_index, line)`` of the lines outside code fences and display math, and for
    each the spans of inline code and math to leave alone."""
    code = equations._code_lines(markdown)
    skip = set(code)
    for start, end, _ in equations._display_blocks(markdown, code):
        skip.update(range(start, end + 1))
    for i, line in enumerate(markdown.split("\n")):
        if i not in skip:
            yield i, line


def _citations_in(line: str):
    """The citation matches of one prose line, outside inline code and math."""
    protected = [(m.start(), m.end()) for m in equations.INLINE.finditer(line) if m.group("code") or m.group("math")]
    for match in CITATION.finditer(line):
        if match.start() == len(line) - len(line.lstrip()) and DEFINITION.match(line):
            continue
        if not any(start <= match.start() < end for start, end in protected):
            yield match


def _items(match: re.Match, src_path: str, line_no: int) -> list[re.Match]:
    items = [ITEM.match(part) for part in match.group("body").split(";")]
    if not all(items):
        raise CitationError(
            f"{src_path}:{line_no}: cannot read the citation {match.group(0)}; write [@key], "
            "[@key, p. 12], [-@key] (year only) or [@key1; @key2]"
        )
    return items


def scan(src_path: str, markdown: str) -> list[Citation]:
    """Every citation of one page, in order."""
    return [
        Citation(item.group("key"), src_path, i + 1)
        for i, line in _prose_spans(markdown)
        for match in _citations_in(line)
        for item in _items(match, src_path, i + 1)
    ]


def scan_notebook(src_path: str, text: str) -> list[Citation]:
    """Every citation in the Markdown cells of a notebook (``text``: the .ipynb file), each with the
    line of the notebook file it stands on."""
    import json

    lines = text.split("\n")
    found = []
    for cell in json.loads(text).get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", []))
            for citation in scan(src_path, source):
                key = f"@{citation.key}"
                line = next((i + 1 for i, line in enumerate(lines) if key in line), 1)
                found.append(Citation(citation.key, src_path, line))
    return found


def check(citations: list[Citation], references: dict[str, Reference], bib_path: str) -> None:
    """Fail on the first key no entry has, then on the first entry nothing cites."""
    for citation in citations:
        if citation.key not in references:
            close = sorted(references, key=lambda known: equations._distance(known, citation.key))[:3]
            raise CitationError(
                f"{citation.src_path}:{citation.line}: [@{citation.key}] names no entry of {bib_path}; "
                f"closest keys: {', '.join(close) or 'none (the file has no entries)'}"
            )
    cited = {citation.key for citation in citations}
    for reference in sorted(references.values(), key=lambda reference: reference.line):
        if reference.key not in cited:
            raise CitationError(
                f"{bib_path}:{reference.line}: entry '{reference.key}' is cited by no page; "
                "cite it where the course uses it, or delete it"
            )


def _by_author(references) -> list[Reference]:
    return sorted(set(references), key=lambda ref: (ref.authors.lower(), ref.year))


def _reference_list(references: list[Reference]) -> str:
    # md_in_html ("markdown" attributes): the entries stay part of the page's Markdown, so that
    # abbreviations (IEEE, ICLR) get their <abbr> like the rest of the text.
    items = "\n".join(f'<li id="ref-{ref.key}" markdown="span">{ref.html}</li>' for ref in references)
    return f'<ul class="references" markdown="1">\n{items}\n</ul>'


def _cited(match: re.Match, src_path: str, line_no: int,
           references: dict[str, Reference]) -> list[tuple[str, str]]:
    """(key, in-text label) of each source a ``[@...]`` citation names, e.g. ("kingma2015",
    "Kingma & Ba, 2015"); an unknown key raises CitationError naming the file and line."""
    found = []
    for item in _items(match, src_path, line_no):
        if item.group("key") not in references:
            check([Citation(item.group("key"), src_path, line_no)], references, BIB_NAME)
        ref = references[item.group("key")]
        text = ref.year if item.group("year_only") else f"{ref.authors}, {ref.year}"
        if item.group("locator"):
            text += f", {item.group('locator')}"
        found.append((ref.key, text))
    return found


def render(src_path: str, markdown: str, references: dict[str, Reference], all_references_url: str) -> str:
    """Rewrite one page: citations become links to its references list, appended at its end.

    ``all_references_url``: a relative ``.md`` link to the references page (which lists every
    entry where its ``BIBLIOGRAPHY`` marker stands).
    """
    if not src_path.endswith(".md"):  # a notebook: its HTML is rewritten instead (render_html)
        return markdown
    lines = markdown.split("\n")
    cited: list[str] = []

    def cite(match: re.Match, line_no: int) -> str:
        found = _cited(match, src_path, line_no, references)
        cited.extend(key for key, _ in found)
        return "(" + "; ".join(f"[{text}](#ref-{key}){{.citation}}" for key, text in found) + ")"

    for i, line in _prose_spans(markdown):
        pieces, last = [], 0
        for match in _citations_in(line):
            pieces += [line[last : match.start()], cite(match, i + 1)]
            last = match.end()
        lines[i] = "".join(pieces) + line[last:]
    out = "\n".join(lines)
    if BIBLIOGRAPHY in out:
        out = out.replace(BIBLIOGRAPHY, _reference_list(_by_author(references.values())))
    if cited:
        out = out.rstrip("\n") + (
            f"\n\n## References\n\n{INTRO.format(url=all_references_url)}\n\n"
            f"{_reference_list(_by_author(references[key] for key in cited))}\n"
        )
    return out


INTRO = "The sources this page cites; all of the course's are on the [references page]({url})."
# What stays literal in a rendered notebook: code, preformatted output, math, scripts.
LITERAL_HTML = re.compile(r"<(pre|code|script|style)\b.*?</\1>|\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|\$[^$<]+\$", re.S)


def render_html(src_path: str, html_text: str, references: dict[str, Reference], all_references_url: str) -> str:
    """A rendered notebook page: its literal ``[@key]`` text (nbconvert leaves it as it is) becomes
    the same links as on a Markdown page, and its references list is appended.

    ``all_references_url``: the references page's final URL, relative to this page.
    """
    cited: list[str] = []

    def cite(match: re.Match) -> str:
        found = _cited(match, src_path, 0, references)
        cited.extend(key for key, _ in found)
        return "(" + "; ".join(f'<a class="citation" href="#ref-{key}">{html.escape(text, quote=False)}</a>'
                               for key, text in found) + ")"

    pieces, last = [], 0
    for literal in LITERAL_HTML.finditer(html_text):
        pieces += [CITATION.sub(cite, html_text[last : literal.start()]), literal.group(0)]
        last = literal.end()
    out = "".join(pieces) + CITATION.sub(cite, html_text[last:])
    if not cited:
        return out
    items = "\n".join(f'<li id="ref-{ref.key}">{ref.html}</li>' for ref in _by_author(references[key] for key in cited))
    intro = INTRO.replace("[references page]({url})", f'<a href="{all_references_url}">references page</a>')
    return out + f'\n<h2 id="references">References</h2>\n<p>{intro}</p>\n<ul class="references">\n{items}\n</ul>\n'
