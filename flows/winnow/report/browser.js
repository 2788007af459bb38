// The report's document browser: search titles, open a document (kept text beside removed lines).
(function () {
  "use strict";
  const docs = JSON.parse(document.getElementById("doc-data").textContent);
  const byId = new Map(docs.map((d) => [d.doc_id, d]));
  const list = document.getElementById("doc-list");
  const view = document.getElementById("doc-view");
  const search = document.getElementById("doc-search");
  const SHOWN = 200;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderList() {
    const q = search.value.trim().toLowerCase();
    const hits = q ? docs.filter((d) => d.title.toLowerCase().includes(q)) : docs;
    list.replaceChildren();
    for (const d of hits.slice(0, SHOWN)) {
      const li = el("li", { "data-doc": d.doc_id }, d.title || "(no title)");
      li.appendChild(el("small", {}, `${d.site} · ${d.language} · ${d.kept_words} words kept, ${d.removed_lines} lines removed`));
      li.addEventListener("click", () => open(d.doc_id));
      list.appendChild(li);
    }
    if (hits.length > SHOWN) list.appendChild(el("li", { class: "more" }, `… ${hits.length - SHOWN} more: refine the search`));
    if (!hits.length) list.appendChild(el("li", { class: "none" }, "no title matches"));
  }

  function open(id) {
    const d = byId.get(id);
    if (!d) return;
    for (const li of list.querySelectorAll("li.sel")) li.classList.remove("sel");
    const li = list.querySelector(`li[data-doc="${id}"]`);
    if (li) li.classList.add("sel");
    view.replaceChildren();
    view.setAttribute("data-open", id);
    view.appendChild(el("h3", {}, d.title || "(no title)"));
    const meta = el("p", { class: "note" });
    meta.appendChild(el("span", {}, `${d.doc_id} · ${d.language} · ${d.source_type} · ${d.site} · `));
    const a = el("a", { class: "path", href: d.path_uri }, d.path);
    meta.appendChild(a);
    if (d.url) meta.appendChild(el("span", {}, ` · ${d.url}`));
    view.appendChild(meta);
    const cols = el("div", { class: "cols" });
    const kept = el("div");
    kept.appendChild(el("h4", {}, `Kept: ${d.kept_words} words`));
    kept.appendChild(el("pre", { id: "doc-text" }, d.text));
    const removed = el("div");
    removed.appendChild(el("h4", {}, `Removed: ${d.removed.length} lines, ${d.removed_words} words`));
    const box = el("div", { id: "doc-removed" });
    for (const r of d.removed) {
      const row = el("div", { class: "removed-line" });
      if (r.line_no !== null) row.appendChild(el("span", { class: "ln" }, `line ${r.line_no}`));
      row.appendChild(el("span", { class: "why" }, r.score === null ? r.reason : `${r.reason} ${r.score.toFixed(2)}`));
      row.appendChild(el("span", {}, r.text));
      box.appendChild(row);
    }
    if (!d.removed.length) box.appendChild(el("div", { class: "empty" }, "nothing recorded as removed"));
    removed.appendChild(box);
    cols.append(kept, removed);
    view.appendChild(cols);
  }

  search.addEventListener("input", renderList);
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a.open-doc");
    if (!a) return;
    ev.preventDefault();
    if (!byId.has(a.dataset.doc)) return;
    search.value = "";
    renderList();
    open(a.dataset.doc);
    document.getElementById("documents").scrollIntoView();
  });
  renderList();
  const m = location.hash.match(/^#doc=(\w+)/);
  if (m) open(m[1]);
})();
