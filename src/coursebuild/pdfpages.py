"""What a printed chapter's pages really look like: how blank each is, and which figure opens it.

coursebuild.pdf predicts page breaks before printing (pdffit.js) and checks them here after: a
page is measured as tests/test_pdf.py measures it, by rendering it with poppler's ``pdftoppm``
(package poppler-utils) and finding rows with no ink between the margins. Figures are found
through the PDF's named destinations: Chromium writes one for every element a link points at,
so ``LINK_FIGURES`` adds hidden links to every figure before printing (and returns their ids).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from pypdf import PdfReader

# Hidden links to every figure with an id: Chromium then records each figure's page and height in
# the PDF as a named destination (invisible; a reader's viewer can jump to it).
LINK_FIGURES = """() => {
  document.getElementById("pdffit-figure-links")?.remove();
  const links = document.createElement("div");
  links.id = "pdffit-figure-links";
  links.hidden = true;
  for (const figure of document.querySelectorAll("article figure[id]")) {
    const a = document.createElement("a");
    a.href = "#" + figure.id;
    links.append(a);
  }
  document.body.append(links);
  return [...links.children].map((a) => decodeURIComponent(a.hash.slice(1)));
}"""

INK = 230  # a pixel darker than this grey (of 255) is ink: text, lines, a code block's background
DPI = 50


@dataclass(frozen=True)
class Page:
    tallest: float  # the tallest band without ink, as a share of the page's body
    bottom: float  # the band without ink at the bottom of the body, as a share of it


def renderer() -> str:
    """poppler's ``pdftoppm``, or a clear error."""
    path = shutil.which("pdftoppm")
    if path is None:
        raise FileNotFoundError("no pdftoppm on PATH to measure the printed pages: `apt-get install poppler-utils`")
    return path


def measure(pdf: bytes, margin_top_mm: float, margin_bottom_mm: float, page_mm: float = 297) -> list[Page]:
    """Every page of ``pdf``: its tallest blank band and its blank bottom, within the margins
    (where the running head and the page number are)."""
    with tempfile.TemporaryDirectory(prefix="pdfpages-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run([renderer(), "-gray", "-r", str(DPI), str(source), str(Path(tmp) / "p")], check=True)
        images = sorted(Path(tmp).glob("p-*.pgm"), key=lambda f: int(f.stem.split("-")[1]))
        pages = []
        for image in images:
            with Image.open(image) as grey:
                pixels = np.asarray(grey)
            height = pixels.shape[0]
            top = round(height * margin_top_mm / page_mm)
            bottom = height - round(height * margin_bottom_mm / page_mm)
            ink = (pixels[top:bottom] < INK).any(axis=1)
            longest = run = 0
            for row in ink:
                run = 0 if row else run + 1
                longest = max(longest, run)
            pages.append(Page(longest / len(ink), run / len(ink)))
    return pages


def figure_tops(pdf: bytes, ids: list[str]) -> dict[str, tuple[int, float]]:
    """The page (0 = the first) of each figure of ``ids`` that the PDF has a named destination for,
    and the height of its top above the page's bottom edge, in points."""
    reader = PdfReader(io.BytesIO(pdf))
    wanted = {"/" + figure for figure in ids}
    return {
        name[1:]: (reader.get_destination_page_number(destination), float(destination.get("/Top") or 0))
        for name, destination in reader.named_destinations.items() if name in wanted
    }
