// Equation previews: hovering or focusing a link to an equation, such as "(5.8)", shows that
// equation in a popup, so a reader (or a lecture hall) sees it without leaving the page.
//
// - Links are the ones coursebuild/equations.py writes for \eqref: `a.eqref` in prose and \href
//   links inside typeset math, all pointing at `#eq-<label>`. The permalink (¶) is not one.
// - The popup shows a copy of the equation as the target page has it: on this page, its typeset
//   node is cloned; on another page of the site (same origin, so offline too), the page is
//   fetched once and its equation copied. Whatever that node holds (MathJax's output today,
//   math rendered at build time tomorrow) is shown as it is; only raw TeX is handed to MathJax,
//   when the page has it. The print page holds every chapter, so there every target is local.
// - Keyboard: focusing the link shows the popup (role="tooltip", tied to the link by
//   aria-describedby), Escape or moving focus away dismisses it. It never takes focus itself.
(() => {
  const ID = "eq-preview";
  const pages = new Map(); // page URL without hash -> Promise<Document>
  let popup = null;
  let shownFor = null; // the link whose equation is shown
  let hideTimer = 0;

  const equationLink = (node) => {
    const link = node && node.closest ? node.closest("a") : null;
    if (!link || link.classList.contains("eq-permalink")) return null;
    const href = link.getAttribute("href") || link.getAttribute("xlink:href") || "";
    return /#eq-[^#]+$/.test(href) ? link : null;
  };

  const pageOf = (url) => {
    const key = url.href.split("#")[0];
    if (!pages.has(key)) {
      pages.set(
        key,
        fetch(key)
          .then((response) => (response.ok ? response.text() : Promise.reject(new Error(response.status))))
          .then((text) => new DOMParser().parseFromString(text, "text/html"))
          .catch((error) => {
            pages.delete(key); // try again on the next hover
            throw error;
          }),
      );
    }
    return pages.get(key);
  };

  // The element with id `anchor` and the document it is in: this one, or the target page.
  const findEquation = async (link) => {
    const url = new URL(link.getAttribute("href") || link.getAttribute("xlink:href"), location.href);
    const anchor = decodeURIComponent(url.hash.slice(1));
    const here = url.origin === location.origin && url.pathname === location.pathname;
    const local = here && document.getElementById(anchor);
    if (local) return { equation: local, source: document };
    const source = await pageOf(url);
    return { equation: source.getElementById(anchor), source };
  };

  const TYPESET = "mjx-container, svg, math, img";

  // A copy of the equation's math without ids (they would repeat ids on this page), with any SVG
  // definitions it uses from another document (a shared glyph cache) carried along.
  const copyMath = (equation, source) => {
    const math = (equation.querySelector(".arithmatex") || equation).cloneNode(true);
    math.querySelectorAll(".eq-permalink").forEach((node) => node.remove());
    [math, ...math.querySelectorAll("[id]")].forEach((node) => node.removeAttribute("id"));
    const needed = [];
    math.querySelectorAll("use").forEach((use) => {
      const ref = (use.getAttribute("href") || use.getAttribute("xlink:href") || "").slice(1);
      if (ref && !document.getElementById(ref) && source.getElementById(ref)) needed.push(source.getElementById(ref));
    });
    if (needed.length) {
      const defs = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      defs.setAttribute("aria-hidden", "true");
      defs.style.cssText = "position:absolute;width:0;height:0";
      defs.append(...needed.map((node) => document.importNode(node, true)));
      math.prepend(defs); // with their ids, which the formula's <use> name (removed above, they were lost)
    }
    return math;
  };

  const place = (link) => {
    const box = link.getBoundingClientRect();
    const width = popup.offsetWidth;
    const height = popup.offsetHeight;
    const left = Math.min(Math.max(8, box.left), document.documentElement.clientWidth - width - 8);
    const below = box.bottom + 8 + height <= window.innerHeight || box.top - 8 - height < 0;
    popup.style.left = `${Math.max(8, left) + window.scrollX}px`;
    popup.style.top = `${(below ? box.bottom + 8 : box.top - 8 - height) + window.scrollY}px`;
  };

  const hide = () => {
    clearTimeout(hideTimer);
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    shownFor = null;
    if (popup) popup.hidden = true;
  };

  const show = async (link) => {
    clearTimeout(hideTimer);
    if (shownFor === link) return;
    hide();
    shownFor = link;
    if (!popup) {
      popup = document.createElement("div");
      popup.id = ID;
      popup.className = "eq-preview";
      popup.setAttribute("role", "tooltip");
      popup.addEventListener("mouseenter", () => clearTimeout(hideTimer));
      popup.addEventListener("mouseleave", () => (hideTimer = setTimeout(hide, 200)));
      document.body.append(popup);
    }
    let found;
    try {
      found = await findEquation(link);
    } catch {
      found = { equation: null };
    }
    if (shownFor !== link) return; // the reader moved on while the page was fetched
    const { equation, source } = found;
    const number = equation && equation.dataset.eqNumber;
    popup.replaceChildren();
    const title = document.createElement("div");
    title.className = "eq-preview__title";
    title.textContent = equation ? `Eq. (${number})` : "This equation could not be loaded; follow the link.";
    popup.append(title);
    if (equation) {
      const math = copyMath(equation, source);
      popup.append(math);
      // Raw TeX (a fetched page whose math the browser typesets): typeset the copy here, after
      // whatever MathJax is doing for the page itself.
      if (!math.querySelector(TYPESET) && window.MathJax && MathJax.startup && MathJax.startup.promise) {
        MathJax.startup.promise = MathJax.startup.promise
          .then(() => MathJax.typesetPromise([math]))
          .then(() => shownFor === link && place(link));
      }
    }
    popup.hidden = false;
    link.setAttribute("aria-describedby", ID);
    place(link);
  };

  document.addEventListener("mouseover", (event) => {
    const link = equationLink(event.target);
    if (link) show(link);
  });
  document.addEventListener("mouseout", (event) => {
    const link = equationLink(event.target);
    if (link && link === shownFor && !link.contains(event.relatedTarget)) hideTimer = setTimeout(hide, 200);
  });
  document.addEventListener("focusin", (event) => {
    const link = equationLink(event.target);
    if (link) show(link);
    else if (shownFor) hide();
  });
  document.addEventListener("focusout", (event) => {
    if (equationLink(event.target) === shownFor && !(event.relatedTarget && equationLink(event.relatedTarget) === shownFor)) hide();
  });
  document.addEventListener("click", (event) => {
    if (shownFor && equationLink(event.target) === shownFor) hide(); // going there: it will be in view
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shownFor) hide();
  });
  // Instant navigation swaps the page: nothing shown belongs to the new one.
  if (window.document$) document$.subscribe(hide);
})();
