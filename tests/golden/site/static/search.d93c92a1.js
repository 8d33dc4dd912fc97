// The search page: Pagefind (extended build, Chinese segmented at index time) in the browser.
// The site may live under a sub-path: every URL starts from <meta name="gkgen-base">.
// The index may be sharded: pagefind/shards.json lists the bundles; the first one is loaded,
// the others are merged with mergeIndex(). The query and filters live in the URL (?q=…&year=…)
// so a search can be shared and bookmarked.

const FILTERS = [
  { key: "year", label: "年度", kind: "checkbox" },
  { key: "province", label: "省份", kind: "select" },
  { key: "city", label: "城市", kind: "select" },
  { key: "level", label: "机构层级", kind: "checkbox" },
  { key: "format", label: "表格格式", kind: "checkbox" },
  { key: "breaks", label: "数据核对", kind: "checkbox" },
];
const PAGE_SIZE = 10;
const SORTS = { "year-desc": { year: "desc" }, "year-asc": { year: "asc" } };

// The same width as the page's one-column layout (search.html): below it the filters start folded.
const NARROW = window.matchMedia("(max-width: 40rem)");
const base = (document.querySelector('meta[name="gkgen-base"]')?.content || "/").replace(/\/?$/, "/");
const els = {
  form: document.getElementById("search-form"),
  input: document.getElementById("search-q"),
  app: document.getElementById("search-app"),
  filters: document.getElementById("search-filters"),
  refine: document.getElementById("search-refine"),
  refineCount: document.getElementById("search-refine-count"),
  sort: document.getElementById("search-sort"),
  status: document.getElementById("search-status"),
  results: document.getElementById("search-results"),
  more: document.getElementById("search-more"),
  error: document.getElementById("search-error"),
};

let pagefind = null; // segments the query (Intl.Segmenter)
let rawPagefind = null; // the same index, query words taken as given (see rejoinQuery)
let generation = 0; // each new search invalidates the rendering of older ones
let pending = []; // results not yet shown (the "more" button)

// Quotes: Pagefind does not segment text inside quotes ("行政复议" would find nothing),
// so quote marks of every kind become spaces and the words are searched as ordinary words.
export function normalizeQuery(raw) {
  return raw
    .replace(/["'“”‘’「」『』〝〞＂＇《》〈〉]/g, " ")
    .replace(/[\s\u3000]+/g, " ")
    .trim();
}

function readState() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const { key } of FILTERS) {
    const values = params.getAll(key).filter(Boolean);
    if (values.length) filters[key] = values;
  }
  return { q: params.get("q") || "", filters, sort: SORTS[params.get("sort")] ? params.get("sort") : "" };
}

// The folded panel's summary says how many filters and which order are in force ("已选 2 项").
function showChosen(state) {
  const filters = Object.values(state.filters).reduce((n, values) => n + values.length, 0);
  const chosen = filters + (state.sort ? 1 : 0);
  els.refineCount.textContent = chosen ? `（已选 ${chosen} 项）` : "";
}

function writeState(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const { key } of FILTERS) for (const v of state.filters[key] || []) params.append(key, v);
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
}

function currentState() {
  const filters = {};
  for (const { key, kind } of FILTERS) {
    let values;
    if (kind === "select") {
      const select = els.filters.querySelector(`select[data-filter="${key}"]`);
      values = select && select.value ? [select.value] : [];
    } else {
      values = [...els.filters.querySelectorAll(`input[data-filter="${key}"]:checked`)].map((i) => i.value);
    }
    if (values.length) filters[key] = values;
  }
  return { q: els.input.value, filters, sort: els.sort.value };
}

function compareValues(key, counts) {
  if (key === "year") return (a, b) => Number(b) - Number(a);
  return (a, b) => (counts[b] || 0) - (counts[a] || 0) || a.localeCompare(b, "zh-CN");
}

// Filter controls from Pagefind's filter counts (all values of the whole index).
function buildFilters(all, state) {
  for (const { key, label, kind } of FILTERS) {
    const counts = all[key];
    if (!counts || !Object.keys(counts).length) continue;
    const values = Object.keys(counts).sort(compareValues(key, counts));
    const fieldset = document.createElement("fieldset");
    fieldset.dataset.filterGroup = key;
    const legend = document.createElement("legend");
    legend.textContent = label;
    fieldset.append(legend);
    const chosen = new Set(state.filters[key] || []);
    if (kind === "select") {
      const select = document.createElement("select");
      select.dataset.filter = key;
      select.setAttribute("aria-label", label);
      const anyOption = new Option("全部", "");
      select.append(anyOption);
      for (const value of values) {
        const option = new Option(value, value);
        option.dataset.value = value;
        option.selected = chosen.has(value);
        select.append(option);
      }
      fieldset.append(select);
    } else {
      for (const value of values) {
        const labelEl = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.dataset.filter = key;
        box.value = value;
        box.checked = chosen.has(value);
        const count = document.createElement("span");
        count.className = "count";
        labelEl.append(box, " " + value + " ", count);
        fieldset.append(labelEl);
      }
    }
    els.filters.append(fieldset);
  }
  showCounts(all);
}

