// The guided apps' pages (/apps/<slug>): a streamed analysis with its progress bar and Stop,
// sections rendered by the server as they come, their charts (Chart.js), and how long each
// view is looked at (sent to the apps service: which views help is part of what it learns).
import htmx from "htmx.org";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";
import { parseEvents } from "./notebook.js";
import { csrfToken } from "./util.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);
const PALETTE = ["#06b6d4", "#f59e0b", "#a78bfa", "#34d399", "#f87171", "#60a5fa", "#f472b6", "#facc15"];

function histogram(canvas, data) {
  const labels = data.counts.map((_, i) => Number(data.edges[i]).toPrecision(3));
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: data.name, data: data.counts, backgroundColor: "rgba(6, 182, 212, 0.55)", borderColor: "#06b6d4", borderWidth: 1 }] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxTicksLimit: 5, font: { size: 9 } } }, y: { beginAtZero: true, ticks: { precision: 0, maxTicksLimit: 4 } } },
    },
  });
}

function targetBars(canvas, items) {
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: items.map((i) => i.name),
      datasets: [{ label: "association with the target", data: items.map((i) => i.value), backgroundColor: "rgba(6, 182, 212, 0.55)", borderColor: "#06b6d4", borderWidth: 1 }],
    },
    options: {
      indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${items[ctx.dataIndex].measure} ${Number(ctx.raw).toFixed(3)}` } } },
      scales: { x: { min: -1, max: 1 } },
    },
  });
}

function scatter(canvas, data) {
  const section = canvas.closest("section");
  const xs = section.querySelector("[data-scatter-x]");
  const ys = section.querySelector("[data-scatter-y]");
  const datasets = () => {
    const x = data.values[xs.value];
    const y = data.values[ys.value];
    const groups = new Map();
    x.forEach((value, i) => {
      if (value === null || y[i] === null) return;
      const label = data.labels.length ? data.labels[i] : "rows";
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push({ x: value, y: y[i] });
    });
    return [...groups.entries()].slice(0, PALETTE.length).map(([label, points], i) => ({
      label, data: points, backgroundColor: PALETTE[i % PALETTE.length], pointRadius: 2.5,
    }));
  };
  const chart = new Chart(canvas, {
    type: "scatter",
    data: { datasets: datasets() },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: data.labels.length > 0 } },
      scales: { x: { title: { display: true, text: xs.value } }, y: { title: { display: true, text: ys.value } } },
    },
  });
  const redraw = () => {
    chart.data.datasets = datasets();
    chart.options.scales.x.title.text = xs.value;
    chart.options.scales.y.title.text = ys.value;
    chart.update();
  };
  xs.addEventListener("change", redraw);
  ys.addEventListener("change", redraw);
  return chart;
}

function missingMatrix(canvas, data) {
  // A heatmap of booleans: rows down, columns across (plain canvas; no chart type needed).
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 600;
  const height = canvas.clientHeight || 220;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  const cols = data.columns.length;
  const rows = data.cells.length;
  const cw = width / Math.max(cols, 1);
  const rh = height / Math.max(rows, 1);
  ctx.fillStyle = "#19212c";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#f59e0b";
  data.cells.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) if (row[c] === "1") ctx.fillRect(c * cw, r * rh, Math.max(cw - 1, 1), Math.max(rh, 1));
  });
  canvas.title = `Missing cells per column: ${data.columns.join(", ")}`;
}

// -- curves that grow while the program runs -------------------------------------------------
// A `curve` canvas starts empty; every `[data-curve-point]` element (one streamed
// `curve_point` section each) adds its point to the canvas named by its `curve`, whether it
// arrives live or is on the stored page. Any app can stream a chart this way.
function curve(canvas, data) {
  // `lines` names the point keys to draw (default train/validation); keys in `scatter` are
  // drawn as points only (the AutoML trials around their best-so-far line).
  const lines = data.lines
    ? data.lines.map(([key, colour]) => [key, colour, "y"])
    : data.loss
      ? [["loss", "#f59e0b", "y1"], ["train", "#06b6d4", "y"], ["validation", "#a78bfa", "y"]]
      : [["train", "#06b6d4", "y"], ["validation", "#a78bfa", "y"]];
  const dots = new Set(data.scatter || []);
  const scales = { x: { type: data.log ? "logarithmic" : "linear", title: { display: true, text: data.x } }, y: { title: { display: true, text: "score" } } };
  if (data.loss) scales.y1 = { position: "right", title: { display: true, text: "loss" }, grid: { drawOnChartArea: false } };
  return new Chart(canvas, {
    type: "line",
    data: { datasets: lines.map(([key, colour, axis]) => ({ label: key, key, data: [], borderColor: colour, backgroundColor: colour, yAxisID: axis, pointRadius: 2.5, tension: 0.15, showLine: !dots.has(key), stepped: data.lines && !dots.has(key) ? "before" : false })) },
    options: { responsive: true, maintainAspectRatio: false, animation: false, parsing: false, scales },
  });
}

function addCurvePoints(root) {
  const touched = new Set();
  for (const el of root.querySelectorAll("[data-curve-point]")) {
    if (el.dataset.added) continue;
    const point = JSON.parse(el.dataset.curvePoint);
    const canvas = document.querySelector(`canvas[data-curve-chart="${point.curve}"]`);
    const chart = canvas && Chart.getChart(canvas);
    if (!chart) continue;
    el.dataset.added = "1";
    for (const dataset of chart.data.datasets) {
      if (point[dataset.key] !== undefined && point[dataset.key] !== null) dataset.data.push({ x: Number(point.x), y: point[dataset.key] });
    }
    if (point.param) chart.options.scales.x.title.text = point.param;
    touched.add(chart);
  }
  for (const chart of touched) chart.update("none");
}

// -- the AutoML leaderboard: every `[data-automl-trial]` element (one streamed `trial`
// section each) becomes a row of the board, which is kept best first.
function addTrials(root) {
  const board = document.querySelector("[data-automl-board] tbody");
  if (!board) return;
  let added = false;
  for (const el of root.querySelectorAll("[data-automl-trial]")) {
    if (el.dataset.boarded) continue;
    el.dataset.boarded = "1";
    const t = JSON.parse(el.dataset.automlTrial);
    const row = document.createElement("tr");
    row.dataset.trial = String(t.number);
    row.dataset.score = String(t.score);
    if (t.warm) row.className = "warm";
    const settings = t.ensemble ? `${t.ensemble} of trials ${(t.params.members || []).join(", ")}` : Object.entries(t.params).map(([k, v]) => `${k}=${v}`).join(" ") + ` · ${t.scaler} scaling`;
    for (const text of ["", String(t.number) + (t.warm ? " (recommended)" : ""), t.family, settings, Number(t.score).toFixed(4), Number(t.seconds).toFixed(1)]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    board.appendChild(row);
    added = true;
  }
  if (!added) return;
  const rows = [...board.querySelectorAll("tr")].sort((a, b) => Number(b.dataset.score) - Number(a.dataset.score));
  rows.forEach((row, i) => {
    row.firstChild.textContent = String(i + 1);
    board.appendChild(row);
  });
}

function folds(canvas, data) {
  const labels = data.baseline.map((_, i) => `fold ${i + 1}`);
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [
      { label: "default", data: data.baseline, backgroundColor: "rgba(148, 163, 184, 0.6)" },
      { label: "your variant", data: data.variant, backgroundColor: "rgba(6, 182, 212, 0.7)" },
    ] },
    // Fold scores differ in the second decimal: a zero-based axis would hide the change.
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: false, suggestedMin: Math.min(...data.baseline, ...data.variant) - 0.02, title: { display: true, text: data.metric } } } },
  });
}

function importance(canvas, items) {
  return new Chart(canvas, {
    type: "bar",
    data: { labels: items.map((i) => i.column), datasets: [
      { label: "permutation", data: items.map((i) => i.permutation), backgroundColor: "rgba(6, 182, 212, 0.7)" },
      { label: "model-based", data: items.map((i) => i.model), backgroundColor: "rgba(245, 158, 11, 0.7)" },
    ] },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false },
  });
}

function comparison(canvas, models) {
  const scores = JSON.parse(canvas.dataset.chartExtra || "[]");
  return new Chart(canvas, {
    type: "bar",
    data: { labels: models.map((m, i) => `${i + 1}. ${m}`), datasets: [{ label: "validation score", data: scores, backgroundColor: "rgba(167, 139, 250, 0.7)" }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
  });
}

// -- the Model Explainability Suite's charts (issue 15) -------------------------------------
const UP = "rgba(244, 114, 182, 0.8)";
const DOWN = "rgba(96, 165, 250, 0.8)";
const base = { responsive: true, maintainAspectRatio: false, animation: false };

function shapImportance(canvas, data) {
  return new Chart(canvas, {
    type: "bar",
    data: { labels: data.features, datasets: [{ label: data.label, data: data.values, backgroundColor: "rgba(6, 182, 212, 0.7)" }] },
    options: { ...base, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, title: { display: true, text: data.label } } } },
  });
}

// Low feature values blue, high ones pink, as shap's own beeswarm.
function valueColour(v) {
  const t = v === null || v === undefined ? 0.5 : Math.max(0, Math.min(1, Number(v)));
  const r = Math.round(96 + (244 - 96) * t);
  const g = Math.round(165 + (114 - 165) * t);
  const b = Math.round(250 + (182 - 250) * t);
  return `rgba(${r}, ${g}, ${b}, 0.8)`;
}

function beeswarm(canvas, data) {
  const n = data.features.length;
  const points = [];
  const colours = [];
  data.values.forEach((row, r) => {
    row.forEach((value, k) => {
      if (value === null) return;
      // A deterministic jitter spreads the dots of one feature over its band.
      const jitter = (((r * 7919) % 97) / 97 - 0.5) * 0.6;
      points.push({ x: value, y: n - 1 - k + jitter });
      colours.push(valueColour(data.colour[r][k]));
    });
  });
  return new Chart(canvas, {
    type: "scatter",
    data: { datasets: [{ label: "SHAP value", data: points, backgroundColor: colours, pointRadius: 2.2 }] },
    options: {
      ...base,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${data.features[n - 1 - Math.round(ctx.raw.y)]}: ${Number(ctx.raw.x).toFixed(4)}` } } },
      scales: {
        x: { title: { display: true, text: "SHAP value (impact on the prediction)" } },
        y: { min: -0.6, max: n - 0.4, ticks: { stepSize: 1, autoSkip: false, callback: (v) => (Number.isInteger(v) ? data.features[n - 1 - v] : "") }, grid: { display: false } },
      },
    },
  });
}

