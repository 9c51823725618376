// The code editor: CodeMirror 6 over the form's textarea, with a debounced autosave to the
// server, a local backup while a save is failing, and sync between tabs of one session.
import { basicSetup, EditorView } from "codemirror";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";
import { indentUnit } from "@codemirror/language";
import { EditorState, Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { csrfToken } from "./util.js";

const SAVE_DELAY_MS = 700;

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px", backgroundColor: "#0d1117" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
  ".cm-gutters": { backgroundColor: "#0d1117", borderRight: "1px solid #243040" },
  "&.cm-focused": { outline: "2px solid #06b6d4", outlineOffset: "-2px" },
  ".cm-activeLine": { backgroundColor: "rgba(6, 182, 212, 0.06)" },
  ".cm-flash-line": { backgroundColor: "rgba(248, 113, 113, 0.25)" },
});

export function initEditor(form) {
  const textarea = form.querySelector("textarea[name=code]");
  const host = form.querySelector("#editor");
  if (!textarea || !host || host.dataset.ready) return null;
  host.dataset.ready = "1";
  const sessionId = form.closest("[data-session-id]")?.dataset.sessionId || "";
  const backupKey = `ascent:unsaved:${sessionId}`;
  const status = document.getElementById("save-status");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("ascent-code") : null;
  let timer = null;
  let saving = false;
  let dirty = false;
  let applyingRemote = false;

  const save = async () => {
    timer = null;
    if (saving) {
      timer = setTimeout(save, SAVE_DELAY_MS);
      return;
    }
    saving = true;
    const code = view.state.doc.toString();
    const body = new FormData();
    body.set("code", code);
    body.set("csrf_token", csrfToken());
    try {
      const response = await fetch(form.dataset.save, {
        method: "PUT",
        body,
        headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() },
      });
      const html = await response.text();
      if (!response.ok) throw new Error(html);
      if (status) status.innerHTML = html;
      if (view.state.doc.toString() === code) {
        dirty = false;
        localStorage.removeItem(backupKey);
      }
      channel?.postMessage({ sessionId, code });
    } catch {
      if (status) status.textContent = "⚠ Not saved yet: retrying (kept in this browser)";
      timer = setTimeout(save, SAVE_DELAY_MS * 4);
    } finally {
      saving = false;
    }
  };

  const schedule = () => {
    dirty = true;
    if (status) status.textContent = "Saving…";
    try {
      localStorage.setItem(backupKey, view.state.doc.toString());
    } catch {
      // Storage full or disabled: the server save still runs.
    }
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };

  const runShortcut = () => {
    form.requestSubmit();
    return true;
  };

  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run: runShortcut }])),
        basicSetup,
        keymap.of([indentWithTab]),
        indentUnit.of("    "),
        python(),
        oneDark,
        theme,
        EditorView.contentAttributes.of({ "aria-label": "Python code editor" }),
        // CodeMirror writes its styles into a <style> element: the page's CSP nonce lets it.
        EditorView.cspNonce.of(document.querySelector('meta[name="csp-nonce"]')?.content || ""),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          if (!applyingRemote) schedule();
        }),
      ],
    }),
  });
  form.classList.add("cm-ready");

  // A save that failed before the page closed left a backup: restore it and save it now.
  const backup = localStorage.getItem(backupKey);
  if (backup !== null && backup !== textarea.value) {
    setText(backup);
    if (status) status.textContent = "Restored unsaved changes from this browser";
  } else if (backup !== null) {
    localStorage.removeItem(backupKey);
  }

  channel?.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.sessionId !== sessionId || dirty || data.code === view.state.doc.toString()) return;
    applyingRemote = true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: data.code } });
    applyingRemote = false;
    if (status) status.textContent = "Updated from another tab";
  });

  // Leaving with a pending save: send it now (keepalive lets it outlive the page).
  const flush = () => {
    if (!dirty) return;
    const body = new FormData();
    body.set("code", view.state.doc.toString());
    body.set("csrf_token", csrfToken());
    fetch(form.dataset.save, {
      method: "PUT",
      body,
      keepalive: true,
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() },
    }).catch(() => {});
  };
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });

  function setText(text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }

  const api = {
    view,
    get: () => view.state.doc.toString(),
    set(text) {
      setText(text);
      view.focus();
    },
    gotoLine(number) {
      const line = view.state.doc.line(Math.max(1, Math.min(number, view.state.doc.lines)));
      view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
      view.focus();
    },
    flushNow: () => (dirty ? save() : Promise.resolve()),
  };
  window.ascentEditor = api;
  return api;
}
