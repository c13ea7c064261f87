"""MkDocs hook (``hooks:`` in mkdocs.yml): keep Material's palette from restyling every page twice.

On every page load Material's palette component applies the palette the page already has, and
while it does it marks ``<body>`` with ``data-md-color-switching`` (removed a frame later). Its
stylesheet suppresses transitions under that mark with ``[data-md-color-switching] *``, a rule
on every descendant of ``<body>``: setting the attribute and removing it each make Chromium
restyle the whole document. On a chapter (2,000-9,000 elements) that is 50-90 ms of the main
thread each time, right when the first screen is being drawn; measured in Chromium's trace
(thread time, warm load, median of 3): chapter 5 spent 290 ms restyling with the rule and 200 ms
without it, chapter 1 130 ms and 80 ms. The home page, with 345 elements, hardly paid it, so a
chapter fell behind the home page by more than its own size.

This hook drops that one rule from the built palette stylesheet. What it did for a reader who
switches between light and dark (no colour fades while the palette changes) is done by
``html.course-palette-switching`` in stylesheets/course.css, which javascripts/lecture.js sets
only when the reader clicks the toggle: the cost moves from every page load to the click.
"""

from __future__ import annotations

from pathlib import Path

# Material 9.x's palette.<hash>.min.css, as minified; the build fails if it is not found, so an
# upgrade that changes it is noticed (re-measure, and update this or drop the hook).
SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,[data-md-color-switching] :before"
    "{transition-duration:0s!important}"
)


# Left in its place, so a stylesheet already rewritten (``mkdocs serve`` copies the theme's
# files again only when they changed) is recognised.
DROPPED = "/* coursebuild.palette: [data-md-color-switching] rule dropped */"


def drop_switching_rule(css: str, name: str = "palette stylesheet") -> str:
    """``css`` without Material's ``[data-md-color-switching]`` rule (unchanged if already without).

    Raises:
        ValueError: the rule is not in ``css`` exactly once (Material changed its stylesheet).
    """
    if DROPPED in css and SWITCHING_RULE not in css:
        return css
    count = css.count(SWITCHING_RULE)
    if count != 1:
        raise ValueError(
            f"{name}: expected Material's [data-md-color-switching] transition rule once, found it {count} times; "
            "Material's palette stylesheet changed: see coursebuild/palette.py"
        )
    return css.replace(SWITCHING_RULE, DROPPED)


def on_post_build(config, **kwargs) -> None:
    """Rewrite the site's palette stylesheet without the rule (only when the theme ships one)."""
    for path in sorted(Path(config["site_dir"], "assets", "stylesheets").glob("palette.*.min.css")):
        path.write_text(drop_switching_rule(path.read_text(encoding="utf-8"), str(path)), encoding="utf-8")
