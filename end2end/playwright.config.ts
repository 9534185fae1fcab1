import { defineConfig } from '@playwright/test';

// End-to-end tests drive Debian's chromium (/usr/bin/chromium) against the debug server,
// which scripts/e2e-server.sh starts on a fresh SQLite database for every run.
// Build first: `cargo leptos build` (scripts/test.sh does it, then runs `npx playwright test` here).

const port = process.env.E2E_PORT ?? '3100';
const baseURL = (process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
// The server listens on the port of baseURL, so the two always agree.
const serverPort = new URL(baseURL).port || port;

export default defineConfig({
  testDir: './tests',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL,
    headless: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  // contacts.spec.ts starts from a fresh install (the setup page, an empty contact list), so it
  // runs first, on its own; every other spec signs in to the admin it created.
  projects: [
    { name: 'first-run', testMatch: /contacts\.spec\.ts$/ },
    { name: 'chromium', testIgnore: /(contacts|tour)\.spec\.ts$/, dependencies: ['first-run'] },
    // The tour visits every page with the data the other specs left behind.
    { name: 'tour', testMatch: /tour\.spec\.ts$/, dependencies: ['chromium'] },
  ],
  webServer: {
    command: 'bash ../scripts/e2e-server.sh',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { E2E_PORT: serverPort },
    // SIGTERM (not the default SIGKILL) lets the script remove its temporary database directory.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