function waterfall(canvas, data) {
  const labels = ["average"];
  const bars = [[data.base, data.base]];
  const colours = ["rgba(148, 163, 184, 0.8)"];
  let at = data.base;
  const steps = [...data.steps.map((s) => ({ label: `${s.feature} = ${s.value}`, shap: s.shap }))];
  if (data.rest_features > 0) steps.push({ label: `${data.rest_features} other features`, shap: data.rest });
  for (const s of steps) {
    labels.push(s.label);
    bars.push([at, at + s.shap]);
    colours.push(s.shap >= 0 ? UP : DOWN);
    at += s.shap;
  }
  labels.push("prediction");
  bars.push([data.base, data.prediction]);
  colours.push("rgba(6, 182, 212, 0.8)");
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: data.output, data: bars, backgroundColor: colours, minBarLength: 2 }] },
    options: {
      ...base, indexAxis: "y",
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => { const [a, b] = ctx.raw; return ctx.dataIndex === 0 ? `average ${a.toFixed(4)}` : `${(b - a >= 0 ? "+" : "") + (b - a).toFixed(4)} → ${b.toFixed(4)}`; } } } },
      scales: { x: { title: { display: true, text: data.output } }, y: { ticks: { autoSkip: false, font: { size: 10 } } } },
    },
  });
}

