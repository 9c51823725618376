// Bundles web/src/main.js (htmx + our helpers) and copies the CSS into web/dist/.
import { build } from "esbuild";
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
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
for (const name of await readdir(src)) {
  if (name.endsWith(".css")) {
    await copyFile(join(src, name), join(dist, name));
  }
}
console.log(`web assets built in ${dist}`);
