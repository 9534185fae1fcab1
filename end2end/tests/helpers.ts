import { expect, type Page } from '@playwright/test';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';

/** Waits until the WASM app has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated]');
}

/** Signs in as the admin, creating them through the setup page on a fresh install. */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto('/');
  await hydrated(page);
  if (page.url().endsWith('/setup')) {
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.fill('#confirm', password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
  } else if (page.url().includes('/login')) {
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(page.getByTestId('signed-in-user')).toHaveText(email);
}
