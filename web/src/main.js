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

// The Content-Security-Policy (gateway/security.py) refuses inline <style>: htmx's indicator
// rules are in main.css instead of the style element htmx would insert.
htmx.config.includeIndicatorStyles = false;

// `data-clears="#id"` empties that element when the form is submitted or the button's htmx
// request starts (what inline `hx-on` handlers did; the CSP allows no inline script).
function clearTargetOf(element) {
  const selector = element?.dataset?.clears;
  const target = selector ? document.querySelector(selector) : null;
  if (target) target.innerHTML = "";
}
document.addEventListener("submit", (event) => clearTargetOf(event.target), true);
document.addEventListener("htmx:beforeRequest", (event) => clearTargetOf(event.detail.elt));

// Charts inside a fragment about to be replaced release their canvases first.
document.addEventListener("htmx:beforeSwap", (event) => {
  destroyCharts(event.detail.target);
});

document.addEventListener("DOMContentLoaded", initLearnerEvents);
