// The notebook page: streamed runs, tabs, resizable split, drag-and-drop upload, templates,
// live updates (Server-Sent Events) with toasts and confetti.
import htmx from "htmx.org";
import { initBoard } from "./board.js";
import { initCharts } from "./charts.js";
import { initEditor } from "./editor.js";
import { learnerToasts } from "./live.js";
import { confetti, csrfToken, toast } from "./util.js";

export function parseEvents(buffer, emit) {
  // Server-Sent Events framing: blank-line separated blocks of `event:` and `data:` lines.
  // One pass with a cursor: slicing the rest off after each block copied a large read
  // (thousands of output events) once per event.
  let start = 0;
  let index;
  while ((index = buffer.indexOf("\n\n", start)) >= 0) {
    const block = buffer.slice(start, index);
    start = index + 2;
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) emit(event, data.join("\n"));
  }
  return buffer.slice(start);
}

// The live console: streamed chunks are queued and written once per animation frame, one
// text node per stream per frame (a node per chunk, each followed by a forced layout, took
// 11.5 s for 5,000 lines), and only the last TAIL_LINES lines stay in the page. The whole
// output is the run's stdout, which the finished run's card offers in full.
const TAIL_LINES = 2000;

function liveConsole(pre) {
  let queue = [];
  let frame = 0;
  let lines = 0;
  const countLines = (text) => {
    let n = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
    return n;
  };
  const trim = () => {
    // Whole nodes go first; then the head of the oldest one, at a line break.
    while (lines > TAIL_LINES && pre.firstChild) {
      const node = pre.firstChild;
      const n = Number(node.dataset?.lines ?? countLines(node.textContent));
      if (lines - n >= TAIL_LINES) {
        node.remove();
        lines -= n;
        continue;
      }
      const text = node.textContent;
      let cut = 0;
      for (let drop = lines - TAIL_LINES; drop > 0; drop--) cut = text.indexOf("\n", cut) + 1;
      node.textContent = text.slice(cut);
      node.dataset.lines = String(n - (lines - TAIL_LINES));
      lines = TAIL_LINES;
    }
  };
  const flush = () => {
    frame = 0;
    const batch = queue;
    queue = [];
    let text = "";
    let stream = "";
    const write = () => {
      if (!text) return;
      const span = document.createElement("span");
      if (stream === "stderr") span.className = "stderr";
      span.textContent = text;
      const n = countLines(text);
      span.dataset.lines = String(n);
      lines += n;
      pre.appendChild(span);
    };
    for (const chunk of batch) {
      if (chunk.stream !== stream) {
        write();
        text = "";
        stream = chunk.stream;
      }
      text += chunk.text;
    }
    write();
    trim();
    pre.scrollTop = pre.scrollHeight;
  };
  return {
    push(chunk) {
      queue.push(chunk);
      if (!frame) frame = requestAnimationFrame(flush);
    },
    flush() {
      if (frame) cancelAnimationFrame(frame);
      flush();
    },
    // The finished run's card replaces the console: what is still queued is not drawn.
    discard() {
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      queue = [];
    },
  };
}

// "Show all" on a run whose console shows only its tail: the whole output as one text node.
async function showAllOutput(button) {
  button.disabled = true;
  const card = button.closest(".run-card");
  const pre = card?.querySelector("[data-console]");
  try {
    const response = await fetch(button.dataset.showAll, { headers: { Accept: "text/plain" } });
    if (!response.ok) throw new Error(String(response.status));
    const text = await response.text();
    if (pre) pre.textContent = text;
    const note = button.closest("[data-console-cut]");
    if (note) note.firstChild.textContent = "Showing all lines. ";
    button.remove();
  } catch {
    button.disabled = false;
    toast("Could not load the full output; try Download.", "error");
  }
}

async function streamRun(form) {
  const button = form.querySelector("#run-btn");
  const state = document.getElementById("run-state");
  const output = document.getElementById("output");
  const stop = form.querySelector("#stop-btn");
  if (!button || button.disabled) return;
  await window.ascentEditor?.flushNow?.();
  button.disabled = true;
  button.classList.add("running");
  button.setAttribute("aria-busy", "true");
  state.textContent = "Running…";
  if (stop) {
    stop.hidden = false;
    stop.disabled = false;
  }
  output.innerHTML = "";
  const live = document.createElement("pre");
  live.className = "console live";
  live.id = "live-console";
  output.appendChild(live);
  const console_ = liveConsole(live);
  const started = performance.now();
  const tick = setInterval(() => {
    state.textContent = `Running… ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }, 1000);
  try {
    const response = await fetch(form.dataset.stream, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken(), Accept: "text/event-stream" },
    });
    if (!response.ok || !response.body) {
      const html = await response.text();
      if (response.headers.get("HX-Redirect")) {
        window.location.href = response.headers.get("HX-Redirect");
        return;
      }
      output.innerHTML = html;
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const emit = (event, data) => {
      if (event === "output") {
        console_.push(JSON.parse(data));
      } else if (event === "queued") {
        state.textContent = `Queued: position ${JSON.parse(data).position}`;
      } else if (event === "result") {
        console_.discard();
        output.innerHTML = data;
        htmx.process(output);
        htmx.trigger(document.body, "runs-changed");
      } else if (event === "failed") {
        console_.flush();
        output.insertAdjacentHTML("afterbegin", data);
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + value, emit);
    }
  } catch {
    output.insertAdjacentHTML(
      "afterbegin",
      '<div class="alert alert-error" role="alert"><strong>The connection to the server was lost. Your code is saved; run again.</strong></div>',
    );
  } finally {
    clearInterval(tick);
    if (stop) stop.hidden = true;
    button.disabled = false;
    button.classList.remove("running");
    button.removeAttribute("aria-busy");
    state.textContent = `Finished in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  }
}

// Stop asks the server to cancel the run; the stream then ends with the run's own result
// ("Stopped by you after N s"), so the page settles exactly as after any other run.
async function stopRun(stop) {
  stop.disabled = true;
  const state = document.getElementById("run-state");
  if (state) state.textContent = "Stopping…";
  try {
    await fetch(stop.dataset.stop, {
      method: "POST",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() },
    });
  } catch {
    stop.disabled = false;
  }
}

