<p>
  This page holds the whole course on one page: every chapter in order, with its numbered
  equations, figures, outputs and the solutions to its exercises opened. Print it, or save it as
  a PDF, with your browser's <b>Print</b> command (Ctrl+P, or &#8984;P on a Mac). This box is not
  printed.
</p>
