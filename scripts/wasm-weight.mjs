// Where the browser bundle's weight goes: reads `twiggy top -f csv` of the WASM as cargo built
// it (before wasm-bindgen and wasm-opt, so function names are still there) and sums the code
// by what it is for. Prints a Markdown table.
//   twiggy top -n 1000000 -f csv target/wasm32-unknown-unknown/wasm-release/warmline_frontend.wasm \
//     | node scripts/wasm-weight.mjs
import { readFileSync } from "node:fs";

const kinds = [
  ["async hydration (`hydrate_async`)", /hydrate_async/],
  ["hydration", /hydrate/],
  ["serde (server-function results, JSON)", /serde/],
  ["reactive graph (signals, memos, effects)", /reactive_graph/],
  ["re-rendering (`rebuild`)", /rebuild/],
  ["first render (`build`)", /::build/],
  ["other tachys (DOM views)", /tachys/],
  ["mounting", /mount|Mountable/],
  ["drop glue", /drop_in_place/],
  ["router", /leptos_router/],
  ["server functions (client side)", /server_fn/],
  ["Warmline's own functions", /warmline/],
  ["data (strings, tables)", /^data\[|data segment/],
];

const rows = readFileSync(0, "utf8").split("\n").slice(1).filter(Boolean);
const sums = new Map();
let total = 0;
for (const line of rows) {
  const m = line.match(/^(.*),(\d+),[\d.e-]+,[^,]*,[^,]*$/);
  if (!m) continue;
  const [, name, bytes] = m;
  if (/function names|custom section/.test(name)) continue;
  const n = Number(bytes);
  total += n;
  const kind = kinds.find(([, re]) => re.test(name))?.[0] ?? "everything else (std, web-sys glue, …)";
  sums.set(kind, (sums.get(kind) ?? 0) + n);
}
console.log("| what | bytes before wasm-opt | share |");
console.log("|---|---|---|");
for (const [kind, n] of [...sums].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${kind} | ${(n / 1000).toFixed(0)} kB | ${((100 * n) / total).toFixed(1)}% |`);
}
console.log(`| **all code and data** | ${(total / 1000).toFixed(0)} kB | 100% |`);
