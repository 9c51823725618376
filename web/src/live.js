// Learner-wide live facts (badges, track unlocks, challenge passes) as toasts on every page.
// Notebook pages have their own session stream (which carries these too); every other page
// of a logged-in learner listens on /events, declared by base.html.
import htmx from "htmx.org";
import { toast } from "./util.js";

const parse = (event) => JSON.parse(event.data);

// The challenge page's title says "✓ passed" as soon as the pass is known, not after a reload.
function markPassed(slug) {
  for (const title of document.querySelectorAll("[data-challenge-title]")) {
    if (title.dataset.challengeTitle !== slug || title.querySelector(".passed-mark")) continue;
    const mark = document.createElement("span");
    mark.className = "badge passed-mark";
    mark.textContent = "✓ passed";
    title.append(" ", mark);
  }
}

export function learnerToasts(source) {
  source.addEventListener("badge", (event) => {
    toast(`🏅 Badge earned: ${parse(event).name}`, "badge");
    htmx.trigger(document.body, "progress-changed");
  });
  source.addEventListener("unlocked", (event) => {
    toast(`🔓 Track unlocked: ${parse(event).title}`, "unlock");
    htmx.trigger(document.body, "progress-changed");
  });
  source.addEventListener("passed", (event) => {
    const data = parse(event);
    toast(`✅ Challenge passed: ${data.title}`, "best");
    markPassed(data.challenge);
    htmx.trigger(document.body, "progress-changed");
  });
}

export function initLearnerEvents() {
  const url = document.body?.dataset.liveEvents;
  // A page with its own stream (the notebook) already shows these: no second connection.
  if (!url || !("EventSource" in window) || document.querySelector("[data-events]")) return;
  const source = new EventSource(url);
  learnerToasts(source);
  window.addEventListener("pagehide", () => source.close());
}
