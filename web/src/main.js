// htmx from npm plus the few behaviours the notebook page needs.
import htmx from "htmx.org";

window.htmx = htmx;

// Error responses carry a rendered message fragment: swap it in like a success, so the user
// sees "CSV has only one column" or "execution is busy" where the result would have been.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[45]..", swap: true, error: true },
];

function setEditorValue(editor, text) {
  editor.value = text;
  // The autosave listens for keyup; a programmatic change must save too.
  editor.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
}

document.addEventListener("keydown", (event) => {
  const editor = event.target;
  if (!(editor instanceof HTMLTextAreaElement) || !editor.classList.contains("editor")) {
    return;
  }
  if (event.key === "Tab" && !event.shiftKey) {
    // Python needs indentation; Tab inserts four spaces instead of leaving the editor.
    event.preventDefault();
    const { selectionStart: start, selectionEnd: end } = editor;
    editor.setRangeText("    ", start, end, "end");
  } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    editor.form?.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-load-code]") : null;
  if (!button) return;
  const source = document.querySelector(button.getAttribute("data-load-code"));
  const editor = document.getElementById("code");
  if (source && editor) {
    setEditorValue(editor, source.textContent);
    editor.focus();
  }
});
