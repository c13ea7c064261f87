// MathJax 3 (the es5/ tree of the pinned django-static-mathjax wheel) as a build-time typesetter.
//
// Run by coursebuild/typeset.py as one process for a whole build:  node typeset.js <es5 dir>
// Reads one JSON request per line, {"formulas": [[tex, display], ...]} (one page's math), and
// answers each with one JSON line {"svg": [...], "errors": [...], "glyphs": "<svg>...</svg>"}:
// an <mjx-container> per formula (SVG, plus MathML for screen readers), MathJax's error message
// or null per formula, and the page's glyph definitions, which the formulas' <use> elements name.
const readline = require("readline");
const es5 = process.argv[2];

require(es5 + "/node-main.js")
  .init({
    loader: { paths: { mathjax: es5 }, load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    // Equation numbers are HTML beside each formula (coursebuild/equations.py); "ams" still shows
    // a \tag an author writes into an unnumbered display.
    tex: { tags: "ams" },
    // One set of glyph paths per page, referenced by every formula on it.
    svg: { fontCache: "global" },
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const fontCache = MathJax.startup.output.fontCache;

    const typesetPage = async (formulas) => {
      MathJax.texReset();
      fontCache.clearCache();
      const svg = [];
      const errors = [];
      for (const [tex, display] of formulas) {
        // The promise form waits for extensions loaded on demand (\boldsymbol, ...).
        const node = await MathJax.tex2svgPromise(tex, { display });
        const error = adaptor.tags(node, "g").find((g) => adaptor.getAttribute(g, "data-mjx-error"));
        errors.push(error ? adaptor.getAttribute(error, "data-mjx-error") : null);
        svg.push(adaptor.outerHTML(node));
      }
      return { svg, errors, glyphs: adaptor.outerHTML(fontCache.getCache()) };
    };

    let queue = Promise.resolve();
    readline.createInterface({ input: process.stdin }).on("line", (line) => {
      queue = queue.then(async () => {
        let answer;
        try {
          answer = await typesetPage(JSON.parse(line).formulas);
        } catch (error) {
          answer = { failure: String(error && error.stack ? error.stack : error) };
        }
        process.stdout.write(JSON.stringify(answer) + "\n");
      });
    });
  })
  .catch((error) => {
    process.stderr.write(`MathJax did not start: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  });
