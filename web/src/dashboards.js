// Instructor dashboards and the admin platform view: fetch the JSON API, draw Chart.js charts
// and tables, point the CSV links at the same filters, re-fetch when the server says events
// arrived (Server-Sent Events, debounced on the server).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

const CYAN = "#06b6d4";
const GREEN = "#22c55e";
const AMBER = "#fbbf24";
const RED = "#f87171";

function params(root) {
  const out = new URLSearchParams();
  const form = root.querySelector("[data-filters]");
  if (form) {
    for (const [key, value] of new FormData(form)) if (value) out.set(key, value);
  }
  if (root.dataset.window) out.set("window", root.dataset.window);
  return out;
}

function draw(root, name, config) {
  const canvas = root.querySelector(`[data-chart="${name}"]`);
  if (!canvas) return;
  // An empty chart says so instead of showing bare axes.
  const empty = !config.data.datasets.some((set) => set.data.some((value) => value));
  canvas.parentElement.classList.toggle("is-empty", empty);
  const existing = Chart.getChart(canvas);
  if (existing) {
    existing.data = config.data;
    existing.update("none");
    return;
  }
  config.options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    ...config.options,
  };
  new Chart(canvas, config);
  canvas.dataset.ready = "1";
}

function cell(value) {
  const td = document.createElement("td");
  td.textContent = value === null || value === undefined ? "—" : String(value);
  return td;
}

function fillTable(root, name, rows) {
  const body = root.querySelector(`[data-table="${name}"] tbody`);
  if (!body) return;
  body.replaceChildren(
    ...rows.map((values) => {
      const tr = document.createElement("tr");
      tr.append(...values.map(cell));
      return tr;
    }),
  );
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell("No data in this range yet.");
    td.colSpan = body.closest("table").querySelectorAll("th").length;
    td.className = "muted";
    tr.append(td);
    body.append(tr);
  }
}

function metrics(box, items) {
  if (!box) return;
  box.replaceChildren(
    ...items.map(([label, value]) => {
      const div = document.createElement("div");
      div.className = "metric";
      const l = document.createElement("span");
      l.className = "metric-label";
      l.textContent = label;
      const v = document.createElement("span");
      v.className = "metric-value";
      v.textContent = value;
      div.append(l, v);
      return div;
    }),
  );
}

