"""Matplotlib figures for the course site: inline SVG, byte-stable, legible in light and dark.

A chapter block makes a figure and prints it::

    ```python exec="on" html="1"
    fig, ax = figures.new()
    ax.plot(z, sigmoid(z), label="sigmoid")
    print(figures.to_html(fig, alt="The logistic function rises from 0 to 1.", name="sigmoid"))
    ```

- **Byte-stable**: no date in the metadata, element ids salted with the figure's ``name``
  (unique per page, so two figures on one page never share an id), text as ``<text>``.
- **Both colour schemes**: axes, ticks, labels and legend text are drawn in a placeholder colour
  that becomes ``currentColor``, so the SVG takes the page's text colour; backgrounds are
  transparent; the data colours (``PALETTE``) read on white and on Material's slate.
- **Alt text**: required; it becomes the SVG's ``<title>`` and ``aria-label`` (``role="img"``).
- **Light**: path coordinates keep two decimals of a point (1/100 pt, about 1/75 px: nothing a
  screen or a 600 dpi printer shows; Matplotlib writes six), and embedded images (``imshow``) are
  re-encoded losslessly: as an indexed PNG when they have at most 256 colours, as colour-mapped
  images always do, else as an optimized PNG, whichever is smaller; the pixels are unchanged.
- **No stylesheet**: Matplotlib sets its line defaults with a ``<style>`` rule for ``*``. Inlined
  in a page, a ``<style>`` is a stylesheet of the whole page, its rule reaching every element of
  it, and each one the parser meets makes the browser restyle the whole page. The same defaults
  are attributes of the figure's root ``<svg>`` instead, which every shape in it inherits.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import warnings

import matplotlib

# The build draws off screen. A Jupyter kernel names its own backend in MPLBACKEND (the inline
# one): keep it there, so that a student's own plt.show() in the lab notebook still shows.
if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Colours that stay readable on both a white and a dark slate background.
PALETTE = ["#3b82f6", "#f97316", "#10b981", "#e11d48", "#a855f7", "#eab308", "#06b6d4", "#78716c"]
INK = "#010203"  # "the page's text colour": use it for marker edges, annotations; becomes currentColor
_PAPER = "#fdfcfb"  # placeholder for "the page's background" (legend boxes)

# Legibility where the course is read. A figure scales to the text column, which is 358 px wide on
# a 390 px phone (Material's 0.8rem margins), and never beyond its drawn size (1 pt = 4/3 px).
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 11.0
MAX_BYTES = 100_000

STYLE = {
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.facecolor": _PAPER,
    "legend.edgecolor": INK,
    "legend.framealpha": 0.85,
    "grid.color": "#8886",
    "axes.grid": True,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "lines.linewidth": 2.0,
    "svg.fonttype": "none",
}


def new(nrows: int = 1, ncols: int = 1, width: float = 4.8, height: float = 3.6, **kwargs):
    """A figure and its axes in the course style: ``plt.subplots`` with the course's rcParams.

    The default width, 4.8 in, keeps 11 pt text at 11 px or more on a 390 px phone (``to_html``
    warns otherwise): put several panels under each other rather than side by side.

    The style is installed process-wide (legends, titles and colour bars read rcParams when
    they are created, after this returns); the build process draws nothing but course figures.
    """
    plt.rcParams.update(STYLE)
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)


PATH_DATA = re.compile(r'\sd="[^"]*"')
NUMBER = re.compile(r"-?\d+\.\d+")
PNG_DATA = re.compile(r'(xlink:href="data:image/png;base64,)([^"]+)(")')
# Matplotlib's default line join and cap for every shape without its own (backend_svg writes them
# once, ahead of the drawing).
DEFAULT_STYLE = re.compile(
    r'\s*<defs>\s*<style type="text/css">\*\{stroke-linejoin: round; stroke-linecap: butt\}</style>\s*</defs>'
)


def _two_decimals(match: re.Match) -> str:
    rounded = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if rounded == "-0" else rounded


def _smallest_png(png: bytes) -> bytes:
    """``png`` re-encoded with the same pixels, in the smallest of: indexed colour (when it has at
    most 256 RGBA colours), its own mode optimized, and the original."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    candidates = [png]
    optimized = io.BytesIO()
    image.save(optimized, "PNG", optimize=True)
    candidates.append(optimized.getvalue())
    rgba = image.convert("RGBA")
    colours = rgba.getcolors(256)
    if colours is not None:
        palette = sorted(colour for _, colour in colours)  # sorted: the same bytes every build
        index = {colour: i for i, colour in enumerate(palette)}
        indexed = Image.new("P", rgba.size)
        indexed.putdata([index[pixel] for pixel in rgba.get_flattened_data()])
        indexed.putpalette([channel for colour in palette for channel in colour[:3]])
        buffer = io.BytesIO()
        indexed.save(buffer, "PNG", optimize=True, transparency=bytes(colour[3] for colour in palette))
        if Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA").tobytes() != rgba.tobytes():
            raise AssertionError("indexed PNG changed the image's pixels")  # cannot happen: a guard
        candidates.append(buffer.getvalue())
    return min(candidates, key=len)


