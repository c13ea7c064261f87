import re

import numpy as np
import pytest

from dlcourse import figures


def make(name="f"):
    fig, ax = figures.new()
    x = np.linspace(0, 1, 20)
    ax.plot(x, x**2, label="square")
    ax.legend()
    ax.set_title("title")
    return figures.to_html(fig, alt="A parabola rising from 0 to 1.", name=name)


def test_svg_is_byte_stable_between_renders():
    assert make() == make()


def test_ids_depend_on_the_name_so_figures_on_one_page_never_clash():
    ids_a = set(re.findall(r'id="([^"]+)"', make("a")))
    ids_b = set(re.findall(r'id="([^"]+)"', make("b")))
    assert ids_a and ids_b and not (ids_a & ids_b)


def test_text_and_axes_take_the_page_colour_in_both_schemes():
    html = make()
    assert "currentColor" in html
    assert "#000000" not in html and "#ffffff" not in html.lower()  # no fixed black text, no white box


def test_alt_text_is_required_and_becomes_title_and_label():
    html = make()
    assert 'role="img" aria-label="A parabola rising from 0 to 1."' in html
    assert "<title>A parabola rising from 0 to 1.</title>" in html
    fig, _ = figures.new()
    with pytest.raises(ValueError, match="alt must describe"):
        figures.to_html(fig, alt="", name="x")


def test_name_must_be_an_identifier():
    fig, _ = figures.new()
    with pytest.raises(ValueError, match="name must be"):
        figures.to_svg(fig, "two words")


def test_a_figure_too_wide_for_its_text_on_a_phone_warns_naming_it():
    fig, ax = figures.new(width=8.0, height=3.0)
    ax.plot([0, 1], [0, 1])
    with pytest.warns(figures.IllegibleFigure, match=r"'wide'.*under 11 px.*8\.\d in wide"):
        figures.to_html(fig, alt="A straight line, drawn too wide.", name="wide")


def test_a_phone_sized_figure_passes_and_its_smallest_text_is_measured():
    import warnings

    fig, ax = figures.new(width=4.8, height=3.0)
    ax.plot([0, 1], [0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = figures.to_html(fig, alt="A straight line, phone-sized.", name="narrow")
    assert figures.smallest_text_px(html) >= figures.MIN_TEXT_PX
    assert re.search(r'style="max-width: [\d.]+rem"', html)  # never larger than drawn (in root units)


def test_mathtext_prime_is_the_unicode_prime_not_cmsy10_zero():
    fig, ax = figures.new(width=4.8, height=3.0)
    ax.set_title("$f'(z)$")
    svg = figures.to_svg(fig, "prime")
    assert "′" in svg and "cmsy10" not in svg


def test_heavy_svg_warns():
    fig, ax = figures.new(width=4.8, height=3.0)
    rng = np.random.default_rng(0)
    ax.scatter(*rng.normal(size=(2, 3000)), s=4)
    with pytest.warns(figures.IllegibleFigure, match="bytes of inline SVG"):
        figures.to_html(fig, alt="Three thousand scattered points.", name="heavy")


def test_path_data_keeps_two_decimals_of_a_point():
    svg = figures.to_svg(figures.new()[0], "plain")
    fig, ax = figures.new()
    ax.plot(np.linspace(0, 1, 7), np.linspace(0, 1, 7) ** 3)
    svg = figures.to_svg(fig, "cubic")
    numbers = re.findall(r"-?\d+\.\d+", " ".join(re.findall(r'\sd="([^"]*)"', svg)))
    assert numbers and max(len(n.split(".")[1]) for n in numbers) <= 2


def _pngs(svg):
    import base64
    import io

    from PIL import Image

    return [Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA")
            for data in re.findall(r'data:image/png;base64,([^"]+)"', svg)]


def test_images_are_reencoded_smaller_with_the_same_pixels():
    import io

    def heatmap():  # a smooth colour-mapped field, finer than the screen
        fig, ax = figures.new(width=4.8, height=3.2)
        x, y = np.meshgrid(np.linspace(-2, 2, 600), np.linspace(-1, 1, 400))
        ax.imshow(np.sin(3 * x) * np.cos(2 * y) + x * y, cmap="viridis", aspect="auto")
        return fig

    fig = heatmap()
    raw = io.StringIO()
    with figures.plt.rc_context({**figures.STYLE, "svg.hashsalt": "heatmap"}):
        fig.savefig(raw, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    light = figures.to_svg(heatmap(), "heatmap")
    before, after = _pngs(raw.getvalue()), _pngs(light)
    assert len(before) == len(after) == 1
    assert all(a.size == b.size and a.tobytes() == b.tobytes() for a, b in zip(before, after))
    png_bytes = lambda svg: sum(map(len, re.findall(r'data:image/png;base64,([^"]+)"', svg)))  # noqa: E731
    assert png_bytes(light) < 0.95 * png_bytes(raw.getvalue())
    assert light == figures.to_svg(heatmap(), "heatmap")  # still byte-stable


def test_no_stylesheet_leaks_into_the_page_and_shapes_keep_matplotlibs_line_defaults():
    # Matplotlib's <style>*{...}</style> would be a stylesheet of the whole page once inlined.
    fig, ax = figures.new()
    ax.plot([0, 1], [0, 1], solid_capstyle="projecting")  # a shape with its own cap keeps it
    html = figures.to_html(fig, alt="A rising line.", name="caps")
    assert "<style" not in html
    root = re.search(r"<svg [^>]*>", html).group(0)
    assert 'stroke-linejoin="round"' in root and 'stroke-linecap="butt"' in root
    assert "stroke-linecap: square" in html


def test_an_unexpected_stylesheet_is_an_error_naming_it():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><defs><style>path{fill:red}</style></defs></svg>'
    with pytest.raises(ValueError, match=r"found '<style>path\{fill:red\}"):
        figures.without_stylesheet(svg)
