export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

// Toasts arriving this close together come from one action (a passing submission brings
// the pass, its badges and the new best within a second): they share one toast instead of
// stacking five over the result.
const GROUP_MS = 1500;
const SHOW_MS = 4200;
let openGroup = null;

function schedule(item) {
  clearTimeout(item._leave);
  clearTimeout(item._remove);
  item._leave = setTimeout(() => item.classList.add("leaving"), SHOW_MS);
  item._remove = setTimeout(() => {
    item.remove();
    if (openGroup?.item === item) openGroup = null;
  }, SHOW_MS + 600);
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const now = Date.now();
  const line = document.createElement("div");
  line.className = "toast-line";
  line.textContent = message;
  if (openGroup && openGroup.item.isConnected && now - openGroup.last < GROUP_MS) {
    openGroup.item.appendChild(line);
    openGroup.item.classList.add("toast-group");
    openGroup.item.classList.remove("leaving");
    openGroup.last = now;
    schedule(openGroup.item);
    return;
  }
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.setAttribute("role", "status");
  item.appendChild(line);
  box.appendChild(item);
  openGroup = { item, last: now };
  schedule(item);
}

// A short burst of coloured pieces: the seed's "confetti when new best model".
export function confetti() {
  if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
  const layer = document.createElement("div");
  layer.className = "confetti";
  layer.setAttribute("aria-hidden", "true");
  const colours = ["#06b6d4", "#34d399", "#fbbf24", "#f472b6", "#a78bfa"];
  for (let i = 0; i < 60; i += 1) {
    const piece = document.createElement("i");
    piece.style.left = `${Math.random() * 100}%`;
    piece.style.background = colours[i % colours.length];
    piece.style.animationDelay = `${Math.random() * 0.4}s`;
    piece.style.setProperty("--drift", `${(Math.random() - 0.5) * 200}px`);
    layer.appendChild(piece);
  }
  document.body.appendChild(layer);
  setTimeout(() => layer.remove(), 2600);
}
