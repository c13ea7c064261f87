"""Only the notebook styles a rendered notebook uses: mkdocs-jupyter inlines all of JupyterLab's.

mkdocs-jupyter puts JupyterLab's whole stylesheet (about 560 KB, 83 KB compressed: the styles of
every JupyterLab panel, menu and widget, and a thousand colour variables) into each notebook page,
and print-site copies it into the print page. ``prune`` keeps the rules whose selectors can match
an element of the page (every class and id they name occurs in it) and the custom properties
(``--name``) that kept rules use, directly or through other properties. Rules the page cannot
match never apply, and unused variables are never read, so the page looks exactly as before.

The stylesheet is parsed with tinycss2 (pinned in requirements.txt). Pruning takes about half a
second, on every build since MkDocs renders every page: ``prune_cached`` keeps its result in the
build cache, keyed by the page, this module's source and tinycss2's version.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import tinycss2

from coursebuild import outputs

STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
CLASS_ATTRIBUTE = re.compile(r"""\sclass=["']([^"']*)["']""")
ID_ATTRIBUTE = re.compile(r"""\sid=["']([^"']*)["']""")
# In a selector: what must be on the page for it to match. Arguments of :not(), :is(), ... are
# dropped first (a class inside :not() is one the element must NOT have).
FUNCTIONAL_PSEUDO = re.compile(r":[\w-]+\((?:[^()]|\([^()]*\))*\)")
ATTRIBUTE_SELECTOR = re.compile(r"\[[^\]]*\]")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
SELECTOR_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
VARIABLE = re.compile(r"var\(\s*(--[\w-]+)")


def _can_match(selector: str, classes: set[str], ids: set[str]) -> bool:
    """Whether every class and id ``selector`` requires is on the page; Material's own classes
    (``md-``, on the page around the notebook) are assumed to be."""
    plain = ATTRIBUTE_SELECTOR.sub("", FUNCTIONAL_PSEUDO.sub("", selector))
    return (all(name in classes or name.startswith("md-") for name in SELECTOR_CLASS.findall(plain))
            and all(name in ids for name in SELECTOR_ID.findall(plain)))


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside parentheses)."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(prelude[start:i].strip())
            start = i + 1
    parts.append(prelude[start:].strip())
    return [part for part in parts if part]


def _rules(nodes, classes: set[str], ids: set[str]) -> list:
    """(selector text, declarations) for kept style rules, and at-rules as (at-rule, children)."""
    kept = []
    for node in nodes:
        if node.type == "qualified-rule":
            selectors = [s for s in _split_selectors(tinycss2.serialize(node.prelude)) if _can_match(s, classes, ids)]
            if selectors:
                declarations = [d for d in tinycss2.parse_blocks_contents(node.content, skip_whitespace=True,
                                                                         skip_comments=True)
                                if d.type == "declaration"]
                kept.append((",".join(selectors), declarations))
        elif node.type == "at-rule":
            if node.content is not None and node.lower_at_keyword in ("media", "supports", "layer", "container"):
                children = _rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True),
                                  classes, ids)
                if children:
                    kept.append((node, children))
            else:  # @font-face, @keyframes, @charset, @import: few and small, kept as they are
                kept.append((node, None))
    return kept


def _declarations(kept) -> list:
    for head, body in kept:
        if isinstance(head, str):
            yield from body
        elif body:
            yield from _declarations(body)


def _used_variables(kept) -> set[str]:
    """Custom properties read by a kept declaration, and those they read in turn."""
    definitions: dict[str, list[str]] = {}
    used: set[str] = set()
    for declaration in _declarations(kept):
        value = tinycss2.serialize(declaration.value)
        if declaration.name.startswith("--"):
            definitions.setdefault(declaration.name, []).append(value)
        else:
            used.update(VARIABLE.findall(value))
    for head, body in kept:  # an at-rule kept whole (@keyframes) may read variables too
        if not isinstance(head, str) and body is None:
            used.update(VARIABLE.findall(tinycss2.serialize([head])))
    pending = list(used)
    while pending:
        for value in definitions.get(pending.pop(), []):
            for name in VARIABLE.findall(value):
                if name not in used:
                    used.add(name)
                    pending.append(name)
    return used


def _serialize(kept, variables: set[str]) -> str:
    out = []
    for head, body in kept:
        if isinstance(head, str):
            declarations = [f"{d.name}:{tinycss2.serialize(d.value).strip()}{' !important' if d.important else ''}"
                            for d in body if not d.name.startswith("--") or d.name in variables]
            if declarations:
                out.append(f"{head}{{{';'.join(declarations)}}}")
        elif body is None:
            out.append(tinycss2.serialize([head]))
        else:
            inner = _serialize(body, variables)
            if inner:
                out.append(f"@{head.at_keyword} {tinycss2.serialize(head.prelude).strip()}{{{inner}}}")
    return "".join(out)


def _page_names(page_html: str) -> tuple[set[str], set[str]]:
    classes = {name for value in CLASS_ATTRIBUTE.findall(page_html) for name in value.split()}
    return classes, set(ID_ATTRIBUTE.findall(page_html))


def _kept(css: str, classes: set[str], ids: set[str]) -> list:
    return _rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), classes, ids)


def prune_css(css: str, page_html: str) -> str:
    """The rules of ``css`` that can apply to ``page_html``, with only the variables they use."""
    kept = _kept(css, *_page_names(page_html))
    return _serialize(kept, _used_variables(kept))


def prune(page_html: str) -> str:
    """``page_html`` (a rendered notebook) with its ``<style>`` blocks pruned to what it uses.

    The blocks are pruned together: a variable one block defines (the theme's colours) is read by
    rules of another (the notebook's).
    """
    names = _page_names(page_html)
    blocks = [_kept(match.group(2), *names) for match in STYLE.finditer(page_html)]
    variables = _used_variables([rule for block in blocks for rule in block])
    pruned = iter(blocks)
    return STYLE.sub(lambda m: m.group(1) + _serialize(next(pruned), variables) + m.group(3), page_html)


def prune_cached(page_html: str) -> str:
    """``prune(page_html)``, from the cache folder ``notebookcss`` when this page was pruned
    before by this code (a verified entry of ``coursebuild.outputs``; a bad one is logged and the
    page pruned again).

    Raises:
        CacheIOError: the entry exists but cannot be read, or cannot be written.
    """
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(tinycss2.__version__.encode() + b"\0" + page_html.encode())
    key = digest.hexdigest()
    pruned = outputs.load(key, "notebookcss", redo="pruning the notebook's styles again")
    if pruned is None:
        pruned = prune(page_html)
        outputs.save(key, pruned, "notebookcss")
    return pruned
