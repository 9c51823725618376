// The runs board's sortable columns. Ranks come from the server (per dataset); sorting only
// reorders the rows already on the page, so a click answers at once. Each header is a
// button (keyboard: Tab to it, Enter or Space); its <th> carries aria-sort. The choice
// survives the board's refreshes (a run landing) for the tab's lifetime.
const STORE = "ascent:board-sort";
// First click: best score and newest first; names, models, datasets and ranks A→Z / 1→n.
const FIRST = { score: "descending", created: "descending" };

function value(row, key, kind) {
  const raw = row.dataset[key] ?? "";
  if (raw === "") return null;
  if (key === "created") return Date.parse(raw);
  return kind === "num" ? Number(raw) : raw;
}

function sortRows(table, key, direction) {
  const header = table.querySelector(`th[data-sort-key="${key}"]`);
  const body = table.tBodies[0];
  if (!header || !body) return;
  const kind = header.dataset.sortKind;
  const rows = [...body.rows];
  rows.forEach((row, index) => {
    if (row.dataset.order === undefined) row.dataset.order = String(index);
  });
  const sign = direction === "descending" ? -1 : 1;
  rows.sort((a, b) => {
    const x = value(a, key, kind);
    const y = value(b, key, kind);
    // Rows without a value (no rank, no score) stay last whichever way.
    if (x === null || y === null) {
      if (x === y) return Number(a.dataset.order) - Number(b.dataset.order);
      return x === null ? 1 : -1;
    }
    const order = typeof x === "number" ? x - y : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
    return order * sign || Number(a.dataset.order) - Number(b.dataset.order);
  });
  body.append(...rows);
  for (const th of table.querySelectorAll("th[data-sort-key]")) {
    th.setAttribute("aria-sort", th === header ? direction : "none");
  }
}

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

export function initBoard(root) {
  const table = root.querySelector?.("table[data-sortable]") || (root.matches?.("table[data-sortable]") ? root : null);
  if (!table || table.dataset.ready) return;
  table.dataset.ready = "1";
  table.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest(".sort-btn") : null;
    const header = button?.closest("th[data-sort-key]");
    if (!header) return;
    const key = header.dataset.sortKey;
    const now = header.getAttribute("aria-sort");
    const direction =
      now === "ascending" ? "descending" : now === "descending" ? "ascending" : FIRST[key] || "ascending";
    sortRows(table, key, direction);
    sessionStorage.setItem(STORE, JSON.stringify({ key, direction }));
  });
  const choice = saved();
  if (choice && !(choice.key === "rank" && choice.direction === "ascending")) {
    sortRows(table, choice.key, choice.direction);
  }
}
