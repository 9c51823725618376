export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = document.createElement("div");
  item.className = `toast toast-${kind}`;
  item.setAttribute("role", "status");
  item.textContent = message;
  box.appendChild(item);
  setTimeout(() => item.classList.add("leaving"), 4200);
  setTimeout(() => item.remove(), 4800);
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
