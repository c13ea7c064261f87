/* Run by coursebuild.pdf on a chapter, print media emulated, the viewport as wide as a printed page.

   A figure is never cut across two pages (print.css), so one that does not fit in what is left of
   a page moves to the next and leaves that space blank: up to 54 % of a page here. This makes such
   a figure fit, trying in turn:
     1. shrink it just enough to fit in the space it left, keeping `minScale` of the size it was
        drawn at (10 pt labels no smaller than 7.5 pt);
     2. float it below the paragraphs after it, as in a printed book, never past a heading or
        another figure (a notebook's output has nothing after it in its cell: it stays with it);
     3. shrink it further, as long as its smallest label stays `minPoints` tall on paper, with its
        caption below it or, when the drawing leaves room beside it, beside it (the caption's
        height is then saved): the last resort, for a notebook's output.
   Otherwise it is "kept" and the gap stays.

   Which figures left a gap comes from one of two places:
   - `measured` null: a prediction. Where pages break is not exposed to scripts, so the article is
     laid out as columns of exactly a printed page's body (`pageHeight` CSS pixels tall): Chromium
     breaks columns with the same rules as pages (break-inside, orphans, widows), and each
     fragment's position tells its column, that is its page. The article's style is restored after.
     The prediction misses a few breaks (a column is not a page in every detail).
   - `measured` a list of [figure id, gap in CSS px, page]: what coursebuild.pdf measured on the
     printed PDF, a figure that opens `page` leaving `gap` blank at the bottom of the page before.

   Returns one entry per figure that left more than `limit` of a page blank:
   [its id, what was done, that blank fraction, its page (0 = the chapter's first)]. */
