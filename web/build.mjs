// Bundles web/src/main.js (htmx, CodeMirror, Chart.js + our code) and web/src/main.css (with the
// fontsource fonts it imports) into web/dist/.
import { build } from "esbuild";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(src, "main.js")],
  outfile: join(dist, "main.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  sourcemap: true,
  legalComments: "linked",
  logLevel: "info",
});
await build({
  entryPoints: [join(src, "main.css")],
  outfile: join(dist, "main.css"),
  bundle: true,
  minify: true,
  // Font files referenced by the fontsource CSS are copied next to the bundle.
  loader: { ".woff2": "file", ".woff": "file" },
  assetNames: "fonts/[name]-[hash]",
  logLevel: "info",
});
console.log(`web assets built in ${dist}`);
