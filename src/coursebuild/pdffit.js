/* Run by coursebuild.pdf on a chapter, print media emulated, just before Chromium prints it.

   A figure is never cut across two pages (print.css), so one that does not fit in what is left of
   a page moves to the next and leaves that space blank: up to 54 % of a page here. This finds
   those figures and shrinks each just enough to fit in the space it left, as long as its text stays
   at least `minScale` of the size it was drawn at. A figure that would need more shrinking floats
   below the next paragraph instead, as in a printed book; a notebook's output stays with its cell.

   Where pages break is not exposed to scripts, so the article is laid out as columns of exactly a
   printed page's body (`pageWidth` x `pageHeight` CSS pixels, the viewport as wide as the page):
   Chromium breaks columns with the same rules as pages (break-inside, orphans, widows), and each
   fragment's position tells its column, that is its page. The article's style is restored after.

   Returns one entry per figure that was pushed to a new page leaving more than `limit` of the page
   before blank: [its id, what was done, that blank fraction, its page (0 = the chapter's first)];
   "kept" ones still leave that gap. */
([pageHeight, limit, minScale]) => {
  const article = document.querySelector("article.md-content__inner");
  if (!article) throw new Error("pdffit: no article.md-content__inner on " + location.pathname);
  const css = getComputedStyle(article);
  const width = article.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
  // What lies above the article on the first printed page, taken from the first column too.
  const spacer = document.createElement("div");
  spacer.style.height = `${article.getBoundingClientRect().top + window.scrollY + parseFloat(css.paddingTop)}px`;
  // Paper breaks a box that scrolls on screen (a notebook, a wide output); a column keeps it whole.
  const scrolling = [...article.querySelectorAll("*")].filter((el) => !el.closest("svg") && getComputedStyle(el).overflow !== "visible");
  const restore = [article, ...scrolling].map((el) => [el, el.getAttribute("style")]);
  for (const el of scrolling) el.style.overflow = "visible";
  Object.assign(article.style, {
    columnWidth: `${width}px`, columnGap: "0px", columnFill: "auto", height: `${pageHeight}px`,
  });
  article.prepend(spacer);
  const origin = () => {
    const box = article.getBoundingClientRect();
    return { left: box.left + parseFloat(css.paddingLeft), top: box.top + parseFloat(css.paddingTop) };
  };
  const column = (rect, o) => Math.floor((rect.left - o.left + 1) / width);
  // Every element's fragments; an SVG's own shapes are inside its box and skipped.
  const boxes = [...article.querySelectorAll("*")].filter((el) => el !== spacer && (!el.closest("svg") || el.tagName === "svg"));

  // The blank left on the page before `figure` when it is the first thing on a later page (below at
  // most its notebook cell's padding); null otherwise.
  const pushed = (figure) => {
    const o = origin();
    const rect = figure.getClientRects()[0];
    if (!rect) return null;
    const page = column(rect, o);
    if (page === 0 || rect.top - o.top > 48) return null;
    let bottom = 0; // the lowest fragment on the page before, the figure's ancestors aside
    for (const el of boxes) {
      if (el.contains(figure)) continue;
      for (const r of el.getClientRects()) {
        if (r.height > 0 && column(r, o) === page - 1) bottom = Math.max(bottom, r.bottom - o.top);
      }
    }
    const gap = pageHeight - bottom;
    return gap > limit * pageHeight ? { page, gap, rect, top: o.top } : null;
  };
  const short = (figure) => !!pushed(figure);
  // Floats `figure` below up to three paragraphs or listings after it, as in a printed book, never
  // past a heading, another figure or the end of its section: true when that fills the page before.
  const float = (figure) => {
    const home = document.createComment("figure");
    figure.before(home);
    for (let moves = 0; moves < 3; moves++) {
      const next = figure.nextElementSibling;
      if (!next || next.matches("h1, h2, h3, h4, h5, h6, figure, hr, .footnote")) break;
      next.after(figure);
      if (!short(figure)) { home.remove(); return true; }
    }
    home.replaceWith(figure);
    return false;
  };

  const done = [];
  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    const kept = [];
    for (const figure of article.querySelectorAll("figure")) {
      const svg = figure.querySelector("svg");
      const at = svg && pushed(figure);
      if (!at) continue;
      const { page, gap, rect, top } = at;
      const blank = Math.round((gap / pageHeight) * 100) / 100;
      const drawing = svg.getBoundingClientRect();
      // It moves back with what is above it on its page, then needs its top margin again.
      const needed = rect.bottom - top + parseFloat(getComputedStyle(figure).marginTop) + 24;
      const scale = 1 - (needed - gap) / drawing.height;
      if (scale >= 1) continue; // it would fit: something else moved it
      // A figure's text was drawn at its size in points (the SVG's viewBox): it may get as small
      // as minScale of that, not less (10 pt labels stay above 7 pt).
      const natural = (svg.viewBox.baseVal?.width || drawing.width / minScale) * 96 / 72;
      if (scale * drawing.width >= minScale * natural) {
        svg.style.maxWidth = `${Math.floor(drawing.width * scale)}px`;
        done.push([figure.id || "(figure)", `shrunk to ${Math.round(scale * 100)} %`, blank, page]);
      } else if (float(figure)) {
        done.push([figure.id || "(figure)", "floated below the next paragraph", blank, page]);
      } else {
        kept.push([figure.id || "(figure)", "kept: too tall to shrink or float", blank, page]);
        continue;
      }
      changed = true;
      break; // everything after it moved: lay out again
    }
    if (!changed) {
      done.push(...kept);
      break;
    }
  }
  spacer.remove();
  for (const [el, style] of restore) {
    if (style === null) el.removeAttribute("style");
    else el.setAttribute("style", style);
  }
  return done;
}
