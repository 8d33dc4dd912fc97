// The search page: Pagefind (extended build, Chinese segmented at index time) in the browser.
// The site may live under a sub-path: every URL starts from <meta name="gkgen-base">.
// The index may be sharded: pagefind/shards.json lists the bundles; the first one a search needs is
// loaded, the others are merged with mergeIndex(). A search of a word many shards hold reads the
// newest shards first and stops at a page of results; the rest are searched on demand ("search-earlier"). The query and filters live in the URL (?q=…&year=…)
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
// Typing waits this long for the next key before it searches. Short, because the wait is not idle: the
// shard and its index chunks are fetched meanwhile (warm), so a new key costs no requests of its own.
const DEBOUNCE_MS = 150;
const SORTS = { "year-desc": { year: "desc" }, "year-asc": { year: "asc" } };

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
  earlier: document.getElementById("search-earlier"),
  error: document.getElementById("search-error"),
};

let pagefind = null; // one instance, created with the first shard a search needs: Pagefind 1.6 segments the index as the browser segments the query
let filtersLoaded = false; // the filter files are fetched only when the panel is opened or a filter is set
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

// The report's key figures, indexed with the page (report.html: "本年新收申请=12；行政复议=0；…").
function figuresOf(data) {
  const out = [];
  for (const part of (data.meta?.figures || "").split("；")) {
    const [label, value] = part.split("=");
    if (label && value !== undefined) out.push({ label: label.trim(), value: value.trim() });
  }
  return out;
}

// The figures a query names: a query word inside a figure's label (本年新收 → 本年新收申请), or a
// label inside the query (行政复议情况 → 行政复议). A two-character word counts only when it names
// one figure (复议 yes; 公开 names three: none).
function namedFigures(term, figures) {
  const words = term.split(" ").filter((w) => [...w].length >= 2);
  const named = new Set();
  for (const word of words) {
    const hits = figures.filter((f) => f.label.includes(word) || word.includes(f.label));
    if ([...word].length >= 3 || hits.length === 1) for (const f of hits) named.add(f.label);
  }
  return figures.filter((f) => named.has(f.label));
}

// The passage to show. Pagefind 1.6 keeps a page's text cut into words (joined by U+200B) and gives the
// positions of the query's words (data.locations); the passage is the words around the first place
// where the query's pieces stand side by side (or its first word, for a one-piece query), and its
// section is the last heading with an id before it (data.anchors: the report's section headings), so
// the link lands on that section. A passage whose text an earlier result already showed (a sentence
// many reports share) gives way to the page's next place; if every place repeats, the result says so.
const BEFORE = 14;
const FIGURES_ANCHOR = "yoy-heading"; // report.html: the key figures' section
const AFTER = 30;

