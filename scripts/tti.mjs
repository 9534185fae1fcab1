// Time to interactive of a page in Chromium, from Navigation Timing and the app's
// `warmline-hydrated` User Timing mark (set when the WASM has hydrated the page):
//   node scripts/tti.mjs BASE_URL EMAIL PASSWORD [PATH] [RUNS]
// Signs in, then loads PATH (default /contacts) RUNS times (default 10) on a first visit (a new
// browser context each time: nothing cached) and RUNS times on a repeat visit (one context:
// the WASM, JS and CSS come from the cache). Prints one Markdown row per kind of visit with
// medians in ms: first byte, HTML done, DOMContentLoaded, load, hydrated.
import { chromium } from '@playwright/test';

const [base, email, password, path = '/contacts', runsArg = '10'] = process.argv.slice(2);
if (!base || !email || !password) {
  console.error('usage: node scripts/tti.mjs BASE_URL EMAIL PASSWORD [PATH] [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function signedIn() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.waitForSelector('body[data-hydrated]');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.close();
  return context;
}

async function measure(context) {
  const page = await context.newPage();
  await page.goto(base + path, { waitUntil: 'load' });
  await page.waitForSelector('body[data-hydrated]');
  if (!page.url().endsWith(path)) throw new Error(`landed on ${page.url()}, not ${path}`);
  const t = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    const h = performance.getEntriesByName('warmline-hydrated')[0];
    return { ttfb: n.responseStart, html: n.responseEnd, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, hydrated: h ? h.startTime : NaN };
  });
  await page.close();
  return t;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const row = (kind, samples) => {
  const m = (k) => median(samples.map((s) => s[k])).toFixed(0);
  return `| ${path} | ${kind} | ${samples.length} | ${m('ttfb')} | ${m('html')} | ${m('dcl')} | ${m('load')} | **${m('hydrated')}** |`;
};

const state = await (await signedIn()).storageState();
const first = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, storageState: state });
  first.push(await measure(context));
  await context.close();
}
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, storageState: state });
await measure(context);
const repeat = [];
for (let i = 0; i < runs; i++) repeat.push(await measure(context));
await context.close();
await browser.close();

console.log('| page | visit | runs | first byte | HTML done | DOMContentLoaded | load | hydrated (time to interactive) |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(row('first (nothing cached)', first));
console.log(row('repeat (bundle cached)', repeat));
