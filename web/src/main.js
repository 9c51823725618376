// htmx from npm plus the notebook page's behaviours (editor, streaming, charts, live events).
import htmx from "htmx.org";
import { destroyCharts } from "./charts.js";
import { initLearnerEvents } from "./live.js";
import "./notebook.js";
import "./dashboards.js";
import "./apps.js";

window.htmx = htmx;

// Error responses carry a rendered message fragment: swap it in like a success, so the user
// sees "CSV has only one column" or "execution is busy" where the result would have been.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[45]..", swap: true, error: true },
];

// Charts inside a fragment about to be replaced release their canvases first.
document.addEventListener("htmx:beforeSwap", (event) => {
  destroyCharts(event.detail.target);
});

document.addEventListener("DOMContentLoaded", initLearnerEvents);