function escapeText(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function passageAt(data, words, at, span) {
  const start = Math.max(0, at - BEFORE);
  const end = Math.min(words.length, at + span + AFTER);
  // Two results repeat each other when the words right around the match are the same (a sentence
  // copied from report to report), even if the passages reach further into different text.
  const plain = words.slice(Math.max(0, at - 6), at + span + 6).join("").trim();
  const html =
    (start > 0 ? "…" : "") +
    escapeText(words.slice(start, at).join("")) +
    "<mark>" + escapeText(words.slice(at, at + span).join("")) + "</mark>" +
    escapeText(words.slice(at + span, end).join("")) +
    (end < words.length ? "…" : "");
  const anchor = (data.anchors || [])
    .filter((a) => a.id && /^h\d$/i.test(a.element) && a.location <= at)
    .sort((x, y) => y.location - x.location)[0];
  const url = anchor ? data.url.replace(/#.*$/, "") + "#" + anchor.id : data.url;
  return { title: anchor ? (anchor.text || "").trim() : "", url, excerpt: html, plain, repeated: false };
}

function bestPassage(data, term, shown, figureShown) {
  const raw = data.raw_content || "";
  const pieces = Math.max(1, ...term.split(" ").map((part) => segmentWords(part).length));
  const positions = [...new Set(data.locations || [])].sort((a, b) => a - b);
  if (raw.includes("\u200B") && positions.length) {
    const words = raw.split("\u200B");
    const starts = positions.filter((p, i) => {
      for (let k = 1; k < pieces; k++) if (positions[i + k] !== p + k) return false;
      return true;
    });
    // Places in a section heading (四、政府信息公开行政复议、行政诉讼情况 is on every report) come last.
    const headings = (data.anchors || []).map((a) => [a.location, a.location + segmentWords(a.text || "").length]);
    const inHeading = (p) => headings.some(([from, to]) => p >= from && p < to);
    const found = starts.length ? starts : positions;
    // So do places in the key figures (the figure line above the passage already shows the number).
    const figuresAt = (data.anchors || []).find((a) => a.id === FIGURES_ANCHOR)?.location ?? -1;
    const nextAnchor = (data.anchors || []).map((a) => a.location).filter((l) => l > figuresAt).sort((a, b) => a - b)[0];
    const inFigures = (p) => figuresAt >= 0 && p >= figuresAt && (nextAnchor === undefined || p < nextAnchor);
    const rank = (p) => (inHeading(p) ? 2 : inFigures(p) ? 1 : 0);
    // When the figure line shows the number, the figures' own list is not shown again as a passage.
    const ranks = figureShown ? [0, 2] : [0, 1, 2];
    const places = ranks.flatMap((r) => found.filter((p) => rank(p) === r)).slice(0, 30);
    if (!places.length && figureShown && figuresAt >= 0) {
      const anchor = data.anchors.find((a) => a.id === FIGURES_ANCHOR);
      const url = data.url.replace(/#.*$/, "") + "#" + FIGURES_ANCHOR;
      return { title: (anchor.text || "").trim(), url, excerpt: "", plain: "", repeated: false };
    }
    let first = null;
    for (const at of places) {
      const passage = passageAt(data, words, at, starts.length ? pieces : 1);
      first ??= passage;
      if (!shown.has(passage.plain)) return passage;
    }
    if (first) return { ...first, excerpt: "", repeated: true };
  }
  const text = (html) => (html || "").replace(/<[^>]*>/g, "");
  const sub = (data.sub_results || []).find((s) => s.url?.includes("#") && !shown.has(text(s.excerpt)));
  if (sub) return { title: sub.title, url: sub.url, excerpt: sub.excerpt, plain: text(sub.excerpt), repeated: false };
  return { title: "", url: data.url, excerpt: data.excerpt, plain: text(data.excerpt), repeated: false };
}

function resultItem(data, term, shown) {
  const li = document.createElement("li");
  li.className = "result";
  const figures = namedFigures(term, figuresOf(data));
  const passage = bestPassage(data, term, shown, figures.length > 0);
  if (passage.plain) shown.add(passage.plain);
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
  li.append(h2, meta);
  if (figures.length) {
    const p = document.createElement("p");
    p.className = "result-figures";
    p.append("本报告：");
    figures.forEach((fig, i) => {
      const strong = document.createElement("strong");
      strong.textContent = fig.value === "—" ? "未填报" : `${fig.value} 件`;
      p.append(i ? "；" : "", `${fig.label} `, strong);
    });
    li.append(p);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  if (passage.title) {
    const link = document.createElement("a");
    link.className = "passage";
    link.href = passage.url;
    link.textContent = passage.title;
    excerpt.append(link, passage.excerpt ? "：" : "");
  }
  if (passage.excerpt) excerpt.append(...excerptNodes(passage.excerpt));
  else if (passage.repeated) excerpt.append((passage.title ? "：" : "") + "与上面结果中相同的段落。");
  li.append(excerpt);
  return li;
}

// Shards (pagefind/shards.json) are merged into the one Pagefind instance only when a search needs
// them. The routing table (pagefind/routes/<bucket>.json: word → the base shards holding it, as a bit
// mask; routes/delta/<bucket>.json: the words of the delta shard, the manifest's last, when there is
// one) tells which shards hold every word of the query, as the browser segments it; only they are merged
// and searched. So a rare word loads one or two shards, and a shard lacking a word cannot answer with
// parts of it (Pagefind 1.6 falls back to 高 for a 高龄 an index lacks). Words no shard holds: every
// shard is searched, as one index would be.
let manifest = null;
const merged = new Set(); // indexes into manifest.shards
const merging = new Map(); // index → promise of its mergeIndex
const buckets = new Map(); // bucket URL → promise of its table

// The bucket of `word` in a table (manifest.routes, or manifest.routes.delta): {word: mask}.
function bucket(table, word) {
  const url = base + "pagefind/" + table.path + (word.codePointAt(0) % table.buckets) + ".json";
  if (!buckets.has(url)) {
    buckets.set(url, fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url}: ${r.status}`)))));
  }
  return buckets.get(url);
}

// The buckets of `word` in the base shards' table and in the delta shard's ({} without one).
function routeBuckets(word) {
  const { delta } = manifest.routes;
  return Promise.all([bucket(manifest.routes, word), delta ? bucket(delta, word) : {}]);
}

// The shards holding `word` (or a word it begins), as a bit mask of manifest indexes.
async function wordMask(word) {
  const [own, changed] = await routeBuckets(word);
  let mask = 0n;
  for (const [w, hex] of Object.entries(own)) if (w.startsWith(word)) mask |= BigInt("0x" + hex);
  if (Object.keys(changed).some((w) => w.startsWith(word))) mask |= 1n << BigInt(manifest.shards.length - 1);
  return mask;
}

// Whether any shard holds exactly `word`.
async function indexHolds(word) {
  return (await routeBuckets(word)).some((t) => Object.prototype.hasOwnProperty.call(t, word));
}

async function shardsFor(term) {
  const all = manifest.shards.map((_, i) => i);
  if (!term || all.length === 1 || !manifest.routes) return all;
  const pieces = [...new Set(segmentWords(term))];
  if (!pieces.length) return all;
  const masks = await Promise.all(pieces.map(wordMask));
  const need = masks.reduce((a, b) => a & b);
  const chosen = all.filter((i) => (need >> BigInt(i)) & 1n);
  return chosen.length ? chosen : all;
}

// The first shard merged becomes the instance's own bundle: the newest shards a search needs, not the
// oldest one in the manifest (Pagefind searches every bundle it holds, so that one's chunks would be
// fetched by every search).
let pagefindModule = null;
let instance = null;

function ensureInstance(i) {
  if (!instance) {
    const s = manifest.shards[i];
    instance = (async () => {
      // No web worker: the worker's own script and start-up were a link of their own in the chain of
      // requests before the first results, and a shard of ≤ 400 pages is searched in milliseconds.
      const pf = pagefindModule.createInstance({ basePath: base + s.bundle, noWorker: true });
      await pf.options({ baseUrl: base, excerptLength: 40, mergeFilter: { shard: s.name } });
      await pf.init();
      pagefind = pf;
      merged.add(i);
    })();
    merging.set(i, instance);
  }
  return instance;
}

async function mergeShards(indexes) {
  if (!indexes.length) return;
  await ensureInstance(indexes[0]);
  await Promise.all(
    indexes
      .filter((i) => !merged.has(i))
      .map((i) => {
        if (!merging.has(i)) {
          const s = manifest.shards[i];
          merging.set(
            i,
            // As an absolute URL: Pagefind skips a bundle whose path the primary's path starts with, and
            // the primary may be a nested shard (pagefind/shards/…/) while this one is pagefind/ itself.
            pagefind
              .mergeIndex(new URL(base + s.bundle, location.href).href, { baseUrl: base, mergeFilter: { shard: s.name } })
              .then(() => merged.add(i)),
          );
        }
        return merging.get(i);
      }),
  );
}

// options.within (a Set of shard indexes, or absent for all): the shards this search may read so far.
// A search already made with the same shards, words and filters is not made again.
const searches = new Map();

async function searchShards(term, options, plain = term) {
  const { within, ...rest } = options;
  let need = await shardsFor(plain);
  if (within) need = need.filter((i) => within.has(i));
  if (!need.length) return { results: [], filters: {} };
  await mergeShards(need);
  options = rest;
  if (need.length < merged.size) {
    const names = need.map((i) => manifest.shards[i].name);
    options = { ...rest, filters: { ...rest.filters, shard: { any: names } } };
  }
  const key = JSON.stringify([term, need, options, filtersLoaded]); // counts come once the filters are loaded
  if (!searches.has(key)) {
    if (searches.size > 200) searches.clear();
    searches.set(key, pagefind.search(term || null, options).then(withoutDropped));
  }
  return searches.get(key);
}

// Newest first: a shard's name starts with its year, or its first and last years ("2019_2022");
// the delta shard (reports changed since the full build, of any year) comes first.
function shardYears(i) {
  const m = /^(\d{4})(?:_(\d{4}))?(?![\d])/.exec(manifest.shards[i].name);
  return m ? [Number(m[1]), Number(m[2] || m[1])] : null;
}

function newestFirst(indexes) {
  const last = (i) => shardYears(i)?.[1] ?? Infinity;
  return indexes.slice().sort((a, b) => last(b) - last(a) || b - a);
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
  await mergeShards(manifest.shards.map((_, i) => i));
  const counts = structuredClone(await pagefind.filters());
  for (const values of dropped.values()) addCounts(counts, values, -1);
  return counts;
}

// One segmenter for the page: building one loads ICU's dictionary data, and every keystroke segments.
const segmenter = typeof Intl.Segmenter === "undefined" ? null : new Intl.Segmenter("zh", { granularity: "word" });

function segmentWords(term) {
  if (!segmenter) return term.split(" ");
  return [...segmenter.segment(term)].filter((s) => s.isWordLike).map((s) => s.segment.toLowerCase());
}

// One search over every shard. Pagefind 1.6 cuts the query with the browser's Intl.Segmenter and cut
// the pages with ICU4X, the same segmentation (1.5 used jieba at index time: 业委会 was one word in the
// index and 业|委|会 in the query, upstream issue #1237). A page is listed once even if two shards
// hold it (after an incremental build its old entry is dropped; a URL seen twice is kept once).
async function searchIndex(term, filters, within) {
  const options = { filters: pagefindFilters(filters), ...(within ? { within } : {}) };
  if (term && !term.includes(" ")) {
    const phrase = await searchPhrase(term, options);
    if (phrase && phrase.results.length >= PAGE_SIZE) return phrase;
    if (phrase !== undefined) return await withTextMatches(term, options, phrase);
  }
  const found = await searchShards(term, options);
  return term ? await sideBySide(term, found) : found;
}

// Fewer phrase matches than a page of results: the pages may also cut the word in a way no phrase
// search foresaw (本年新收 inside 本年新收申请). The loose search's best candidates (pieces side by
// side first) are read, and those whose text holds the word are added; none is listed on its pieces
// alone. At most VERIFIED pages are read (their data is loaded anyway when they are shown).
const VERIFIED = 20;

async function withTextMatches(term, options, phrase) {
  const loose = await sideBySide(term, await searchShards(term, options), false);
  const have = new Set((phrase?.results || []).map((r) => r.id));
  const candidates = loose.results.filter((r) => !have.has(r.id)).slice(0, VERIFIED);
  const wanted = term.toLowerCase();
  const datas = await Promise.all(candidates.map((r) => r.data()));
  const extra = candidates.filter((r, i) => (datas[i].raw_content || datas[i].content || "").replace(/\u200B/g, "").toLowerCase().includes(wanted));
  const results = [...(phrase?.results || []), ...extra];
  if (!extra.length && phrase) return phrase;
  let counts = {};
  if (filtersLoaded) {
    for (const key of Object.keys(loose.filters || {})) counts[key] = {};
    const all = await Promise.all(results.map((r) => r.data()));
    for (const data of all) addCounts(counts, data.filters, 1);
  }
  return { results, filters: counts };
}

// Ways to cut a query word into words the index holds (the routing table knows the index's words):
// the page cut 本年新收申请 as 本年|新收|申请 in its sentence while the browser cuts the query 本年新收 alone
// as 本|年|新|收. Fewest pieces first; the browser's own cut is always one of them.
async function cuts(word, limit = 6) {
  const chars = [...word];
  const own = segmentWords(word);
  if (!manifest.routes || chars.length > 12) return [own];
  // Every piece a cut may use, looked up at once (each is in the bucket of its first character).
  const pieces = new Set();
  for (let i = 0; i < chars.length; i++) for (let j = i + 1; j <= chars.length; j++) pieces.add(chars.slice(i, j).join("").toLowerCase());
  const holds = new Map(await Promise.all([...pieces].map(async (w) => [w, await indexHolds(w)])));
  const known = (w) => holds.get(w);
  const found = [];
  const walk = (i, parts) => {
    if (found.length >= 50) return;
    if (i === chars.length) return void found.push(parts);
    for (let j = chars.length; j > i; j--) {
      const w = chars.slice(i, j).join("").toLowerCase();
      if (known(w)) walk(j, [...parts, w]);
    }
  };
  walk(0, []);
  const all = [own, ...found.sort((a, b) => a.length - b.length)];
  const seen = new Set();
  return all.filter((c) => !seen.has(c.join(" ")) && seen.add(c.join(" "))).slice(0, limit);
}

// A query word is first searched as a phrase (Pagefind 1.6: "…" matches the words side by side, in
// order), once for each way the index may have cut it; the pages found so contain the word itself.
// Only when no page does, the words are searched loose (sideBySide).
async function searchPhrase(term, options) {
  const own = segmentWords(term);
  if (own.length < 2) return undefined; // one index word: a plain search is exact
  // The browser's own cut first: when it finds a page of results, that is the answer, and the index
  // chunks of other cuts (often single characters, whose chunks are the heaviest) are never fetched.
  const first = await searchShards(`"${own.join(" ")}"`, options, term);
  if (first.results.length >= PAGE_SIZE) return first;
  const ways = (await cuts(term)).slice(1).filter((w) => w.every((piece) => [...piece].length > 1)).slice(0, 3);
  const founds = [first, ...(await Promise.all(ways.map((w) => searchShards(`"${w.join(" ")}"`, options, term))))];
  const byId = new Map();
  for (const found of founds) for (const r of found.results) if (!byId.has(r.id) || byId.get(r.id).score < r.score) byId.set(r.id, r);
  if (!byId.size) return null;
  const results = [...byId.values()].sort((a, b) => b.score - a.score);
  const one = founds.filter((f) => f.results.length);
  if (one.length === 1) return { ...one[0], results };
  let counts = one[0].filters || {};
  if (filtersLoaded && results.length <= COUNTED_LOADED) {
    counts = {};
    for (const key of Object.keys(one[0].filters || {})) counts[key] = {};
    for (const data of await Promise.all(results.map((r) => r.data()))) addCounts(counts, data.filters, 1);
  }
  return { results, filters: counts };
}

// A word the segmenter cuts into pieces (业委会 → 业|委|会, 三审三校 → 三|审|三|校) matches every page that
// has the pieces anywhere: 91 of 109 reports for 业委会. Pagefind gives each result the positions of its
// matching words (result.words, without loading the page's data), so the pages where the pieces stand
// side by side, as the word itself, can be told apart: when there are such pages, only they are listed;
// otherwise every page is, those with the longest run of neighbouring pieces first.
function longestRun(positions) {
  let best = positions.length ? 1 : 0;
  let run = 1;
  for (let i = 1; i < positions.length; i++) {
    run = positions[i] === positions[i - 1] + 1 ? run + 1 : positions[i] === positions[i - 1] ? run : 1;
    if (run > best) best = run;
  }
  return best;
}

const COUNTED_LOADED = 50; // filter counts of a narrowed list are recounted from at most this many pages

async function sideBySide(term, found, narrow = true) {
  const pieces = Math.max(...term.split(" ").map((part) => segmentWords(part).length));
  if (pieces < 2 || !found.results.length) return found;
  const runs = new Map(found.results.map((r) => [r.id, longestRun([...(r.words || [])].sort((a, b) => a - b))]));
  const whole = found.results.filter((r) => runs.get(r.id) >= pieces);
  if (!whole.length || !narrow) {
    const ranked = found.results
      .map((r, i) => ({ r, i }))
      .sort((a, b) => runs.get(b.r.id) - runs.get(a.r.id) || a.i - b.i)
      .map(({ r }) => r);
    return { ...found, results: ranked };
  }
  if (whole.length === found.results.length) return found;
  let counts = found.filters || {};
  if (filtersLoaded && whole.length <= COUNTED_LOADED) {
    counts = {};
    for (const key of Object.keys(found.filters || {})) counts[key] = {};
    for (const data of await Promise.all(whole.map((r) => r.data()))) addCounts(counts, data.filters, 1);
  }
  return { ...found, results: whole, filters: counts };
}

// Results arrive in batches: all at once by relevance, or year after year when sorted by year
// (Pagefind's own sort does not hold across merged shards: each shard's ranks are mixed by score).
let source = null;

async function nextBatch(gen) {
  while (pending.length < PAGE_SIZE && source && source.years.length) {
    const year = source.years.shift();
    const found = await searchIndex(source.term, { ...source.filters, year: [year] });
    if (gen !== generation) return null;
    pending.push(...found.results);
  }
  return pending.splice(0, PAGE_SIZE);
}

let shownPassages = new Set(); // excerpts already shown for this search (boilerplate is not repeated)

async function showMore(gen) {
  const batch = await nextBatch(gen);
  if (batch === null) return;
  const datas = await Promise.all(batch.map((r) => r.data()));
  if (gen !== generation) return;
  const seen = new Set([...els.results.querySelectorAll("li h2 a")].map((a) => a.getAttribute("href")));
  const fresh = datas.filter((d) => !seen.has(d.url) && seen.add(d.url));
  els.results.append(...fresh.map((d) => resultItem(d, source?.term ?? currentTerm, shownPassages)));
  els.more.hidden = pending.length === 0 && !(source && source.years.length);
  const left = progress ? progress.candidates.length - progress.opened : 0;
  // Offered beside "显示更多结果" at once: a common word's newest shard alone may hold hundreds of results.
  els.earlier.hidden = left === 0;
  els.earlier.textContent = `在更早的报告中继续查找（还有 ${left} 组）`;
}

let currentTerm = "";

// The filter panel's files are loaded when it is first opened (or the URL sets a filter or an order):
// most searches never use them, and they were a third of the first search's bytes.
async function openFilters(state) {
  if (filtersLoaded) return;
  filtersLoaded = true;
  buildFilters(await indexCounts(), state);
}

// Marks the page done with a search: the address it answered, and whether the counts are shown.
function done(gen) {
  if (gen !== generation) return;
  els.app.dataset.searched = location.search;
  if (filtersLoaded) els.refine.dataset.loaded = "true";
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
    progress = null;
    els.results.replaceChildren();
    els.more.hidden = true;
    els.earlier.hidden = true;
    els.status.textContent = "输入词语开始搜索，或在“筛选和排序”中选择年度、地区等条件浏览报告。";
    if (filtersLoaded) showCounts(await indexCounts());
    done(gen);
    return;
  }
  if (debounce) {
    warm(term);
    await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
    if (gen !== generation) return;
  }
  // A word many shards hold: the newest shards first, until a page of results (progress).
  const progressive = term && !state.sort;
  const years = state.filters.year ? state.filters.year.map(Number) : null;
  const inYears = (i) => !years || !shardYears(i) || years.some((y) => y >= shardYears(i)[0] && y <= shardYears(i)[1]);
  const candidates = progressive ? newestFirst((await shardsFor(term)).filter(inYears)) : [];
  progress = progressive && candidates.length > FIRST_ALL ? { term, filters: state.filters, candidates, opened: 0, ids: new Set() } : null;
  const found = progress ? await widen(progress, 1, gen) : await searchIndex(term, state.filters);
  if (found === null || gen !== generation) return; // a newer search superseded this one
  if (filtersLoaded) showCounts(found.filters || {});
  source = null;
  pending = [];
  currentTerm = term;
  shownPassages = new Set();
  if (progress) for (const r of found.results) progress.ids.add(r.id);
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
  showStatus(term, found);
  await showMore(gen);
  done(gen);
}

// While the debounce waits for the person to stop typing: the routing buckets of the words typed so far,
// the shard a search of them opens first (its entry, metadata and Pagefind's WebAssembly) and, while
// that shard is the only one open, its index chunks for the words; the search then finds them loaded.
let typed = "";

function warm(term) {
  typed = term;
  if (!term) return;
  shardsFor(term)
    .then((need) => ensureInstance(newestFirst(need)[0]))
    .then(() => (typed === term && merged.size === 1 ? pagefind.preload(term) : null))
    .catch(() => {});
}

function showStatus(term, found) {
  const shown = term ? `与“${term}”有关的` : "符合条件的";
  const n = found.results.length;
  const left = progress ? progress.candidates.length - progress.opened : 0;
  if (left > 0) {
    els.status.textContent = `已查找${searchedYears(progress)}，找到 ${n} 份${shown}报告；更早的报告尚未查找。`;
  } else {
    els.status.textContent = n
      ? `找到 ${n} 份${shown}报告。`
      : `没有找到${shown}报告。可以试试更短的词、去掉一些筛选条件，或按年度、按地区浏览。`;
  }
}

// " 2021—2025 年度的报告" (or " 2023 年度的部分报告", when shards of that year are still to be searched).
function searchedYears(p) {
  const years = p.candidates.slice(0, p.opened).map(shardYears).filter(Boolean);
  if (!years.length) return "最近更新的报告";
  const lo = Math.min(...years.map((y) => y[0]));
  const hi = Math.max(...years.map((y) => y[1]));
  const partial = p.candidates.slice(p.opened).some((i) => (shardYears(i)?.[1] ?? 0) >= lo);
  const span = lo === hi ? `${lo} 年度` : `${lo}—${hi} 年度`;
  return partial ? ` ${span}的部分报告` : ` ${span}的报告`;
}

// Progressive search: a word held by at most FIRST_ALL shards (a rare word) searches them all at once;
// otherwise shards are opened newest first, a few at a time (1, 2, 4, … each call), until the search has found
// `want` more results than before, no shard is left, or this call has opened OPEN_AT_MOST shards. Each
// step searches the shards opened so far (those already read come from the browser's cache), so the
// results are those of one index over them.
const FIRST_ALL = 3;
// A phrase of common words (the routing table knows words, not phrases) may be in few reports while its
// words are in every shard; without a bound its first search would open them all (250 shards at
// 100,000 reports: megabytes). After 1 + 2 + 4 + 8 shards the page shows what it found and offers the rest.
const OPEN_AT_MOST = 15;
let progress = null;

async function widen(p, want, gen) {
  let step = 1; // each call starts again from one shard: a common word needs no more
  const last = Math.min(p.candidates.length, p.opened + OPEN_AT_MOST); // the most this call opens
  let found = null;
  do {
    p.opened = Math.min(last, p.opened + step);
    step *= 2;
    found = await searchIndex(p.term, p.filters, new Set(p.candidates.slice(0, p.opened)));
    if (gen !== generation) return null;
  } while (found.results.filter((r) => !p.ids.has(r.id)).length < want * PAGE_SIZE && p.opened < last);
  return found;
}

async function searchEarlier(gen) {
  const p = progress;
  if (!p || p.opened >= p.candidates.length) return;
  els.earlier.disabled = true;
  const found = await widen(p, 1, gen);
  els.earlier.disabled = false;
  if (found === null || gen !== generation) return;
  if (filtersLoaded) showCounts(found.filters || {});
  const fresh = found.results.filter((r) => !p.ids.has(r.id));
  for (const r of fresh) p.ids.add(r.id);
  pending.unshift(...fresh); // the earlier reports asked for come next, before the rest of the newer ones
  showStatus(p.term, found);
  await showMore(gen);
}

// The manifest and Pagefind's script (both preloaded by the page's <head>) are read side by side; the
// routing buckets of a query in the address are fetched as soon as the manifest is in.
async function loadPagefind() {
  const module = import(els.app.dataset.module);
  module.catch(() => {}); // awaited below; an archive without an index has no script to load
  const response = await fetch(els.app.dataset.manifest);
  if (!response.ok) throw new Error(`shards.json: HTTP ${response.status}`);
  manifest = await response.json();
  if (!manifest.shards || !manifest.shards.length) return null;
  dropped = new Map((manifest.drop || []).map((id) => [id, manifest.dropped_filters?.[id] || {}]));
  const q = normalizeQuery(readState().q);
  if (q) shardsFor(q).catch(() => {});
  pagefindModule = await module;
  return pagefindModule;
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
    pagefindModule = await loadPagefind();
  } catch (error) {
    console.warn("search index could not be loaded", error);
    fail("搜索索引加载失败，请稍后重试，或按年度、按地区浏览全部报告。");
    return;
  }
  if (!pagefindModule) {
    fail("档案中还没有可搜索的报告。");
    return;
  }
  // The panel starts folded (one Tab stop before the results) unless the URL sets a filter or an order.
  const chosen = Object.keys(state.filters).length > 0 || Boolean(state.sort);
  if (chosen) {
    await openFilters(state);
    els.refine.open = true;
  }
  els.refine.addEventListener("toggle", async () => {
    if (!els.refine.open || filtersLoaded) return;
    await openFilters(currentState());
    await run({ debounce: false });
  });
  els.app.hidden = false;
  // An input method (拼音, 五笔) composes a word before it enters it: the letters shown meanwhile are not
  // searched; the word is, when the composition ends.
  els.input.addEventListener("input", (event) => {
    if (!event.isComposing) run({ debounce: true });
  });
  els.input.addEventListener("compositionend", () => run({ debounce: true }));
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    run({ debounce: false });
  });
  els.filters.addEventListener("change", () => run({ debounce: false }));
  els.filters.addEventListener("submit", (event) => event.preventDefault());
  els.more.addEventListener("click", () => showMore(generation));
  els.earlier.addEventListener("click", () => searchEarlier(generation));
  await run({ debounce: false });
  els.app.dataset.ready = "true";
}

main();
