// The code editor: CodeMirror 6 over the form's textarea, with a debounced autosave to the
// server, a local backup while a save is failing, sync between tabs of one session, and
// conflicts between tabs detected (a version on each save) and resolved by the learner.
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

// Optimistic concurrency between tabs: every save sends the code version it started from
// (`version`); the server refuses a save over a newer version (another tab's) with 409 and a
// banner holding the other text, and this tab then stops autosaving until the learner
// chooses: keep mine, take theirs, or keep both (mine as a new notebook, the way Jupyter's
// "Save As" keeps two files; the other tab keeps its notebook and sees no conflict).
// A backup is {code, version}; an older page stored the bare text.
function readBackup(raw) {
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed.code === "string") return { code: parsed.code, version: Number(parsed.version) || null };
  } catch {
    // Not JSON: the bare text of an older page.
  }
  return { code: raw, version: null };
}

export function initEditor(form) {
  const textarea = form.querySelector("textarea[name=code]");
  const host = form.querySelector("#editor");
  if (!textarea || !host || host.dataset.ready) return null;
  host.dataset.ready = "1";
  const sessionId = form.closest("[data-session-id]")?.dataset.sessionId || "";
  const backupKey = `ascent:unsaved:${sessionId}`;
  const status = document.getElementById("save-status");
  const versionInput = form.querySelector("input[name=version]");
  const conflictBox = document.getElementById("code-conflict");
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("ascent-code") : null;
  let timer = null;
  let saving = false;
  let dirty = false;
  let applyingRemote = false;
  // The version of the code this editor's text started from; the run form sends it too.
  let version = Number(versionInput?.value) || null;
  // The other tab's text while a conflict is shown (autosave waits for the learner's choice).
  let conflict = null;

  const setVersion = (value) => {
    if (!value) return;
    version = value;
    if (versionInput) versionInput.value = String(value);
  };

  const backup = (code) => {
    try {
      localStorage.setItem(backupKey, JSON.stringify({ code, version }));
    } catch {
      // Storage full or disabled: the server save still runs.
    }
  };

  const saveBody = (code) => {
    const body = new FormData();
    body.set("code", code);
    if (version) body.set("version", String(version));
    body.set("csrf_token", csrfToken());
    return body;
  };

  const showConflict = (html, theirsVersion) => {
    if (!conflictBox) return;
    conflictBox.innerHTML = html;
    const theirs = conflictBox.querySelector("[data-theirs]")?.textContent ?? "";
    conflict = { code: theirs, version: theirsVersion };
    if (status) status.textContent = "⚠ Changed in another tab: choose what to keep";
  };

  const clearConflict = () => {
    conflict = null;
    if (conflictBox) conflictBox.innerHTML = "";
  };

  const save = async () => {
    timer = null;
    if (conflict) return;
    if (saving) {
      timer = setTimeout(save, SAVE_DELAY_MS);
      return;
    }
    saving = true;
    const code = view.state.doc.toString();
    try {
      const response = await fetch(form.dataset.save, {
        method: "PUT",
        body: saveBody(code),
        headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() },
      });
      const html = await response.text();
      const stored = Number(response.headers.get("X-Code-Version")) || null;
      if (response.status === 409) {
        showConflict(html, stored);
        return;
      }
      if (!response.ok) throw new Error(html);
      setVersion(stored);
      if (status) status.innerHTML = html;
      if (view.state.doc.toString() === code) {
        dirty = false;
        localStorage.removeItem(backupKey);
      } else {
        backup(view.state.doc.toString());
      }
      channel?.postMessage({ sessionId, code, version });
    } catch {
      if (status) status.textContent = "⚠ Not saved yet: retrying (kept in this browser)";
      timer = setTimeout(save, SAVE_DELAY_MS * 4);
    } finally {
      saving = false;
    }
  };

  const schedule = () => {
    dirty = true;
    backup(view.state.doc.toString());
    if (conflict) return;
    if (status) status.textContent = "Saving…";
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

  // A save that failed before the page closed left a backup: restore it and save it now,
  // from the version it started from (a newer one on the server then shows the conflict).
  const stored = readBackup(localStorage.getItem(backupKey));
  if (stored !== null && stored.code !== textarea.value) {
    if (stored.version) setVersion(stored.version);
    setText(stored.code);
    if (status) status.textContent = "Restored unsaved changes from this browser";
  } else if (stored !== null) {
    localStorage.removeItem(backupKey);
  }

  // Another tab saved: a tab with nothing unsaved follows it; one with unsaved text keeps
  // it, and its next save shows the conflict.
  channel?.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.sessionId !== sessionId || dirty || conflict) return;
    if (data.code === view.state.doc.toString()) {
      setVersion(data.version);
      return;
    }
    applyingRemote = true;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: data.code } });
    applyingRemote = false;
    setVersion(data.version);
    if (status) status.textContent = "Updated from another tab";
  });

  // The learner's choice in the conflict banner.
  conflictBox?.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-conflict-keep]") : null;
    if (!button || !conflict) return;
    const choice = button.dataset.conflictKeep;
    const theirs = conflict;
    if (choice === "mine") {
      // Saved over theirs, knowingly: from their version.
      setVersion(theirs.version);
      clearConflict();
      await save();
    } else if (choice === "theirs") {
      applyingRemote = true;
      setText(theirs.code);
      applyingRemote = false;
      setVersion(theirs.version);
      dirty = false;
      localStorage.removeItem(backupKey);
      clearConflict();
      if (status) status.textContent = "Took the other tab's version";
    } else if (choice === "both") {
      button.disabled = true;
      const body = new FormData();
      body.set("code", view.state.doc.toString());
      body.set("csrf_token", csrfToken());
      try {
        const response = await fetch(button.dataset.copy, {
          method: "POST",
          body,
          headers: { "HX-Request": "true", "X-CSRF-Token": csrfToken() },
        });
        const target = response.headers.get("HX-Redirect");
        if (!response.ok || !target) throw new Error(String(response.status));
        // This notebook keeps the other tab's text; nothing of mine is left to restore here.
        dirty = false;
        localStorage.removeItem(backupKey);
        window.location.href = target;
      } catch {
        button.disabled = false;
        if (status) status.textContent = "⚠ Could not make the copy: try again";
      }
    }
  });

  // Leaving with a pending save: send it now (keepalive lets it outlive the page). A stale
  // one is refused by the server; the backup then brings the text back next time.
  const flush = () => {
    if (!dirty || conflict) return;
    fetch(form.dataset.save, {
      method: "PUT",
      body: saveBody(view.state.doc.toString()),
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
    flushNow: () => (dirty && !conflict ? save() : Promise.resolve()),
    version: () => version,
  };
  window.ascentEditor = api;
  return api;
}
