// The compare page: reads ?r=<report id> (two to four) from the URL, fetches each report's
// JSON and the table formats, and shows the reports' cells side by side, row by row.
// Without this script the page still lists every report with a link.
(function () {
  "use strict";
  var root = document.getElementById("compare-result");
  if (!root) return;
  var urls = gkgen.urls(root);
  var el = gkgen.el;
  var shown = gkgen.shown;
  var ids = new URLSearchParams(window.location.search).getAll("r").filter(function (id) {
    return /^[0-9a-z][0-9a-z-]*$/.test(id);
  });
  var unique = [];
  ids.forEach(function (id) { if (unique.indexOf(id) < 0) unique.push(id); });
  ids = unique.slice(0, 4);
  document.querySelectorAll('.compare-form input[name="r"]').forEach(function (box) {
    box.checked = ids.indexOf(box.value) >= 0;
  });
  if (ids.length === 0) return;

  var SECTIONS = [
    ["active", "二、主动公开政府信息情况"],
    ["requests", "三、收到和处理政府信息公开申请情况"],
    ["appeals", "四、政府信息公开行政复议、行政诉讼情况"]
  ];

  function show(message) {
    root.textContent = "";
    root.appendChild(el("p", { "class": "notice-inline" }, message));
  }

  root.appendChild(el("p", {}, "正在载入所选报告…"));
  Promise.all([gkgen.getJSON(urls.formats)].concat(ids.map(function (id) {
    return gkgen.getJSON(urls.reportJson(id));
  }))).then(function (docs) {
    var formats = docs[0];
    var reports = docs.slice(1);
    // Cells where a report's numbers break a reconciliation rule (勾稽关系), per report.
    var flagged = {};
    var anyFlag = false;
    reports.forEach(function (doc) {
      flagged[doc.id] = {};
      (doc.findings || []).forEach(function (f) {
        if (f.status === "broken" && f.anchor) { flagged[doc.id][f.anchor] = true; anyFlag = true; }
      });
    });
    root.textContent = "";
    var heading = el("h2", { "id": "compare-heading" }, "所选报告的表格");
    root.appendChild(heading);
    if (reports.length < 2) {
      root.appendChild(el("p", {}, "只选了一份报告；再选一份即可并排比较。"));
    }
    var only = el("label", { "class": "only-total" });
    var onlyBox = el("input", { "type": "checkbox", "checked": "checked" });
    only.appendChild(onlyBox);
    only.appendChild(document.createTextNode(" 三、只显示“总计”列"));
    root.appendChild(only);

    SECTIONS.forEach(function (section) {
      // Every cell of the chosen reports' formats, in the order of the reports.
      var rows = gkgen.sectionCells(formats, reports.map(function (doc) { return doc.format; }), section[0]);
      if (rows.length === 0) return;
      if (reports.length > 2) {
        root.appendChild(el("p", { "class": "scroll-cue", "aria-hidden": "true" },
          "在手机上左右滑动表格，查看所选的 " + reports.length + " 份报告"));
      }
      var wrap = el("div", { "class": "table-scroll", "tabindex": "0", "role": "region",
        "aria-label": section[1] + "（可左右滚动）" });
      var table = el("table", { "class": "data compare-table", "data-section": section[0] });
      table.appendChild(el("caption", {}, section[1] + "：逐格对比"));
      var thead = el("thead");
      var tr = el("tr");
      tr.appendChild(el("th", { "scope": "col" }, "单元格"));
      reports.forEach(function (doc) {
        var th = el("th", { "scope": "col", "data-report": doc.id });
        var a = el("a", { "href": doc.url }, (doc.agency.short_name || doc.agency.name) + " " + doc.year + "年度");
        th.appendChild(a);
        tr.appendChild(th);
      });
      thead.appendChild(tr);
      table.appendChild(thead);
      var tbody = el("tbody");
      rows.forEach(function (cell) {
        var row = el("tr", { "data-code": cell.code });
        if (section[0] === "requests" && !/\.total$/.test(cell.code)) row.className = "detail";
        row.appendChild(el("th", { "scope": "row", "class": "label" }, cell.label));
        reports.forEach(function (doc) {
          var has = Object.prototype.hasOwnProperty.call(doc.cells, cell.code);
          var value = doc.cells[cell.code];
          var text = !has ? "不适用" : (value === null ? "—" : shown(value));
          var flag = has && flagged[doc.id][cell.code];
          var td = el("td", { "class": "num" + (value === null || !has ? " null" : "") + (flag ? " flag-inline" : ""),
            "data-report": doc.id, "data-cell": cell.code }, text);
          if (flag) {
            td.setAttribute("data-flag", "");
            td.appendChild(el("span", { "class": "warn" }, " ⚠"));
            td.appendChild(el("span", { "class": "visually-hidden" }, "（勾稽关系不符）"));
          }
          row.appendChild(td);
        });
        tbody.appendChild(row);
      });
      table.appendChild(tbody);
      wrap.appendChild(table);
      root.appendChild(wrap);
    });
    root.appendChild(el("p", { "class": "legend" }, "— 表示原报告未填报（不等于 0）；“不适用”表示该报告的表格格式没有这一格。" +
      (anyFlag ? "⚠ 表示该报告在这一格的勾稽关系不符（本应相等的数字不相等），详见该报告页首。" : "")));
    function applyOnly() { root.classList.toggle("only-totals", onlyBox.checked); }
    onlyBox.addEventListener("change", applyOnly);
    applyOnly();
  }).catch(function (err) {
    show("无法载入所选报告（" + err.message + "）。请检查网址中的报告编号，或从下面的列表重新选择。");
  });
})();