function selectTab(tab, focus = false) {
  const list = tab.closest("[role=tablist]");
  for (const other of list.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    const panel = document.getElementById(other.getAttribute("aria-controls"));
    if (panel) panel.hidden = !selected;
  }
  if (focus) tab.focus();
  sessionStorage.setItem("ascent:tab", tab.id);
}

function initTabs(root) {
  const list = root.querySelector("[role=tablist]");
  if (!list || list.dataset.ready) return;
  list.dataset.ready = "1";
  const tabs = [...list.querySelectorAll("[role=tab]")];
  list.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) selectTab(tab);
  });
  list.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(tabs[(index + moves[event.key] + tabs.length) % tabs.length], true);
  });
  const remembered = document.getElementById(sessionStorage.getItem("ascent:tab") || "");
  if (remembered && tabs.includes(remembered)) selectTab(remembered);
}

function initSplit(root) {
  const split = root.querySelector("#split");
  const gutter = root.querySelector("#gutter");
  if (!split || !gutter || gutter.dataset.ready) return;
  gutter.dataset.ready = "1";
  const apply = (percent) => {
    const value = Math.max(25, Math.min(75, percent));
    split.style.setProperty("--left", `${value}%`);
    gutter.setAttribute("aria-valuenow", String(Math.round(value)));
    localStorage.setItem("ascent:split", String(value));
  };
  const saved = Number(localStorage.getItem("ascent:split"));
  if (saved) apply(saved);
  gutter.addEventListener("pointerdown", (event) => {
    gutter.setPointerCapture(event.pointerId);
    split.classList.add("dragging");
    const move = (e) => {
      const box = split.getBoundingClientRect();
      apply(((e.clientX - box.left) / box.width) * 100);
    };
    const up = () => {
      split.classList.remove("dragging");
      gutter.removeEventListener("pointermove", move);
      gutter.removeEventListener("pointerup", up);
    };
    gutter.addEventListener("pointermove", move);
    gutter.addEventListener("pointerup", up);
  });
  gutter.addEventListener("keydown", (event) => {
    const now = Number(gutter.getAttribute("aria-valuenow"));
    if (event.key === "ArrowLeft") apply(now - 3);
    else if (event.key === "ArrowRight") apply(now + 3);
    else return;
    event.preventDefault();
  });
}

function initUpload(root) {
  const zone = root.querySelector("[data-dropzone]");
  const form = root.querySelector("#upload-form");
  const input = form?.querySelector("input[type=file]");
  if (!zone || !input || zone.dataset.ready) return;
  zone.dataset.ready = "1";
  zone.tabIndex = 0;
  const send = () => htmx.trigger(form, "submit");
  // A refused file (too large, say) leaves the form in place: clear the input so the same or
  // another file can be chosen again at once.
  form.addEventListener("htmx:afterRequest", () => {
    input.value = "";
  });
  // The bytes going up, then the server's check of them (a 200 MB CSV takes seconds of each).
  const bar = form.querySelector("[data-upload-progress] progress");
  const status = form.querySelector("[data-upload-status]");
  form.addEventListener("htmx:beforeRequest", () => {
    if (bar) bar.value = 0;
    if (status) status.textContent = "Uploading…";
  });
  form.addEventListener("htmx:xhr:progress", (event) => {
    const { loaded, total } = event.detail;
    if (!bar || !status || !total) return;
    const percent = Math.min(100, Math.round((loaded / total) * 100));
    bar.value = percent;
    const mb = (n) => (n / (1024 * 1024)).toFixed(1);
    status.textContent =
      percent < 100 ? `Uploading ${mb(loaded)} of ${mb(total)} MB (${percent} %)` : "Checking your CSV…";
  });
  input.addEventListener("change", () => input.files.length && send());
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer?.files?.length) return;
    input.files = event.dataTransfer.files;
    send();
  });
}

let pendingHighlight = null;

