// The figure explorer: reads data/figures.json (every report's key figures), filters it by province,
// level and year, shows one figure as a sortable table with a small bar chart of its yearly totals,
// and offers exactly the rows shown as a CSV. Any single cell of the tables can be chosen too: its
// values are read from the chosen reports' own JSON, so the filters must first narrow the reports
// to CELL_LIMIT. Without this script the page lists each figure's full page, rendered at build time.
(function () {
  "use strict";
  var section = document.getElementById("explorer");
  if (!section || !window.fetch) return;
  var urls = gkgen.urls(section);
  var el = gkgen.el;
  var shown = gkgen.shown;
  var form = document.getElementById("explore-form");
  var result = document.getElementById("explore-result");
  var data = null;
  var sortKey = "year";
  var sortDown = true;
  var csvUrl = null;
  var CELL_LIMIT = 200;
  var cellLabels = {};  // cell code → its official label
  var documents = {};  // report id → its JSON (cells, findings), fetched once
  var generation = 0;  // the latest render: an older one that finishes late is dropped

  function isCell(choice) { return Object.prototype.hasOwnProperty.call(cellLabels, choice); }
  function labelOf(choice) { return isCell(choice) ? cellLabels[choice] : data.figures[choice]; }
  function csvField(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function params() {
    var query = new URLSearchParams(window.location.search);
    ["figure", "province", "level", "year"].forEach(function (name) {
      var value = query.get(name);
      var select = form.elements[name];
      if (value !== null && [].some.call(select.options, function (o) { return o.value === value; })) {
        select.value = value;
      }
    });
  }

  function chosenReports() {
    var f = form.elements;
    return data.reports.filter(function (r) {
      return (!f.province.value || r.province === f.province.value) &&
        (!f.level.value || r.level === f.level.value) &&
        (!f.year.value || String(r.year) === f.year.value);
    });
  }

  // The rows for a key figure at once; for a cell, a promise of them (each report's JSON is read).
  function rows() {
    var figure = form.elements.figure.value;
    var reports = chosenReports();
    if (!isCell(figure)) {
      return Promise.resolve(reports.filter(function (r) {
        return Object.prototype.hasOwnProperty.call(r.values, figure);
      }).map(function (r) {
        return { report: r, value: r.values[figure], flagged: r.flagged.indexOf(figure) >= 0 };
      }));
    }
    if (reports.length > CELL_LIMIT) return Promise.resolve(null);
    return Promise.all(reports.map(function (r) {
      if (documents[r.id]) return Promise.resolve(documents[r.id]);
      return gkgen.getJSON(urls.reportJson(r.id)).then(function (doc) { documents[r.id] = doc; return doc; });
    })).then(function (docs) {
      var out = [];
      docs.forEach(function (doc, i) {
        if (!Object.prototype.hasOwnProperty.call(doc.cells, figure)) return;  // not in this report's format
        var flagged = (doc.findings || []).some(function (f) {
          return f.status === "broken" && (f.cells || []).indexOf(figure) >= 0;
        });
        out.push({ report: reports[i], value: doc.cells[figure], flagged: flagged });
      });
      return out;
    });
  }

  function sorted(list) {
    var sign = sortDown ? -1 : 1;
    return list.slice().sort(function (a, b) {
      var x, y;
      if (sortKey === "value") {
        x = a.value === null ? null : Number(a.value); y = b.value === null ? null : Number(b.value);
        if (x === null && y === null) return 0;
        if (x === null) return 1;  // 未填报 always last
        if (y === null) return -1;
      } else if (sortKey === "year") {
        x = a.report.year; y = b.report.year;
      } else {
        x = a.report.agency; y = b.report.agency;
        return sign * -x.localeCompare(y, "zh-CN");
      }
      return x === y ? 0 : (x < y ? -sign : sign);
    });
  }

  function chart(list, label) {
    var totals = {};
    var money = false;
    list.forEach(function (row) {
      if (row.value === null) return;
      if (typeof row.value !== "number") { money = true; return; }
      totals[row.report.year] = (totals[row.report.year] || 0) + row.value;
    });
    if (money) return null;  // amounts are exact decimal text: not summed here
    var years = Object.keys(totals).sort();
    if (!years.length) return null;
    var max = Math.max.apply(null, years.map(function (y) { return totals[y]; })) || 1;
    var holder = document.createElement("div");
    holder.innerHTML = "<svg></svg>";  // the HTML parser gives the SVG namespace
    var ns = holder.firstChild.namespaceURI;
    var rowH = 26, left = 48, width = 340, height = years.length * rowH + 8;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", String(width));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "各年度“" + label + "”合计：" + years.map(function (y) {
      return y + "年 " + totals[y] + "件";
    }).join("，"));
    years.forEach(function (y, i) {
      var w = Math.max(1, (width - left - 70) * totals[y] / max);
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", "0"); t.setAttribute("y", String(i * rowH + 19));
      t.textContent = y;
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(left)); r.setAttribute("y", String(i * rowH + 4));
      r.setAttribute("width", String(w)); r.setAttribute("height", "18"); r.setAttribute("fill", "#1f4e8c");
      var v = document.createElementNS(ns, "text");
      v.setAttribute("class", "value");
      v.setAttribute("x", String(left + w + 6)); v.setAttribute("y", String(i * rowH + 19));
      v.textContent = shown(totals[y]);
      svg.appendChild(t); svg.appendChild(r); svg.appendChild(v);
    });
    return svg;
  }

  function render() {
    var figure = form.elements.figure.value;
    var label = labelOf(figure);
    var mine = ++generation;
    if (isCell(figure)) {
      result.textContent = "";
      result.appendChild(el("p", {}, "正在读取所选报告…"));
    }
    rows().then(function (list) {
      if (mine !== generation) return;
      if (list === null) {
        result.textContent = "";
        result.appendChild(el("p", { "class": "notice-inline" }, "按单元格查询一次最多 " + CELL_LIMIT +
          " 份报告，当前条件下有 " + chosenReports().length + " 份：请用省份、机构层级或年度缩小范围。"));
        return;
      }
      show(figure, label, sorted(list));
    }).catch(function () {
      if (mine !== generation) return;
      result.textContent = "";
      result.appendChild(el("p", { "class": "notice-inline" }, "无法读取所选报告的数据，请稍后再试。"));
    });
  }

  function show(figure, label, list) {
    result.textContent = "";
    var blank = list.filter(function (r) { return r.value === null; }).length;
    var flagged = list.filter(function (r) { return r.flagged; }).length;
    result.appendChild(el("p", {}, "共 " + list.length + " 份报告" +
      (blank ? "，其中 " + blank + " 份未填报" : "") + (flagged ? "，" + flagged + " 份有 ⚠" : "") + "。"));
    var svg = chart(list, label);
    if (svg) {
      var fig = el("figure", { "class": "chart-block" });
      fig.appendChild(el("figcaption", { "class": "chart-title" }, "各年度“" + label + "”合计（件，只计已填报的报告）"));
      fig.appendChild(svg);
      result.appendChild(fig);
    }
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    var lines = [["报告编号", "机构", "省份", "地区", "机构层级", "年度", label, "未填报", "勾稽关系不符"]];
    list.forEach(function (row) {
      var r = row.report;
      lines.push([r.id, r.agency, r.province, r.region, r.level, r.year, row.value,
        row.value === null ? "是" : "", row.flagged ? "是" : ""]);
    });
    var text = "\ufeff" + lines.map(function (l) { return l.map(csvField).join(","); }).join("\r\n") + "\r\n";
    csvUrl = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var download = el("a", { "href": csvUrl, "download": "gkgen-" + figure + ".csv" }, "下载所看到的表格（CSV）");
    result.appendChild(el("p")).appendChild(download);

    result.appendChild(el("p", { "class": "scroll-cue", "aria-hidden": "true" }, "表格较宽时可左右滑动查看"));
    var wrap = el("div", { "class": "table-scroll", "tabindex": "0", "role": "region", "aria-label": label + "（查询结果）" });
    var table = el("table", { "class": "data figure-table" });
    var money = list.some(function (r) { return typeof r.value === "string"; });  // its label names the unit
    table.appendChild(el("caption", {}, label + (money ? "（点表头排序）" : "（单位：件；点表头排序）")));
    var head = el("tr");
    [["agency", "机构（地区）"], ["level", null], ["year", "年度"], ["value", label]].forEach(function (c) {
      if (c[1] === null) { head.appendChild(el("th", { "scope": "col" }, "层级")); return; }
      var th = el("th", { "scope": "col" });
      if (sortKey === c[0]) th.setAttribute("aria-sort", sortDown ? "descending" : "ascending");
      var button = el("button", { "type": "button", "class": "sort" }, c[1] + (sortKey === c[0] ? (sortDown ? " ↓" : " ↑") : ""));
      button.addEventListener("click", function () {
        if (sortKey === c[0]) sortDown = !sortDown; else { sortKey = c[0]; sortDown = c[0] !== "agency"; }
        render();
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    list.forEach(function (row) {
      var r = row.report;
      var tr = el("tr");
      var th = el("th", { "scope": "row", "class": "label" });
      th.appendChild(el("a", { "href": urls.base + r.url }, r.agency));
      if (r.region) th.appendChild(el("span", { "class": "region-note" }, r.region));
      tr.appendChild(th);
      tr.appendChild(el("td", {}, r.level));
      tr.appendChild(el("td", { "class": "num" }, String(r.year)));
      var td = el("td", { "class": "num" + (row.value === null ? " null" : "") + (row.flagged ? " flag-inline" : "") }, shown(row.value));
      if (row.flagged) {
        td.appendChild(el("span", { "class": "warn" }, " ⚠"));
        td.appendChild(el("span", { "class": "visually-hidden" }, "（该报告此处勾稽关系不符）"));
      }
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    result.appendChild(wrap);
    result.appendChild(el("p", { "class": "legend" },
      "— 表示原报告未填报（不等于 0）；⚠ 表示该报告中与这个数字有关的勾稽关系不符，数字照原报告收录。"));
    var query = new URLSearchParams();
    ["figure", "province", "level", "year"].forEach(function (n) {
      if (form.elements[n].value) query.set(n, form.elements[n].value);
    });
    window.history.replaceState(null, "", "?" + query.toString());
  }

  // Every cell of the official tables, newest format's label first, grouped by section.
  function addCells(formats) {
    var select = form.elements.figure;
    var groups = [["active", "二、主动公开（单元格）"], ["requests", "三、申请的办理（单元格）"],
      ["appeals", "四、复议和诉讼（单元格）"]];
    var newestFirst = Object.keys(formats).sort().reverse();
    groups.forEach(function (group) {
      var optgroup = el("optgroup", { "label": group[1] });
      gkgen.sectionCells(formats, newestFirst, group[0]).forEach(function (cell) {
        cellLabels[cell.code] = cell.label;
        optgroup.appendChild(el("option", { "value": cell.code }, cell.label));
      });
      select.appendChild(optgroup);
    });
  }

  Promise.all([gkgen.getJSON(urls.figures), gkgen.getJSON(urls.formats)]).then(function (docs) {
    data = docs[0];
    addCells(docs[1]);
    section.hidden = false;
    params();
    form.addEventListener("change", render);
    form.addEventListener("submit", function (e) { e.preventDefault(); render(); });
    render();
  }).catch(function () {
    section.hidden = true;
  });
})();