function permutation(canvas, data) {
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.features,
      datasets: [
        { type: "bar", label: "95 % interval", data: data.features.map((_, i) => [data.low[i], data.high[i]]), backgroundColor: "rgba(167, 139, 250, 0.45)", borderColor: "#a78bfa", borderWidth: 1, minBarLength: 2 },
        { type: "line", label: "mean drop", data: data.mean, showLine: false, pointRadius: 4, pointStyle: "rectRot", borderColor: "#f59e0b", backgroundColor: "#f59e0b" },
      ],
    },
    options: { ...base, scales: { y: { title: { display: true, text: `drop in ${data.metric}` } }, x: { ticks: { autoSkip: false, maxRotation: 60, font: { size: 10 } } } } },
  });
}

function dependence(canvas, data) {
  return new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [
        { label: `SHAP (${data.output})`, data: data.points.filter((p) => p[0] !== null && p[1] !== null).map(([x, y]) => ({ x, y })), backgroundColor: "rgba(6, 182, 212, 0.55)", pointRadius: 2, yAxisID: "y" },
        { type: "line", label: `partial dependence (${data.pd_output})`, data: data.grid.map((x, i) => ({ x, y: data.pd[i] })), borderColor: "#f59e0b", backgroundColor: "#f59e0b", pointRadius: 0, tension: 0.2, yAxisID: "y1" },
      ],
    },
    options: {
      ...base, parsing: false,
      plugins: { legend: { labels: { boxWidth: 10, font: { size: 10 } } } },
      scales: {
        x: { type: "linear", title: { display: true, text: data.feature } },
        y: { title: { display: true, text: "SHAP value" } },
        y1: { position: "right", title: { display: true, text: "partial dependence" }, grid: { drawOnChartArea: false } },
      },
    },
  });
}

