// The browser bundle's weight: every WASM, JS and CSS file under the site's pkg directory,
// raw and compressed with brotli at the highest quality (what a server sends with
// `Content-Encoding: br`). Prints a Markdown table.
//   node scripts/bundle-size.mjs [pkg dir, default target/site/pkg]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;

function files(d) {
  return readdirSync(d).flatMap((name) => {
    const path = join(d, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(wasm|js|css)$/.test(name) ? [path] : [];
  });
}

const rows = files(dir)
  .map((path) => {
    const data = readFileSync(path);
    const br = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }).length;
    return { file: path.slice(dir.length + 1), raw: data.length, br };
  })
  .sort((a, b) => b.br - a.br);

console.log("| file | raw | brotli |");
console.log("|---|---|---|");
for (const r of rows) console.log(`| ${r.file} | ${kb(r.raw)} | ${kb(r.br)} |`);
const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
console.log(`| **all** | ${kb(sum("raw"))} | **${kb(sum("br"))}** |`);
