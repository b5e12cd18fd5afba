// Copies the browser files of the npm dependencies into the Python package's static folder,
// so the app serves every asset itself (isolated government networks have no CDN).
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src", "sanyi", "web", "static", "vendor");

const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts.min.js"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["htmx.org/LICENSE", "licenses/htmx.LICENSE"],
  ["echarts/LICENSE", "licenses/echarts.LICENSE"],
  ["swagger-ui-dist/LICENSE", "licenses/swagger-ui.LICENSE"],
];

for (const [source, destination] of files) {
  const from = join(root, "node_modules", source);
  if (!existsSync(from)) {
    console.error(`missing ${from}: run npm ci first`);
    process.exit(1);
  }
  const to = join(target, destination);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
console.log(`copied ${files.length} asset files to ${target}`);