function bias(canvas, data) {
  const labels = data.groups.map((g) => `${g.group} (${g.rows})`);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: [
        { label: data.metric, data: data.groups.map((g) => g.metric), backgroundColor: "rgba(6, 182, 212, 0.7)", yAxisID: "y" },
        { label: data.rate, data: data.groups.map((g) => g.rate), backgroundColor: "rgba(245, 158, 11, 0.7)", yAxisID: "y1" },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, title: { display: true, text: data.metric } }, y1: { position: "right", beginAtZero: true, title: { display: true, text: data.rate }, grid: { drawOnChartArea: false } } } },
  });
}

const DRAW = { histogram, target: targetBars, scatter, missing: missingMatrix, curve, folds, importance, comparison, shap_importance: shapImportance, beeswarm, waterfall, permutation, dependence, bias };

// -- Time-Series Forecaster (issue 15) --------------------------------------------------------
// The ACF with its noise band, a series and its STL parts over dates, the backtest's MAE per
// model and fold, and the forecast with its 80 % / 95 % bands (Chart.js's Filler plugin).
Chart.register(Filler);
const LINE = { responsive: true, maintainAspectRatio: false, animation: false, elements: { point: { radius: 0 } }, interaction: { mode: "index", intersect: false } };

function acfChart(canvas, data) {
  const lags = data.acf.map((_, i) => i);
  return new Chart(canvas, {
    type: "bar",
    data: { labels: lags, datasets: [
      { type: "bar", label: "autocorrelation", data: data.acf, backgroundColor: data.acf.map((v) => (Math.abs(v) > data.band ? "rgba(6, 182, 212, 0.8)" : "rgba(148, 163, 184, 0.5)")) },
      { type: "line", label: "noise band", data: lags.map(() => data.band), borderColor: "#f59e0b", borderDash: [4, 4], pointRadius: 0, borderWidth: 1 },
      { type: "line", label: "", data: lags.map(() => -data.band), borderColor: "#f59e0b", borderDash: [4, 4], pointRadius: 0, borderWidth: 1 },
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: "lag (steps)" }, ticks: { maxTicksLimit: 12 } }, y: { min: -1, max: 1 } } },
  });
}

function timeseries(canvas, data) {
  return new Chart(canvas, {
    type: "line",
    data: { labels: data.dates, datasets: data.lines.map(([name, values], i) => ({ label: name, data: values, borderColor: PALETTE[i], borderWidth: i === 0 ? 1 : 2 })) },
    options: { ...LINE, scales: { x: { ticks: { maxTicksLimit: 8 } } } },
  });
}

const SHORT = { seasonal_naive: "seasonal naive", holt_winters: "Holt-Winters", sarima: "SARIMA", boosting: "boosting" };

function backtestChart(canvas, models) {
  const folds = models.length ? models[0].folds.map((f) => f.origin) : [];
  return new Chart(canvas, {
    type: "bar",
    data: { labels: models.map((m) => SHORT[m.model] || m.title), datasets: folds.map((origin, i) => ({ label: `from ${origin}`, data: models.map((m) => m.folds[i].mae), backgroundColor: PALETTE[i % PALETTE.length] })) },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: "MAE" } } } },
  });
}

function forecastChart(canvas, data) {
  const labels = [...data.history.dates, ...data.dates];
  const pad = data.history.dates.map(() => null);
  const tail = (values) => [...pad.slice(1), data.history.values[data.history.values.length - 1], ...values];
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets: [
      { label: "history", data: [...data.history.values, ...data.dates.map(() => null)], borderColor: "#94a3b8", borderWidth: 1 },
      { label: "95 %", data: [...pad, ...data.upper95], borderColor: "transparent", backgroundColor: "rgba(6, 182, 212, 0.15)", fill: "+1" },
      { label: "", data: [...pad, ...data.lower95], borderColor: "transparent" },
      { label: "80 %", data: [...pad, ...data.upper80], borderColor: "transparent", backgroundColor: "rgba(6, 182, 212, 0.3)", fill: "+1" },
      { label: " ", data: [...pad, ...data.lower80], borderColor: "transparent" },
      { label: "forecast", data: tail(data.point), borderColor: "#06b6d4", borderWidth: 2 },
    ] },
    options: { ...LINE, plugins: { legend: { labels: { filter: (item) => item.text.trim() !== "" } } }, scales: { x: { ticks: { maxTicksLimit: 8 } } } },
  });
}

