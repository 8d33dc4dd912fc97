// The quality page's filters: the grid and the counts are in the page already; this only hides rows
// and year columns that do not match, and recounts what is left in view.
(function () {
  "use strict";
  var form = document.getElementById("quality-filter");
  var table = document.querySelector(".quality-grid");
  if (!form || !table) return;
  form.hidden = false;
  var note = document.querySelector(".filter-note");

  function apply() {
    var region = form.elements.region.value;
    var level = form.elements.level.value;
    var year = form.elements.year.value;
    var counts = {};
    table.querySelectorAll("[data-year]").forEach(function (cell) {
      cell.hidden = year !== "" && cell.getAttribute("data-year") !== year;
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var show = (region === "" || row.getAttribute("data-region") === region) &&
                 (level === "" || row.getAttribute("data-level") === level);
      row.hidden = !show;
      if (!show) return;
      row.querySelectorAll("td[data-flags]").forEach(function (cell) {
        if (cell.hidden) return;
        cell.getAttribute("data-flags").split(" ").forEach(function (flag) {
          if (flag) counts[flag] = (counts[flag] || 0) + 1;
        });
      });
    });
    document.querySelectorAll("[data-count]").forEach(function (cell) {
      cell.textContent = String(counts[cell.getAttribute("data-count")] || 0);
    });
    if (note) note.hidden = region === "" && level === "" && year === "";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();
