// Phones (issue 20, item 9). The pages work without this; it only makes them easier at
// 375 px:
// - a list table marked `stack` reads as cards: each cell is given its column's name
//   (data-label), which the stylesheet shows before the value on a narrow screen;
// - a panel marked `data-fold-narrow` (the search's facets) starts folded behind its
//   summary button on a narrow screen, so the first result comes first.
(function () {
  "use strict";
  document.querySelectorAll("table.stack").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (names[i] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[i]);
      });
    });
  });
  function fold() {
    if (!window.matchMedia("(max-width: 40rem)").matches) return;
    document.querySelectorAll("details[data-fold-narrow]").forEach(function (d) { d.open = false; });
  }
  fold();
  // The search swaps its results and facets in place (htmx): fold the new ones too.
  document.body.addEventListener("htmx:afterSwap", fold);
})();