def without_stylesheet(svg: str) -> str:
    """``svg`` (from the ``<svg`` tag on) with Matplotlib's ``<style>`` block replaced by the same
    line defaults as attributes of its root element, inherited by every shape it holds.

    Raises:
        ValueError: ``svg`` has a ``<style>`` other than Matplotlib's default one.
    """
    svg = DEFAULT_STYLE.sub("", svg, count=1)
    if "<style" in svg:
        found = svg[svg.index("<style") :][:120]
        raise ValueError(
            "expected Matplotlib's SVG with only its default <style>"
            f" (*{{stroke-linejoin: round; stroke-linecap: butt}}); found {found!r}"
        )
    return svg.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)


def lighten(svg: str) -> str:
    """``svg`` with path data to 1/100 pt and every embedded PNG re-encoded losslessly, smaller."""
    svg = PATH_DATA.sub(lambda m: NUMBER.sub(_two_decimals, m.group(0)), svg)
    return PNG_DATA.sub(
        lambda m: m.group(1) + base64.b64encode(_smallest_png(base64.b64decode(m.group(2)))).decode() + m.group(3),
        svg,
    )


def to_svg(fig, name: str) -> str:
    """The figure as a byte-stable SVG string; closes the figure.

    ``name`` salts the SVG's element ids: give each figure of a page its own name.
    """
    if not name or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"name must be a non-empty identifier like 'sigmoid-vs-tanh'; got {name!r}")
    buffer = io.StringIO()
    with plt.rc_context({**STYLE, "svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg.replace(INK, "currentColor").replace(_PAPER, "var(--md-default-bg-color, #fff)")
    # Mathtext's prime is glyph "0" of the TeX symbol font cmsy10; with text kept as text, a
    # browser without that font shows f'(z) as "f0(z)". Write the Unicode prime instead.
    svg = re.sub(r"font-family: 'cmsy10'([^>]*)>0<", r"font-family: 'DejaVu Sans'\1>′<", svg)
    svg = lighten(without_stylesheet(svg[svg.index("<svg") :]))  # no XML prolog or DOCTYPE: inlined in HTML
    # Inline SVGs share the page's id space: prefix every id (and every reference to one) with
    # the figure's name, so "figure_1" or a clip path of one figure never collides with another's.
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    return re.sub(r"#([A-Za-z_][\w.-]*)", lambda m: f"#{name}-{m.group(1)}" if m.group(1) in ids else m.group(0), svg)


def smallest_text_px(svg: str, column_px: float = PHONE_COLUMN_PX) -> float:
    """The rendered size, in CSS px, of the smallest text run of ``svg`` in a ``column_px`` column.

    The SVG's user unit is the point of its viewBox; the figure is shown at
    min(column_px, its drawn width in px) (see ``to_html``). Sub- and superscripts of mathtext are
    text runs of their own, so they count at their reduced size.
    """
    width_pt = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg)]
    if not sizes:
        return float("inf")
    shown_px = min(column_px, width_pt * 4 / 3)
    return min(sizes) * shown_px / width_pt


class IllegibleFigure(UserWarning):
    """A figure whose text would be too small on a phone, or whose SVG is too heavy to inline."""


def check_legible(svg: str, name: str) -> None:
    """Warn (``IllegibleFigure``) when ``svg`` breaks the phone rules; the strict build fails on it.

    A warning rather than an error: in the lab notebook a student's own figure should still show.
    """
    px = smallest_text_px(svg)
    if px < MIN_TEXT_PX:
        width_in = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', svg).group(1)) / 72
        warnings.warn(f"figure {name!r}: its smallest text is {px:.1f} px on a 390 px phone, under "
                      f"{MIN_TEXT_PX:g} px; it is {width_in:.1f} in wide: make it narrower (about 4.8 in), "
                      "its text larger, or stack its panels", IllegibleFigure, stacklevel=3)
    size = len(svg.encode())
    if size > MAX_BYTES:
        warnings.warn(f"figure {name!r}: {size:,} bytes of inline SVG, over {MAX_BYTES:,}: rasterize "
                      "dense artists (rasterized=True) or draw fewer points", IllegibleFigure, stacklevel=3)


def to_html(fig, alt: str, name: str, caption: str | None = None) -> str:
    """The figure as an accessible inline ``<figure>`` (print it from an ``html="1"`` block).

    ``alt`` describes what the figure shows, for readers who can't see it; required.
    Warns ``IllegibleFigure`` when a label would be under 11 px on a phone or the SVG over 100 KB.
    """
    if not alt or len(alt.strip()) < 10:
        raise ValueError(f"alt must describe the figure in a sentence; got {alt!r}")
    svg = to_svg(fig, name)
    check_legible(svg, name)
    label = html.escape(alt.strip(), quote=True)
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{label}" class="course-figure__svg" ', 1
    )
    svg = re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", svg, count=1)
    width_pt = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', svg).group(1))
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)  # scale to the column width ...
    # ... but never beyond the drawn size: text stays the size it was drawn at, not 1.5 times it.
    # In rem (Material's root is 20 px), so lecture mode's larger root enlarges figures with the text.
    svg = svg.replace("<svg ", f'<svg style="max-width: {width_pt * 4 / 3 / 20:.2f}rem" ', 1)
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="course-figure" id="fig-{name}">{svg}{figcaption}</figure>'