Object.assign(DRAW, { acf: acfChart, timeseries, backtest: backtestChart, forecast: forecastChart });

// -- the deployment page: rolling score on the labels sent back vs the training score (issue 16)
function performanceChart(canvas, data) {
  const labels = data.points.map((p) => p.labels);
  const flat = (value) => labels.map(() => value);
  const datasets = [{ label: `rolling ${data.metric} (${data.window} labels)`, data: data.points.map((p) => p.score), borderColor: "#06b6d4", borderWidth: 2, pointRadius: 2 }];
  if (data.training !== null) datasets.push({ label: `training ${data.metric}`, data: flat(data.training), borderColor: "#34d399", borderDash: [6, 4], borderWidth: 1, pointRadius: 0 });
  if (data.threshold !== null) datasets.push({ label: "concept-drift threshold", data: flat(data.threshold), borderColor: "#f87171", borderDash: [2, 3], borderWidth: 1, pointRadius: 0 });
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: { ...LINE, scales: { x: { title: { display: true, text: "labelled predictions (in prediction order)" }, ticks: { maxTicksLimit: 10 } }, y: data.metric === "accuracy" ? { min: 0, max: 1 } : { beginAtZero: true } } },
  });
}

DRAW.performance = performanceChart;

export function initAppCharts(root = document) {
  for (const canvas of root.querySelectorAll("canvas[data-chart]")) {
    if (canvas.dataset.drawn) continue;
    const draw = DRAW[canvas.dataset.chart];
    if (!draw) continue;
    canvas.dataset.drawn = "1";
    draw(canvas, JSON.parse(canvas.dataset.chartData));
  }
  // Widths and colour strengths come as data attributes (no inline styles: CSP-friendly).
  for (const bar of root.querySelectorAll(".top-values .bar[data-w], .split-bar [data-w]")) bar.style.setProperty("--w", `${bar.dataset.w}%`);
  addCurvePoints(root);
  addTrials(root);
  for (const cell of root.querySelectorAll(".matrix td[data-v]")) {
    const v = Number(cell.dataset.v);
    cell.style.setProperty("--a", String(Math.min(Math.abs(v), 1)));
    cell.style.setProperty("--cell", v < 0 ? "#f87171" : "#06b6d4");
  }
  htmx.process(root);
}

// -- view times -------------------------------------------------------------------------------
// Seconds each section is at least half visible while the tab is in front, sent when the
// page is hidden or left (and every 30 s): which views learners use is evidence.
const seen = new Map();
let observer = null;

function flushViews() {
  const summary = document.querySelector("[data-views-url]");
  if (!summary) return;
  const now = performance.now();
  const front = document.visibilityState === "visible";
  for (const [view, entry] of seen) {
    if (entry.since !== null) entry.total += now - entry.since;
    // Time counts again when the tab comes back while the section is still on screen.
    entry.since = entry.visible && front ? now : null;
    const seconds = entry.total / 1000;
    if (seconds >= 1) {
      entry.total = 0;
      fetch(summary.dataset.viewsUrl, {
        method: "POST",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ view, seconds: Math.min(seconds, 3600) }),
      }).catch(() => {});
    }
  }
}

function watchViews(root) {
  if (!("IntersectionObserver" in window)) return;
  observer?.disconnect();
  seen.clear();
  observer = new IntersectionObserver((entries) => {
    const now = performance.now();
    for (const e of entries) {
      const view = e.target.dataset.appView;
      const entry = seen.get(view) || { total: 0, since: null, visible: false };
      entry.visible = e.isIntersecting;
      if (e.isIntersecting && entry.since === null && document.visibilityState === "visible") entry.since = now;
      if (!e.isIntersecting && entry.since !== null) {
        entry.total += now - entry.since;
        entry.since = null;
      }
      seen.set(view, entry);
    }
  }, { threshold: 0.5 });
  for (const section of root.querySelectorAll("[data-app-view]")) observer.observe(section);
}

