"""Console benchmark (issue 13, item 1): how long the notebook page takes to show a run
that prints many lines, in headless Chromium against the whole stack.

    .venv/bin/python bench/bench_console.py --runs 5 [--lines 5000 100000]

For each line count, a fresh learner's notebook runs `for i in range(N): print(i)`; the
figure is the time from the run's end (the `result` event of the stream reaching the page)
to the finished run card on screen with its last line (the next animation frame after it is
in the DOM), and the longest main-thread task of the whole run (PerformanceObserver
`longtask`: how long the tab stopped answering). The click → card time and the run's own
duration are printed too. Medians of --runs runs. Past the sandbox's output cap (1 MB, about
150,000 such lines) the run's status is "output_limit" and its output ends before the last number.
Figures are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fullstack import running_stack  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse 42"

# Installed before the page's own scripts: marks when the stream's `result` event reaches the
# page (the run is over on the server; a chunk holding "event: result"), and records long tasks.
PROBE = """
window.__longest = 0;
window.__resultAt = 0;
const fetch0 = window.fetch;
window.fetch = async (...args) => {
  const response = await fetch0(...args);
  if (!response.body || !String(args[0]).endsWith("/run/stream")) return response;
  const decoder = new TextDecoder();
  const watch = new TransformStream({
    transform(chunk, controller) {
      if (!window.__resultAt && decoder.decode(chunk, { stream: true }).includes("event: result"))
        window.__resultAt = performance.now();
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(watch), {
    status: response.status, headers: response.headers,
  });
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__longest = Math.max(window.__longest, entry.duration);
  }
}).observe({ type: "longtask", buffered: true });
"""

MEASURE = """
async (n) => {
  const output = document.getElementById("output");
  const last = String(n - 1);
  window.__longest = 0;
  window.__resultAt = 0;
  const clicked = performance.now();
  const shown = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      // The card's output console (the old page's markup too, to measure the baseline).
      const card = output.querySelector(".run-card pre.console:not(.traceback, .console-result)");
      if (!card) return;
      const arrived = window.__resultAt || performance.now();
      observer.disconnect();
      // On screen: the frame after the card is in the DOM has been laid out and painted.
      requestAnimationFrame(() => requestAnimationFrame(() => {
        const text = card.textContent;
        const capped = output.querySelector(".run-head .status-output_limit") !== null;
        const ok = text.trimEnd().endsWith(last) || capped;
        resolve({ arrived, painted: performance.now(), ok, tail: text.slice(-100) });
      }));
    });
    observer.observe(output, { childList: true, subtree: true });
  });
  document.getElementById("run-btn").click();
  const { arrived, painted, ok, tail } = await shown;
  const duration = Number(
    (output.querySelector(".run-head .muted")?.textContent || "0").replace(/[^0-9]/g, ""),
  );
  return { total: painted - clicked, afterEnd: painted - arrived, ok, tail, duration,
           longest: window.__longest };
}
"""


def sign_up(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/register")
    page.fill("input[name=username]", f"bench-{uuid.uuid4().hex[:8]}")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/notebook/*")
    page.wait_for_selector(".cm-content")


def measure(page: Page, base_url: str, lines: int) -> dict[str, Any]:
    sign_up(page, base_url)
    page.evaluate(
        "code => window.ascentEditor.set(code)", f"for i in range({lines}):\n    print(i)\n"
    )
    result: dict[str, Any] = page.evaluate(MEASURE, lines)
    if not result["ok"]:
        raise SystemExit(f"{lines} lines: the card does not end with the last line: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, nargs="+", default=[5_000, 20_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(
                "| lines | run end → shown p50 (max) | click → shown p50 "
                "| run duration p50 | longest task p50 |"
            )
            print("|---|---|---|---|---|")
            for lines in args.lines:
                rows = []
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": 1440, "height": 960})
                    context.set_default_timeout(300_000)
                    context.add_init_script(PROBE)
                    rows.append(measure(context.new_page(), stack.base_url, lines))
                    context.close()

                def p50(key: str, rows: list[dict[str, Any]] = rows) -> float:
                    return float(statistics.median(row[key] for row in rows))

                worst = max(row["afterEnd"] for row in rows)
                print(
                    f"| {lines:,} | {p50('afterEnd') / 1000:.2f} s ({worst / 1000:.2f} s) "
                    f"| {p50('total') / 1000:.2f} s | {p50('duration'):.0f} ms "
                    f"| {p50('longest'):.0f} ms |",
                    flush=True,
                )
            browser.close()


if __name__ == "__main__":
    main()