([pageHeight, limit, minScale, minPoints, measured]) => {
  const article = document.querySelector("article.md-content__inner");
  if (!article) throw new Error("pdffit: no article.md-content__inner on " + location.pathname);
  const css = getComputedStyle(article);
  const width = article.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
  // px a figure needs beyond the boxes measured: line boxes, and the padding below a code block's
  // last line, which the printed page's ink-free band counts as blank (its grey is not ink)
  const SLACK = 24;
  const BESIDE = 180; // px of column a caption needs beside its drawing (about 7 words a line)

  // The smallest label of `svg` on paper, in points, when its drawing is `drawnWidth` px wide:
  // Matplotlib's text sizes are points of its viewBox; Infinity for a drawing without text.
  const smallestPoints = (svg, drawnWidth) => {
    const sizes = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize)).filter((s) => s > 0);
    const box = svg.viewBox.baseVal;
    if (!sizes.length || !box || !box.width) return Infinity;
    return Math.min(...sizes) * (drawnWidth / box.width) * 0.75; // 0.75 pt per CSS px
  };

  // What makes `figure` fit in `gap` px (it needs `needed` px as it is), applied; "" when it
  // fits as it is, null when nothing does.
  const fit = (figure, gap, needed, floatOver) => {
    const svg = figure.querySelector("svg");
    const caption = figure.querySelector("figcaption");
    const drawing = svg.getBoundingClientRect();
    const scale = 1 - (needed - gap) / drawing.height;
    if (scale >= 1) return ""; // it would fit: something else moved it
    const natural = (svg.viewBox.baseVal?.width || drawing.width / minScale) * 96 / 72;
    if (scale * drawing.width >= minScale * natural) {
      svg.style.maxWidth = `${Math.floor(drawing.width * scale)}px`;
      return `shrunk to ${Math.round(scale * 100)} %`;
    }
    if (floatOver(figure, gap)) return "floated below the next paragraph";
    const drawn = (s) => Math.floor(drawing.width * s); // px, as max-width gets them
    const legible = (s) => smallestPoints(svg, drawn(s)) >= minPoints;
    const labels = (s) => `labels ${(Math.floor(smallestPoints(svg, drawn(s)) * 100) / 100).toFixed(2)} pt`;
    if (scale > 0 && legible(scale)) {
      svg.style.maxWidth = `${drawn(scale)}px`;
      return `shrunk to ${Math.round(scale * 100)} %, ${labels(scale)}`;
    }
    if (!caption) return null;
    // The caption beside the drawing: the figure is as tall as the larger of the two.
    const captionHeight = caption.getBoundingClientRect().height + parseFloat(getComputedStyle(caption).marginTop);
    const side = 1 - (needed - captionHeight - gap) / drawing.height;
    const room = figure.getBoundingClientRect().width - drawing.width * side;
    if (side <= 0 || side >= 1 || !legible(side) || room < BESIDE) return null;
    const before = [svg, figure, caption].map((el) => [el, el.getAttribute("style")]);
    svg.style.maxWidth = `${drawn(side)}px`;
    Object.assign(svg.style, { margin: "0", flex: "none" });
    Object.assign(figure.style, { display: "flex", alignItems: "flex-end", gap: "1em" });
    Object.assign(caption.style, { margin: "0", flex: "1 1 0", textAlign: "left" });
    if (caption.getBoundingClientRect().height > drawing.height * side) { // too tall beside it: undo
      for (const [el, style] of before) style === null ? el.removeAttribute("style") : el.setAttribute("style", style);
      return null;
    }
    return `shrunk to ${Math.round(side * 100)} %, ${labels(side)}, caption beside`;
  };

  // The blocks `figure` may float below: up to three paragraphs or listings after it, never a
  // heading, another figure or the end of its section.
  const followers = (figure) => {
    const found = [];
    for (let next = figure.nextElementSibling; next && found.length < 3; next = next.nextElementSibling) {
      if (next.matches("h1, h2, h3, h4, h5, h6, figure, hr, .footnote")) break;
      found.push(next);
    }
    return found;
  };
  const done = [];
  if (measured) {
    // The printed page told the gap: float below enough of what follows to fill it, or at least
    // to leave no more than `limit` of the page blank.
    const below = (figure, gap) => {
      let filled = 0, last = null;
      for (const next of followers(figure)) {
        const style = getComputedStyle(next);
        filled += next.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
        last = next;
        if (filled >= gap) break;
      }
      if (!last || filled < gap - limit * pageHeight) return false;
      last.after(figure);
      return true;
    };
    // The bottom of the last box before `figure` in reading order that ends above it.
    const above = (figure) => {
      const top = figure.getBoundingClientRect().top;
      for (let el = figure; el && el !== article; el = el.parentElement) {
        for (let prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
          const box = prev.getBoundingClientRect();
          if (box.height > 0 && box.bottom <= top + 1) return box.bottom;
        }
      }
      return null;
    };
    for (const [id, gap, page] of measured) {
      const figure = document.getElementById(id);
      if (!figure || !figure.querySelector("svg")) throw new Error(`pdffit: no figure with an SVG has the id ${id}`);
      // It needs the space from the end of what precedes it (the paragraph, or in a notebook the
      // cell's code, with the paddings and margins in between) to its own bottom margin.
      const box = figure.getBoundingClientRect();
      const style = getComputedStyle(figure);
      const start = above(figure) ?? box.top - parseFloat(style.marginTop);
      const needed = box.bottom + parseFloat(style.marginBottom) - start + SLACK;
      const change = fit(figure, gap, needed, below);
      const blank = Math.round((gap / pageHeight) * 100) / 100;
      const why = change === "" ? "its boxes fit in the gap, yet it printed on the next page" : "too tall to shrink, float or set beside its caption";
      done.push([id, change ? change + " (printed page measured)" : `kept: ${why}`, blank, page]);
    }
    return done;
  }

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
  // Floats `figure` below what follows it, one block at a time, until the columns say the page
  // before is filled: true then; otherwise it goes back.
  const float = (figure) => {
    const home = document.createComment("figure");
    figure.before(home);
    for (const next of followers(figure)) {
      next.after(figure);
      if (!pushed(figure)) { home.remove(); return true; }
    }
    home.replaceWith(figure);
    return false;
  };

  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    const kept = [];
    for (const figure of article.querySelectorAll("figure")) {
      const at = figure.querySelector("svg") && pushed(figure);
      if (!at) continue;
      const { page, gap, rect, top } = at;
      const blank = Math.round((gap / pageHeight) * 100) / 100;
      // It moves back with what is above it on its page, then needs its top margin again.
      const needed = rect.bottom - top + parseFloat(getComputedStyle(figure).marginTop) + SLACK;
      const change = fit(figure, gap, needed, float);
      if (!change) {
        if (change === null) kept.push([figure.id || "(figure)", "kept: too tall to shrink, float or set beside its caption", blank, page]);
        continue;
      }
      done.push([figure.id || "(figure)", change, blank, page]);
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
