// Takes screenshots of the main pages for a visual check:
//   node scripts/screenshots.mjs [base-url] [out-dir]
// Signs in with SHOT_EMAIL / SHOT_PASSWORD, running first-time setup if the install is fresh.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const out = process.argv[3] ?? 'screenshots';
const email = process.env.SHOT_EMAIL ?? 'admin@example.com';
const password = process.env.SHOT_PASSWORD ?? 'correct horse battery';
const pages = (process.env.SHOT_PAGES ?? '/,/contacts,/lists,/import,/settings/users,/settings/api-keys').split(',');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
for (const [name, viewport] of [['desktop', { width: 1280, height: 860 }], ['phone', { width: 390, height: 844 }]]) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] console error: ${m.text()}`); });
  await page.goto(base + '/');
  if (page.url().includes('/setup')) {
    await page.screenshot({ path: `${out}/${name}-setup.png`, fullPage: true });
    await page.waitForSelector('body[data-hydrated]');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.fill('#confirm', password);
    await page.click('button[type=submit]');
    await page.waitForURL(base + '/');
  } else if (page.url().includes('/login')) {
    await page.screenshot({ path: `${out}/${name}-login.png`, fullPage: true });
    await page.waitForSelector('body[data-hydrated]');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL(base + '/');
  }
  for (const p of pages) {
    await page.goto(base + p);
    await page.waitForSelector('body[data-hydrated]');
    const file = `${out}/${name}${p.replaceAll('/', '-').replace(/-$/, '') || '-home'}.png`;
    await page.screenshot({ path: file, fullPage: true });
    console.log('wrote', file);
  }
  await context.close();
}
await browser.close();
