// Lecture mode and equation citations: what a lecturer needs in front of a projector.
//
// - A header button (aria-pressed) and `?lecture=1` in the URL turn lecture mode on: the class
//   `lecture-mode` on <html> hides the sidebars and enlarges the page (stylesheets/lecture.css).
//   Material's instant navigation keeps <html> and the header, so the mode survives it; the
//   tab remembers it (sessionStorage) and the address bar keeps `?lecture=1`, so a copied link
//   opens in lecture mode too.
// - Clicking an equation's permalink (¶) still goes to its anchor, and also copies the citation
//   "Eq. (4.7) — <URL>#eq-label" to the clipboard.
// - Printing opens every collapsed solution first (stylesheets/print.css does the same where the
//   browser supports ::details-content; the event covers the rest).
// - Keyboard and screen-reader access: a display equation, table or notebook cell too wide
//   for the screen scrolls sideways, so it takes the keyboard focus (tabindex) to be scrolled without a
//   mouse; the search dialog gets a name.
// - Switching between light and dark changes the colours at once (no fades).
(() => {
  const KEY = "dlcourse.lecture";
  const PARAM = "lecture";
  const root = document.documentElement;
  const ICON =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M2 3h20v2h-1v11h-6.2l1.6 5h-2.1l-1.6-5h-3.4l-1.6 5H6.6l1.6-5H3V5H2zm3 2v9h14V5z"/></svg>';

  const stored = () => {
    try {
      return sessionStorage.getItem(KEY) === "1";
    } catch {
      return false; // storage disabled: the URL parameter alone decides
    }
  };

  const remember = (on) => {
    try {
      sessionStorage.setItem(KEY, on ? "1" : "0");
    } catch {
      // storage disabled: nothing to remember
    }
  };

  // Keep `?lecture=1` in the address bar while the mode is on, so the URL a lecturer shares
  // opens the same way; leave the hash alone.
  const syncAddress = (on) => {
    // Not on the print page: it is outside instant navigation, and there a changed query makes
    // Material reload the page on the next in-page link.
    if (document.getElementById("print-site-page")) return;
    const url = new URL(location.href);
    if (on === (url.searchParams.get(PARAM) === "1")) return;
    if (on) url.searchParams.set(PARAM, "1");
    else url.searchParams.delete(PARAM);
    history.replaceState(history.state, "", url);
  };

  const apply = (on) => {
    root.classList.toggle("lecture-mode", on);
    const button = document.querySelector(".lecture-toggle");
    if (button) {
      button.setAttribute("aria-pressed", String(on));
      button.title = on ? "Leave lecture mode" : "Lecture mode: hide navigation, enlarge the page";
    }
    syncAddress(on);
  };

  const addToggle = () => {
    if (document.querySelector(".lecture-toggle")) return;
    const header = document.querySelector(".md-header__inner");
    if (!header) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button md-icon lecture-toggle";
    button.setAttribute("aria-label", "Lecture mode");
    button.innerHTML = ICON;
    button.addEventListener("click", () => {
      lecture = !lecture;
      remember(lecture);
      apply(lecture);
    });
    const palette = header.querySelector("[data-md-component=palette]");
    header.insertBefore(button, palette || header.querySelector(".md-search"));
  };

  const initial = () => {
    const param = new URL(location.href).searchParams.get(PARAM);
    if (param === "1" || param === "0") remember(param === "1");
    return param === "1" || (param !== "0" && stored());
  };

  // --- citations --------------------------------------------------------------------------

  const copy = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // no Clipboard API (insecure context, old browser, permission refused): the old way
      const area = Object.assign(document.createElement("textarea"), { value: text, readOnly: true });
      area.className = "lecture-copy-buffer";
      document.body.append(area);
      area.select();
      let done = false;
      try {
        done = document.execCommand("copy");
      } catch {
        done = false;
      }
      area.remove();
      return done;
    }
  };

  let toastTimer;
  const notify = (message) => {
    let toast = document.querySelector(".lecture-toast");
    if (!toast) {
      toast = document.createElement("div");
      toast.className = "lecture-toast";
      toast.setAttribute("role", "status");
      toast.setAttribute("aria-live", "polite");
      document.body.append(toast);
    }
    toast.textContent = message;
    toast.classList.add("lecture-toast--shown");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toast.classList.remove("lecture-toast--shown"), 3000);
  };

  const citation = (equation) => {
    // On the one-page print version, cite the chapter's own page (coursebuild/printsite.py marks
    // each chapter's section with its URL from the site root, one level above print_page/).
    const section = equation.closest("section.print-page[data-page-url]");
    const url = section ? new URL(section.dataset.pageUrl, new URL("..", location.href)) : new URL(location.href);
    url.search = ""; // a citation is for readers: without ?lecture=1
    url.hash = equation.id;
    return `Eq. (${equation.dataset.eqNumber}) \u2014 ${url.href}`;
  };

  // Capture phase: runs before Material's instant navigation handles the same click, and the
  // default action (going to the anchor) is kept.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest(".equation > a.eq-permalink");
      if (!link) return;
      const text = citation(link.parentElement);
      copy(text).then((done) => notify(done ? `Copied: ${text}` : `Copy this citation: ${text}`));
    },
    true,
  );

  // --- printing ---------------------------------------------------------------------------

  let closedForPrint = [];
  window.addEventListener("beforeprint", () => {
    closedForPrint = [...document.querySelectorAll("details:not([open])")];
    closedForPrint.forEach((details) => (details.open = true));
  });
  window.addEventListener("afterprint", () => {
    closedForPrint.forEach((details) => (details.open = false));
    closedForPrint = [];
  });

  // --- keyboard access ---------------------------------------------------------------------

  const SCROLLERS =
    ".md-typeset div.arithmatex, .md-typeset__scrollwrap, .jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-OutputArea-output pre";
  const focusScrollers = () => {
    for (const box of document.querySelectorAll(SCROLLERS)) {
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    }
  };
  let resizeTimer;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(focusScrollers, 200);
  });

  const nameSearch = () => {
    const dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  };

  // --- light and dark ---------------------------------------------------------------------

  // While the reader switches the palette, colours change at once instead of fading
  // (stylesheets/course.css), as Material's own rule had them do; that rule marked <body> on
  // every page load and restyled the whole page twice, so the build drops it
  // (coursebuild/palette.py). The class goes on before Material applies the new palette (this
  // listener captures the toggle's change first) and comes off two frames later.
  document.addEventListener(
    "change",
    (event) => {
      if (!event.target.closest?.('[data-md-component="palette"]')) return;
      root.classList.add("course-palette-switching");
      requestAnimationFrame(() => requestAnimationFrame(() => root.classList.remove("course-palette-switching")));
    },
    true,
  );

  // --- wiring -----------------------------------------------------------------------------

  let lecture = initial();
  document$.subscribe(() => {
    addToggle();
    apply(lecture);
    nameSearch();
    focusScrollers();
  });
})();
