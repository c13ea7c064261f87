// MathJax 3, served from this site (assets/mathjax/), never from a CDN.
// Equation numbers are written into the TeX at build time as \tag{chapter.n}; MathJax only shows them.
window.MathJax = {
  loader: { paths: { mathjax: new URL("../assets/mathjax", document.currentScript.src).href } },
  tex: {
    // \( \) and \[ \] come from arithmatex; $ and $$ from the executed notebook's Markdown cells.
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex|jp-RenderedMarkdown" },
  svg: { fontCache: "global" },
  startup: {
    typeset: false,
    ready() {
      MathJax.startup.defaultReady();
      // Material's instant navigation swaps the page without reloading scripts: typeset each new
      // page from a clean slate so numbering and labels never leak from the previous page.
      document$.subscribe(() => {
        MathJax.startup.promise = MathJax.startup.promise
          .then(() => {
            MathJax.typesetClear();
            MathJax.texReset();
            return MathJax.typesetPromise();
          })
          .then(() => document.body.setAttribute("data-math-typeset", "done"));
      });
    },
  },
};