// -- the app's options ---------------------------------------------------------------------
// Fields with `data-option` (in the form, or tied to it with form="…") become the options
// JSON: "a.b" nests, "x[]" collects checked values, data-option-type="number" parses, an
// empty field or one in a hidden block is left out.
function collectOptions(form) {
  const options = {};
  for (const field of form.elements) {
    const path = field.dataset?.option;
    if (!path || field.closest("[hidden]")) continue;
    if (path.endsWith("[]")) {
      const key = path.slice(0, -2);
      options[key] = options[key] || [];
      if (field.checked) options[key].push(field.value);
      continue;
    }
    if (field.value === "") continue;
    const value = field.dataset.optionType === "number" ? Number(field.value) : field.value;
    const [head, ...rest] = path.split(".");
    if (rest.length) {
      options[head] = options[head] || {};
      options[head][rest.join(".")] = value;
    } else {
      options[head] = value;
    }
  }
  return options;
}

function initModelChoice(page) {
  const select = page.querySelector("[data-model-select]");
  if (!select) return;
  const show = () => {
    for (const block of page.querySelectorAll("[data-model-params]")) block.hidden = block.dataset.modelParams !== select.value;
  };
  select.addEventListener("change", show);
  show();
}

// -- the streamed analysis ----------------------------------------------------------------
async function runAnalysis(form) {
  const page = form.closest("[data-app-page]");
  const results = page.querySelector("[data-app-results]");
  const start = form.querySelector("[data-app-start]");
  const stop = form.querySelector("[data-app-stop]");
  const state = form.querySelector("[data-app-state]");
  const bar = page.querySelector("[data-app-progress]");
  const progress = bar.querySelector("progress");
  const label = bar.querySelector("[data-app-progress-label]");
  flushViews();
  const optionsField = form.querySelector("[data-app-options]");
  if (optionsField) optionsField.value = JSON.stringify(collectOptions(form));
  start.disabled = true;
  bar.hidden = false;
  progress.value = 0;
  label.textContent = "Starting…";
  state.textContent = "";
  const started = performance.now();
  let cancelUrl = null;
  stop.onclick = async () => {
    if (!cancelUrl) return;
    stop.disabled = true;
    label.textContent = "Stopping…";
    await fetch(cancelUrl, { method: "POST", headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() } }).catch(() => {});
  };
  const live = document.createElement("div");
  live.className = "app-live";
  try {
    const response = await fetch(form.dataset.stream, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(), Accept: "text/event-stream" },
    });
    if (!response.ok || !response.body) {
      results.innerHTML = await response.text();
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const emit = (event, data) => {
      if (event === "started") {
        const info = JSON.parse(data);
        cancelUrl = info.cancelUrl;
        stop.hidden = false;
        stop.disabled = false;
        results.innerHTML = "";
        results.appendChild(live);
      } else if (event === "progress") {
        const p = JSON.parse(data);
        if (p.total > 0) progress.value = p.done / p.total;
        label.textContent = p.label;
      } else if (event === "section") {
        live.insertAdjacentHTML("beforeend", data);
        initAppCharts(live);
      } else if (event === "result") {
        results.innerHTML = data;
        initAppCharts(results);
        watchViews(results);
        const summary = results.querySelector("[data-analysis-status]");
        progress.value = summary && summary.dataset.analysisStatus === "completed" ? 1 : progress.value;
        label.textContent = summary ? summary.dataset.analysisStatus : "";
      } else if (event === "failed") {
        results.insertAdjacentHTML("afterbegin", data);
        label.textContent = "failed";
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + value, emit);
    }
  } catch {
    results.insertAdjacentHTML("afterbegin", '<div class="alert alert-error" role="alert"><strong>The connection was lost. The analysis goes on: reload the page to see it.</strong></div>');
  } finally {
    start.disabled = false;
    stop.hidden = true;
    state.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  }
}

function initAppPage() {
  const page = document.querySelector("[data-app-page]");
  if (!page) return;
  initAppCharts(page);
  watchViews(page);
  for (const select of page.querySelectorAll("[data-app-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
  initModelChoice(page);
  const form = page.querySelector("[data-app-run]");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    runAnalysis(form);
  });
  document.addEventListener("visibilitychange", flushViews);
  window.addEventListener("pagehide", flushViews);
  setInterval(flushViews, 30000);
}

document.addEventListener("DOMContentLoaded", initAppPage);
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-deployment-page]");
  if (page) initAppCharts(page);
});