function initLive(root) {
  const page = root.querySelector("[data-events]");
  if (!page || !("EventSource" in window) || page.dataset.live) return;
  page.dataset.live = "1";
  const source = new EventSource(page.dataset.events);
  let refresh = null;
  const refreshRuns = () => {
    clearTimeout(refresh);
    refresh = setTimeout(() => htmx.trigger(document.body, "runs-changed"), 150);
  };
  source.addEventListener("run", refreshRuns);
  source.addEventListener("best", (event) => {
    const data = JSON.parse(event.data);
    // The server names the score (accuracy or R²) from the run itself: nothing is guessed here.
    toast(data.scoreText ? `🏆 New best run: ${data.scoreText}` : "🏆 New best run", "best");
    confetti();
    pendingHighlight = data.runId;
    refreshRuns();
  });
  learnerToasts(source);
  // The page is replaced on navigation; a closed stream is reopened by EventSource itself.
  window.addEventListener("pagehide", () => source.close());
}

function initPage(root = document) {
  const form = root.querySelector?.("#run-form");
  if (form) {
    initEditor(form);
    if (!form.dataset.ready) {
      form.dataset.ready = "1";
      form.addEventListener("submit", (event) => {
        if (!form.dataset.stream || !window.ReadableStream) return;
        event.preventDefault();
        streamRun(form);
      });
    }
  }
  initTabs(root);
  initSplit(root);
  initUpload(root);
  initCharts(root);
  initBoard(root);
  initLive(root);
}

document.addEventListener("DOMContentLoaded", () => initPage(document));
document.addEventListener("htmx:afterSettle", (event) => {
  initUpload(document);
  initCharts(event.target);
  if (pendingHighlight && event.target.id === "runs") {
    const row = event.target.querySelector(`tr[data-run-id="${CSS.escape(pendingHighlight)}"]`);
    row?.classList.add("flash");
    pendingHighlight = null;
  }
  if (event.target.id === "runs") {
    initBoard(event.target);
    const count = event.target.querySelectorAll("tbody tr").length;
    const badge = document.getElementById("runs-count");
    if (badge) badge.textContent = count ? String(count) : "";
  }
  if (event.target.id === "coach" && event.target.querySelector("#before-after")) {
    htmx.trigger(document.body, "runs-changed");
  }
});

// The notebook's actions behind "⋯ Menu" on a phone (the button is hidden on wider screens).
function setMenu(open) {
  const button = document.getElementById("nb-menu-btn");
  const menu = document.getElementById("nb-actions");
  if (!button || !menu) return;
  button.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("open", open);
  if (open) menu.querySelector("a, button, select, label")?.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const button = document.getElementById("nb-menu-btn");
  if (button?.getAttribute("aria-expanded") === "true") {
    setMenu(false);
    button.focus();
  }
});

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  if (target.closest("[data-nb-menu]")) {
    setMenu(document.getElementById("nb-menu-btn")?.getAttribute("aria-expanded") !== "true");
    return;
  }
  if (!target.closest("#nb-actions")) setMenu(false);
  const load = target.closest("[data-load-code]");
  if (load) {
    const source = document.querySelector(load.getAttribute("data-load-code"));
    if (source && window.ascentEditor) {
      window.ascentEditor.set(source.textContent);
      toast("Code loaded into the editor (saved automatically)");
    } else if (source) {
      document.getElementById("code").value = source.textContent;
    }
    return;
  }
  // Socratic mode: one more question or hint per click. The answer is not on the page:
  // "Show the answer" asks the server, which only then runs the experiment.
  const socratic = target.closest("[data-socratic]");
  if (socratic && target.closest("[data-next-step]")) {
    socratic.querySelector("[data-step][hidden]")?.removeAttribute("hidden");
    const next = socratic.querySelector("[data-next-step]");
    if (next && !socratic.querySelector("[data-step][hidden]")) next.setAttribute("hidden", "");
    return;
  }
  if (target.closest("[data-dismiss-import]")) {
    document.getElementById("import-status").innerHTML = "";
    const file = document.getElementById("import-file");
    if (file) file.value = "";
    return;
  }
  const stop = target.closest("[data-stop]");
  if (stop) {
    stopRun(stop);
    return;
  }
  const goto = target.closest("[data-goto-line]");
  if (goto && window.ascentEditor) {
    window.ascentEditor.gotoLine(Number(goto.dataset.gotoLine));
    return;
  }
  const showAll = target.closest("[data-show-all]");
  if (showAll) showAllOutput(showAll);
  if (target.closest("[data-clear-output]")) {
    document.getElementById("output").innerHTML = '<p class="muted">Output cleared.</p>';
  }
});

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches?.("[data-navigate]")) {
    window.location.href = target.value;
  } else if (target.matches?.("[data-template-pick]") && target.value) {
    const source = document.getElementById(`template-${target.value}`);
    const editor = window.ascentEditor;
    const current = editor ? editor.get() : document.getElementById("code").value;
    const known = [...document.querySelectorAll("pre[id^=template-]")].some((t) => t.textContent === current);
    if (source && (known || !current.trim() || window.confirm("Replace the code in the editor with this template?"))) {
      if (editor) editor.set(source.textContent);
      else document.getElementById("code").value = source.textContent;
    }
    target.value = "";
  }
});
