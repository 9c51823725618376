// Histograms of numeric features (Chart.js), one per picker, fed by JSON the server embeds.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
Chart.defaults.color = "#8b98a8";
Chart.defaults.font.family = "Inter, system-ui, sans-serif";
Chart.defaults.borderColor = "#243040";

function draw(canvas, name, data) {
  Chart.getChart(canvas)?.destroy();
  const column = data[name];
  if (!column) return;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: column.labels,
      datasets: [{ label: name, data: column.counts, backgroundColor: "rgba(6, 182, 212, 0.55)", borderColor: "#06b6d4", borderWidth: 1 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 250 },
      plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => `${name}: ${items[0].label}` } } },
      scales: { x: { ticks: { maxRotation: 45, autoSkip: true, font: { size: 10 } } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  canvas.setAttribute("aria-label", `Histogram of ${name}`);
}

export function initCharts(root = document) {
  for (const box of root.querySelectorAll("[data-histograms]")) {
    if (box.dataset.ready) continue;
    box.dataset.ready = "1";
    let data = {};
    try {
      data = JSON.parse(box.querySelector('script[type="application/json"]').textContent);
    } catch {
      continue;
    }
    for (const figure of box.querySelectorAll("figure")) {
      const select = figure.querySelector("[data-hist-pick]");
      const canvas = figure.querySelector("canvas");
      draw(canvas, select.value, data);
      select.addEventListener("change", () => draw(canvas, select.value, data));
    }
  }
}

export function destroyCharts(root) {
  for (const canvas of root.querySelectorAll("canvas")) Chart.getChart(canvas)?.destroy();
}