// Counts for the current query and filters next to each value ("2021 (3)").
function showCounts(counts) {
  for (const box of els.filters.querySelectorAll("input[data-filter]")) {
    const n = counts[box.dataset.filter]?.[box.value] || 0;
    box.parentElement.querySelector(".count").textContent = `（${n}）`;
  }
  for (const option of els.filters.querySelectorAll("option[data-value]")) {
    const key = option.parentElement.dataset.filter;
    const n = counts[key]?.[option.value] || 0;
    option.textContent = `${option.value}（${n}）`;
  }
}

function pagefindFilters(filters) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) out[key] = { any: values };
  return out;
}

// The excerpt is Pagefind's HTML with <mark> around matches: keep the text and the marks only.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html || "";
  const out = [];
  for (const node of template.content.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.push(mark);
    } else {
      out.push(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function resultItem(data) {
  const li = document.createElement("li");
  li.className = "result";
  const h2 = document.createElement("h2");
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = data.meta?.title || data.url;
  h2.append(a);
  const meta = document.createElement("p");
  meta.className = "result-meta small";
  const f = data.filters || {};
  const parts = [
    data.meta?.agency,
    f.year?.[0] && `${f.year[0]}年度`,
    [f.province?.[0], f.city?.[0]].filter(Boolean).join(" "),
    f.level?.[0],
    f.breaks?.[0],
  ].filter(Boolean);
  meta.textContent = parts.join(" · ");
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(...excerptNodes(data.excerpt));
  li.append(h2, meta, excerpt);
  return li;
}

// Chinese query words. Pagefind segments the query with the browser's Intl.Segmenter, which splits
// differently from jieba at index time (upstream issue #1237): 业委会 becomes 业|委|会 while the index
// holds 业委会, so the page is missed. A second search runs on a copy of the index that does not
// segment the query ("zxx"), with the query re-joined here: runs of single characters become one word
// (业委会, 特困 认定), a lone character joins its neighbour (低保金, 民法典). The results are united.
export function rejoinQuery(term) {
  if (typeof Intl.Segmenter === "undefined") return term;
  const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  const out = [];
  for (const part of term.split(" ")) {
    const words = [...segmenter.segment(part)].filter((s) => s.isWordLike).map((s) => s.segment);
    const groups = [];
    let singles = "";
    for (const word of words) {
      if ([...word].length === 1) {
        singles += word;
        continue;
      }
      if (singles.length === 1) groups.push(singles + word);
      else {
        if (singles) groups.push(singles);
        groups.push(word);
      }
      singles = "";
    }
    if (singles.length === 1 && groups.length) groups[groups.length - 1] += singles;
    else if (singles) groups.push(singles);
    out.push(...groups);
  }
  return out.join(" ");
}

// Pagefind leaves out a query word that does not occur in an index at all, so in a shard without
// 高龄 the query 高龄 补贴 would match every page with 补贴 (and with one index, 平 潭 every page with
// 平…). Each word is looked up alone first (the synthetic "shard" filter counts where it occurs);
// shards missing a word are left out, so every result has every word, however the index is split.
// The lookups filter on a shard no page is in: Pagefind still counts the word's pages per shard in
// totalFilters (the counts before filtering) but ranks none of them, ~30 ms instead of up to 1.5 s for
// a common word at 10,000 reports.
const NO_PAGE = { shard: { any: ["\u0000none"] } };

async function searchShards(pf, terms, term, options) {
  if (terms.length > 1) {
    const alone = await Promise.all(terms.map((t) => pf.search(t, { filters: NO_PAGE })));
    let shards = null;
    for (const found of alone) {
      const here = Object.entries(found.totalFilters?.shard || {}).filter(([, n]) => n > 0).map(([s]) => s);
      shards = shards === null ? new Set(here) : new Set(here.filter((s) => shards.has(s)));
    }
    if (!shards.size) return { results: [], filters: {} };
    options = { ...options, filters: { ...options.filters, shard: { any: [...shards] } } };
  }
  return withoutDropped(await pf.search(term, options));
}

// After an incremental build, changed reports live in the small "delta" shard and their old
// entries are still in the big shards: the manifest lists those stale result ids to leave out, with
// the filter values each was indexed with, so that the counts beside the filters leave them out too.
let dropped = new Map(); // result id → { filter: [values] }

function withoutDropped(found) {
  const stale = found.results.filter((r) => dropped.has(r.id));
  if (!stale.length) return found;
  const filters = structuredClone(found.filters || {});
  for (const r of stale) addCounts(filters, dropped.get(r.id), -1);
  return { ...found, results: found.results.filter((r) => !dropped.has(r.id)), filters };
}

// counts[filter][value] += sign for each of a page's filter values ({ year: ["2021"], … }).
function addCounts(counts, values, sign) {
  for (const [key, list] of Object.entries(values || {})) {
    counts[key] ??= {};
    for (const value of list) counts[key][value] = (counts[key][value] || 0) + sign;
  }
}

// Counts of the whole index (no query): Pagefind's totals, less the stale entries it still holds.
async function indexCounts() {
  const counts = structuredClone(await pagefind.filters());
  for (const values of dropped.values()) addCounts(counts, values, -1);
  return counts;
}

function segmentWords(term) {
  if (typeof Intl.Segmenter === "undefined") return term.split(" ");
  const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  return [...segmenter.segment(term)].filter((s) => s.isWordLike).map((s) => s.segment.toLowerCase());
}

function searchRejoined(raw, options) {
  return searchShards(rawPagefind, raw.split(" "), raw, options);
}

async function searchBoth(term, filters) {
  const options = { filters: pagefindFilters(filters) };
  if (!term) return withoutDropped(await pagefind.search(null, options));
  const raw = rejoinQuery(term);
  const words = segmentWords(term);
  const han = /\p{Script=Han}/u.test(raw);
  // The browser cut every word into single characters (复工复产 → 复|工|复|产: it did not know them).
  // Searched so, they match pages that merely share characters (5,644 of 10,000 synthetic reports where
  // 复工复产 itself is in 2,743), and slowly: when the re-joined words find reports, those are the answer.
  const joinedFirst = han && words.every((w) => [...w].length === 1) ? await searchRejoined(raw, options) : null;
  if (joinedFirst && joinedFirst.results.length) return joinedFirst;
  const [segmented, joined] = await Promise.all([
    searchShards(pagefind, words, term, options),
    joinedFirst ?? (han ? searchRejoined(raw, options) : null),
  ]);
  if (!joined) return segmented;
  // The re-joined words match whole index words, the browser's pieces only prefixes of any word:
  // pages the re-joined query found come first, then those only the segmented query found.
  const joinedIds = new Set(joined.results.map((r) => r.id));
  const results = [...joined.results, ...segmented.results.filter((r) => !joinedIds.has(r.id))];
  return { results, filters: await unionCounts(segmented, joined, joinedIds) };
}

// Filter counts of the union of two searches, from their own counts and result ids: a page both found
// is counted once. Its filter values come from its own data only when the two sets overlap without
// one holding the other (each result's data is ~10 KB of narrative; at most OVERLAP_LOADED of them,
// beyond that the counts are the larger of the two, a lower bound).
const OVERLAP_LOADED = 30;

async function unionCounts(a, b, idsOfB) {
  const both = a.results.filter((r) => idsOfB.has(r.id));
  if (both.length === a.results.length) return b.filters || {};
  if (both.length === b.results.length) return a.filters || {};
  const counts = structuredClone(a.filters || {});
  const loadBoth = both.length <= OVERLAP_LOADED;
  for (const [key, values] of Object.entries(b.filters || {})) {
    counts[key] ??= {};
    for (const [value, n] of Object.entries(values)) {
      const here = counts[key][value] || 0;
      counts[key][value] = loadBoth ? here + n : Math.max(here, n);
    }
  }
  if (loadBoth) for (const data of await Promise.all(both.map((r) => r.data()))) addCounts(counts, data.filters, -1);
  return counts;
}

// Results arrive in batches: all at once by relevance, or year after year when sorted by year
// (Pagefind's own sort does not hold across merged shards: each shard's ranks are mixed by score).
let source = null;

async function nextBatch(gen) {
  while (pending.length < PAGE_SIZE && source && source.years.length) {
    const year = source.years.shift();
    const found = await searchBoth(source.term, { ...source.filters, year: [year] });
    if (gen !== generation) return null;
    pending.push(...found.results);
  }
  return pending.splice(0, PAGE_SIZE);
}

async function showMore(gen) {
  const batch = await nextBatch(gen);
  if (batch === null) return;
  const datas = await Promise.all(batch.map((r) => r.data()));
  if (gen !== generation) return;
  els.results.append(...datas.map(resultItem));
  els.more.hidden = pending.length === 0 && !(source && source.years.length);
}

async function run({ debounce }) {
  const state = currentState();
  writeState(state);
  showChosen(state);
  for (const input of document.querySelectorAll('input[name="q"]')) {
    if (input !== els.input) input.value = state.q;
  }
  const gen = ++generation;
  const term = normalizeQuery(state.q);
  const hasFilters = Object.keys(state.filters).length > 0;
  if (!term && !hasFilters) {
    els.results.replaceChildren();
    els.more.hidden = true;
    els.status.textContent = "输入词语开始搜索，或在“筛选和排序”中选择年度、地区等条件浏览报告。";
    showCounts(await indexCounts());
    if (gen === generation) els.app.dataset.searched = location.search;
    return;
  }
  if (debounce) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (gen !== generation) return;
  }
  const found = await searchBoth(term, state.filters);
  if (gen !== generation) return; // a newer search superseded this one
  showCounts(found.filters || {});
  source = null;
  pending = [];
  if (state.sort) {
    const chosen = state.filters.year ? new Set(state.filters.year) : null;
    const years = Object.entries(found.filters?.year || {})
      .filter(([year, n]) => n > 0 && (!chosen || chosen.has(year)))
      .map(([year]) => year)
      .sort((a, b) => (state.sort === "year-asc" ? a - b : b - a));
    source = { term, filters: state.filters, years };
  } else {
    pending = found.results.slice();
  }
  els.results.replaceChildren();
  const shown = term ? `与“${term}”有关的` : "符合条件的";
  els.status.textContent = found.results.length
    ? `找到 ${found.results.length} 份${shown}报告。`
    : `没有找到${shown}报告。可以试试更短的词、去掉一些筛选条件，或按年度、按地区浏览。`;
  await showMore(gen);
  if (gen === generation) els.app.dataset.searched = location.search;
}

async function loadPagefind() {
  const response = await fetch(base + "pagefind/shards.json");
  if (!response.ok) throw new Error(`shards.json: HTTP ${response.status}`);
  const manifest = await response.json();
  if (!manifest.shards || !manifest.shards.length) return null;
  dropped = new Map((manifest.drop || []).map((id) => [id, manifest.dropped_filters?.[id] || {}]));
  const module = await import(base + manifest.shards[0].bundle + "pagefind.js");
  const open = async (language) => {
    // Pagefind takes the query language from <html lang> when the instance is created.
    const html = document.documentElement;
    const lang = html.lang;
    html.lang = language;
    let pf;
    try {
      pf = module.createInstance({ basePath: base + manifest.shards[0].bundle });
    } finally {
      html.lang = lang;
    }
    await pf.options({ baseUrl: base, excerptLength: 40, mergeFilter: { shard: manifest.shards[0].name } });
    await pf.init();
    await Promise.all(
      manifest.shards
        .slice(1)
        .map((s) => pf.mergeIndex(base + s.bundle, { baseUrl: base, mergeFilter: { shard: s.name } })),
    );
    // Pagefind counts a filter's values in search results only once that filter's files are loaded:
    // without this the second instance's results came back without year, province… counts, and the
    // counts beside the filters were the first instance's alone (行政复议: 2 where 9 were listed).
    await pf.filters();
    return pf;
  };
  // One after the other: the second instance gets the same files from the browser's cache.
  const segmenting = await open(document.documentElement.lang || "zh-CN");
  rawPagefind = await open("zxx");
  return segmenting;
}

function fail(message) {
  els.error.textContent = message;
  els.error.hidden = false;
}

async function main() {
  const state = readState();
  els.input.value = state.q;
  els.sort.value = state.sort;
  try {
    pagefind = await loadPagefind();
  } catch (error) {
    console.warn("search index could not be loaded", error);
    fail("搜索索引加载失败，请稍后重试，或按年度、按地区浏览全部报告。");
    return;
  }
  if (!pagefind) {
    fail("档案中还没有可搜索的报告。");
    return;
  }
  buildFilters(await indexCounts(), state);
  els.refine.open = !NARROW.matches;
  els.app.hidden = false;
  els.input.addEventListener("input", () => run({ debounce: true }));
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    run({ debounce: false });
  });
  els.filters.addEventListener("change", () => run({ debounce: false }));
  els.filters.addEventListener("submit", (event) => event.preventDefault());
  els.more.addEventListener("click", () => showMore(generation));
  await run({ debounce: false });
  els.app.dataset.ready = "true";
}

main();
