import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac, randomBytes } from 'node:crypto';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';
export const BUSINESS = 'Sunrise Roofing';

/** Waits until the WASM app has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated]');
}

/** Signs in as the admin, creating them through the setup page on a fresh install. */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto('/');
  await hydrated(page);
  if (page.url().endsWith('/setup')) {
    await page.fill('#business', BUSINESS);
    await page.locator('#timezone').selectOption('America/Chicago');
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

/** An IANA zone where it is about midday now, so quiet hours never defer test messages. */
export function middayZone(): string {
  const offset = 12 - new Date().getUTCHours(); // -11 ..= 12
  // Etc/GMT zones have inverted signs: Etc/GMT-5 is UTC+5.
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

export const TWILIO_AUTH_TOKEN = process.env.E2E_TWILIO_AUTH_TOKEN ?? 'e2e-twilio-auth-token';

/** Posts an inbound SMS webhook signed exactly as Twilio signs it. */
export async function inboundSms(request: APIRequestContext, baseURL: string, from: string, body: string) {
  const params: Record<string, string> = {
    MessageSid: 'SM' + randomBytes(16).toString('hex'),
    AccountSid: 'ACe2e',
    From: from,
    To: '+14155550100',
    Body: body,
    NumMedia: '0',
  };
  const url = `${baseURL}/webhooks/twilio/sms`;
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  const signature = createHmac('sha1', TWILIO_AUTH_TOKEN).update(data).digest('base64');
  const res = await request.post(url, { form: params, headers: { 'X-Twilio-Signature': signature } });
  expect(res.status()).toBe(200);
}