const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const num = (v, d = 2) => (v === null || v === undefined ? "—" : Number(v).toFixed(d));
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function renderDashboard(root, d) {
  const runs = d.activity.reduce((sum, a) => sum + a.runs, 0);
  const graded = d.challenges.reduce((sum, c) => sum + c.graded, 0);
  const passing = d.challenges.reduce((sum, c) => sum + c.passing, 0);
  metrics(root.querySelector("[data-summary]"), [
    ["Learners", d.learners],
    ["Runs", runs],
    ["Graded", graded],
    ["Pass rate", graded ? pct(passing / graded) : "—"],
    ["Events logged", d.eventsLogged],
  ]);
  draw(root, "activity", {
    type: "line",
    data: {
      labels: d.activity.map((a) => a.day),
      datasets: [
        { type: "line", label: "Active learners", data: d.activity.map((a) => a.activeLearners), borderColor: CYAN, backgroundColor: CYAN, tension: 0.2, yAxisID: "y" },
        { type: "bar", label: "Runs", data: d.activity.map((a) => a.runs), backgroundColor: "rgba(148, 163, 184, 0.35)", yAxisID: "y1" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, y1: { beginAtZero: true, position: "right", grid: { display: false }, ticks: { precision: 0 } } } },
  });
  draw(root, "challenges", {
    type: "bar",
    data: {
      labels: d.challenges.map((c) => c.title),
      datasets: [
        { label: "Runs", data: d.challenges.map((c) => c.runs), backgroundColor: "rgba(6, 182, 212, 0.55)", yAxisID: "y" },
        { type: "line", label: "Pass rate %", data: d.challenges.map((c) => (c.passRate === null ? null : Math.round(c.passRate * 1000) / 10)), borderColor: GREEN, backgroundColor: GREEN, yAxisID: "y1" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, y1: { min: 0, max: 100, position: "right", grid: { display: false } } } },
  });
  draw(root, "funnel", {
    type: "bar",
    data: {
      labels: d.funnel.map((f) => (f.trackTitle ? `${f.trackTitle} · ${f.title}` : f.title)),
      datasets: [
        { label: "Attempted", data: d.funnel.map((f) => f.attempted), backgroundColor: "rgba(148, 163, 184, 0.4)" },
        { label: "Passed", data: d.funnel.map((f) => f.passed), backgroundColor: "rgba(34, 197, 94, 0.7)" },
      ],
    },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { font: { size: 10 } } } } },
  });
  draw(root, "errors", {
    type: "bar",
    data: { labels: d.errors.map((e) => e.type), datasets: [{ label: "Runs", data: d.errors.map((e) => e.count), backgroundColor: "rgba(248, 113, 113, 0.6)", borderColor: RED }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw(root, "ratings", {
    type: "bar",
    data: { labels: d.ratings.map((r) => `${r.rating} ★`), datasets: [{ label: "Proposals", data: d.ratings.map((r) => r.count), backgroundColor: "rgba(251, 191, 36, 0.6)", borderColor: AMBER }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const c = d.coach;
  metrics(root.querySelector("[data-coach]"), [
    ["Proposals", c.proposals],
    ["Accepted", `${c.accepted} / ${c.withVerdict}`],
    ["Acceptance", pct(c.acceptanceRate)],
    ["Avg rating", num(c.averageRating, 1)],
    ["Advice helpful / not", `${c.adviceHelpful} / ${c.adviceUnhelpful}`],
    ["AI score gain", num(c.averageScoreGain, 4)],
    ["Hit rate", pct(c.hitRate)],
    ["Scored pairs", c.scoredPairs],
  ]);
  const l = d.selfImprovement;
  if (l) {
    const sources = Object.entries(l.proposalsBySource || {}).map(([source, n]) => `${source.replace("_", " ")} ${n}`);
    const signed = (v) => (v === null || v === undefined ? "—" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`);
    metrics(root.querySelector("[data-learning]"), [
      ["Recommendation error (MAE)", `${num(l.predictionMae, 3)} (${l.predictionsScored} scored)`],
      ["Predictions within 0.05", pct(l.predictionsWithin005)],
      ["Exploration rate", `${pct(l.explorationRate)} of ${l.proposals}`],
      ["Proposals accepted", pct(l.proposalAcceptanceRate)],
      ["App advice applied", pct(l.appSuggestionAcceptanceRate)],
      ["Reached a good model", `${l.reachedGoodModel} / ${l.learnerDatasets}`],
      ["Median time to good", duration(l.medianSecondsToGood)],
      ["Median runs to good", num(l.medianRunsToGood, 1)],
      ["Over own baseline (target +20%)", `${signed(l.meanImprovementOverBaseline)} (${l.baselinePairs})`],
      ["Over static default (target +30%)", `${signed(l.meanGainOverStaticDefault)} (${l.staticDefaultPairs})`],
      ["Proposals by source", sources.join(" · ") || "—"],
      ["Knowledge base", `${l.knowledgeObservations} observations (+${(l.knowledgeGrowth || []).reduce((sum, d) => sum + d.count, 0)} in range)`],
    ]);
  }
  const ins = d.instruction;
  if (ins) {
    draw(root, "tracks", {
      type: "bar",
      data: {
        labels: ins.tracks.map((t) => t.title),
        datasets: [
          { label: "Unlocked", data: ins.tracks.map((t) => t.unlocked), backgroundColor: "rgba(148, 163, 184, 0.45)" },
          { label: "Passed one", data: ins.tracks.map((t) => t.passedOne), backgroundColor: "rgba(6, 182, 212, 0.6)" },
          { label: "Completed", data: ins.tracks.map((t) => t.completed), backgroundColor: "rgba(34, 197, 94, 0.7)" },
        ],
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw(root, "badges", {
      type: "bar",
      data: { labels: ins.badges.map((b) => b.name), datasets: [{ label: "Awarded", data: ins.badges.map((b) => b.awarded), backgroundColor: "rgba(251, 191, 36, 0.6)", borderColor: AMBER }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const f = ins.firstModel;
    metrics(root.querySelector("[data-first-model]"), [
      ["Succeeded", `${f.learnersSucceeded} / ${f.learnersWithRuns}`],
      ["Median time", duration(f.medianSeconds)],
    ]);
    draw(root, "first-model", {
      type: "bar",
      data: { labels: f.distribution.map((b) => b.label), datasets: [{ label: "Learners", data: f.distribution.map((b) => b.learners), backgroundColor: "rgba(34, 197, 94, 0.6)", borderColor: GREEN }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    const v = ins.velocity;
    metrics(root.querySelector("[data-velocity]"), [
      ["Learners", v.learners],
      ["Passes / active week (median · mean)", `${num(v.medianPassesPerActiveWeek, 2)} · ${num(v.meanPassesPerActiveWeek, 2)}`],
      ["XP / active day (median · mean)", `${num(v.medianXpPerActiveDay, 1)} · ${num(v.meanXpPerActiveDay, 1)}`],
    ]);
    draw(root, "velocity", {
      type: "bar",
      data: { labels: v.distribution.map((b) => `${b.label} / week`), datasets: [{ label: "Learners", data: v.distribution.map((b) => b.learners), backgroundColor: "rgba(6, 182, 212, 0.6)", borderColor: CYAN }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    fillTable(
      root,
      "help",
      ins.help.map((h) => [h.title, h.learners, `${h.hintLearners} (${pct(h.hintShare)})`, num(h.meanHints, 1), `${h.answerLearners} (${pct(h.answerShare)})`]),
    );
  }
  fillTable(
    root,
    "challenges",
    d.challenges.map((ch) => [ch.title, ch.runs, ch.graded, pct(ch.passRate), ch.learners, ch.learnersPassed, duration(ch.medianSecondsToPass), num(ch.medianAttemptsToPass, 1)]),
  );
  fillTable(root, "apps", (d.apps || []).map((a) => [a.app, a.started, a.completed, a.failed, a.cancelled, a.applied, a.dismissed, a.learners]));
}

function renderPlatform(root, d) {
  const lagging = d.consumers.reduce((sum, c) => sum + c.numPending + c.numAckPending, 0);
  metrics(root.querySelector("[data-summary]"), [
    ["Events in window", d.throughput.reduce((sum, t) => sum + t.events, 0)],
    ["Events logged", d.eventsLogged],
    ["Stream messages", d.streamMessages],
    ["Consumers", d.consumers.length],
    ["Total lag", lagging],
  ]);
  draw(root, "timeline", {
    type: "bar",
    data: { labels: d.timeline.map((p) => p.minute.slice(11, 16)), datasets: [{ label: "Events", data: d.timeline.map((p) => p.events), backgroundColor: "rgba(6, 182, 212, 0.6)" }] },
    options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  fillTable(root, "throughput", d.throughput.map((t) => [t.subject, t.producer, t.events, t.perMinute]));
  fillTable(root, "consumers", d.consumers.map((c) => [c.durable, c.filterSubject || ">", c.numPending, c.numAckPending, c.numRedelivered, c.ackFloorSeq]));
  const error = root.querySelector("[data-dash-error]");
  if (d.lagError && error) {
    error.textContent = `Consumer lag unavailable: ${d.lagError}`;
    error.hidden = false;
  }
}

async function load(root, render) {
  const query = params(root);
  const api = root.dataset.api;
  for (const link of root.querySelectorAll("[data-csv]")) {
    link.href = `${api}/${link.dataset.csv}.csv?${query}`;
    link.setAttribute("download", `${link.dataset.csv}.csv`);
  }
  const error = root.querySelector("[data-dash-error]");
  try {
    const response = await fetch(`${api}?${query}`, { headers: { accept: "application/json" }, credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error?.message || `HTTP ${response.status}`);
    if (error) error.hidden = true;
    render(root, body.data);
    root.dataset.loaded = String(Number(root.dataset.loaded || 0) + 1);
    const status = root.querySelector("[data-live-status]");
    if (status) status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    if (error) {
      error.textContent = err.message;
      error.hidden = false;
    }
  }
}

function start(root, render) {
  load(root, render);
  if (!root.dataset.events || !window.EventSource) return;
  const source = new EventSource(root.dataset.events);
  source.addEventListener("refresh", () => load(root, render));
  window.addEventListener("beforeunload", () => source.close());
}

document.addEventListener("DOMContentLoaded", () => {
  const dashboard = document.querySelector("[data-dashboard]");
  if (dashboard && dashboard.querySelector("[data-summary]")) start(dashboard, renderDashboard);
  const platform = document.querySelector("[data-platform]");
  if (platform) start(platform, renderPlatform);
});
