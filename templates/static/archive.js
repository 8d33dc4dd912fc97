// What compare.js and figures.js share: the URLs the page gives them as data (gkgen.site.urls writes
// them; no script spells a path), fetching the archive's JSON, building elements, numbers as the pages
// print them, and the official cells of a section in the order the formats list them.
var gkgen = (function () {
  "use strict";

  // The URLs written on ``node``: data-report-json (with "{id}" for a report's id), data-formats,
  // data-figures, data-base (the site's root, for the site-relative URLs inside the JSON).
  function urls(node) {
    return {
      base: node.getAttribute("data-base") || "/",
      reportJson: function (id) { return node.getAttribute("data-report-json").replace("{id}", encodeURIComponent(id)); },
      formats: node.getAttribute("data-formats"),
      figures: node.getAttribute("data-figures")
    };
  }

  function getJSON(url) {
    return fetch(url).then(function (res) {
      if (!res.ok) throw new Error(url + "：" + res.status);
      return res.json();
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // As the report pages print numbers: digits grouped by thousands (every digit kept), the real minus
  // sign; a blank (null) as —.
  function shown(value) {
    if (value === null || value === undefined) return "—";
    var text = String(value);
    var negative = text.charAt(0) === "-";
    if (negative) text = text.slice(1);
    var parts = text.split(".");
    if (/^[1-9][0-9]{3,}$/.test(parts[0])) parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "\u2212" : "") + parts.join(".");
  }

  // The cells of one section (active, requests, appeals) of the formats ``ids``, in that order, each
  // code once: the first format listing a code gives its label.
  function sectionCells(formats, ids, section) {
    var seen = {};
    var cells = [];
    ids.forEach(function (id) {
      (formats[id] ? formats[id].cells : []).forEach(function (cell) {
        if (cell.section === section && !seen[cell.code]) {
          seen[cell.code] = true;
          cells.push(cell);
        }
      });
    });
    return cells;
  }

  return { urls: urls, getJSON: getJSON, el: el, shown: shown, sectionCells: sectionCells };
})();
