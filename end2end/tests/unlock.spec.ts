import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hydrated, signIn } from './helpers';

// The client's locked details: unique to this test, so finding one in the server log means a leak.
const CLIENT = { name: 'Annika Clientson', phone: '(415) 555-0177', e164: '4155550177', email: 'annika.c@example.net', address: '12 Elmwood Lane' };

test('lead sales: a lead for two providers, Y from one, pay on the simulated checkout, the reveal arrives live; N from the other expires its offer', async ({ page, browser }) => {
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });

  // Two providers, added on the Providers page (reached from the sidebar).
  await nav.getByRole('link', { name: 'Providers', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Providers' })).toBeVisible();
  for (const [name, phone] of [['Bob Roofer', '(415) 555-0181'], ['Cat Roofs', '(415) 555-0182']]) {
    await page.fill('#p-name', name);
    await page.fill('#p-phone', phone);
    await page.fill('#p-cities', 'Austin');
    await page.fill('#p-types', 'roofing');
    await page.getByTestId('add-provider').click();
    await expect(page.getByTestId('provider-row').filter({ hasText: name })).toBeVisible();
  }

  // A new lead for both.
  await nav.getByRole('link', { name: 'Lead sales', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Lead sales' })).toBeVisible();
  await page.getByTestId('new-lead').click();
  await expect(page.getByRole('heading', { name: 'New lead' })).toBeVisible();
  await hydrated(page);
  await page.fill('#city', 'Austin');
  await page.fill('#service_type', 'roofing');
  await page.fill('#time_window', 'this week');
  await page.fill('#budget', '$5-10k');
  await page.fill('#client_name', CLIENT.name);
  await page.fill('#client_phone', CLIENT.phone);
  await page.fill('#client_email', CLIENT.email);
  await page.fill('#address', CLIENT.address);
  const choices = page.getByTestId('choose-provider');
  await expect(choices).toHaveCount(2);
  await choices.nth(0).check();
  await choices.nth(1).check();
  await page.getByTestId('create-lead').click();
  await expect(page).toHaveURL(/\/sales\/lead_[a-z2-9]{8}$/);
  const leadId = (await page.getByTestId('lead-id').textContent())!.trim();
  const offers = page.getByTestId('offer-row');
  await expect(offers).toHaveCount(2);
  await expect(offers.filter({ hasText: 'Bob Roofer' }).getByTestId('offer-state')).toHaveText('Waiting for Y/N');
  await page.screenshot({ path: 'test-results/unlock-lead.png', fullPage: true });

  // Bob's thread: the teaser, marked as a provider. He replies Y: the payment link comes back.
  await offers.filter({ hasText: 'Bob Roofer' }).getByRole('link', { name: 'Bob Roofer' }).click();
  await expect(page.getByTestId('thread-provider')).toBeVisible();
  const out = page.getByTestId('bubble-out');
  await expect(out.filter({ hasText: `Lead ${leadId}.` })).toBeVisible();
  await expect(out.filter({ hasText: CLIENT.name })).toHaveCount(0);
  await page.getByLabel('Simulated reply').fill('Y');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  const linkMessage = out.filter({ hasText: /complete your \$20 payment/ });
  await expect(linkMessage).toBeVisible();
  const url = (await linkMessage.textContent())!.match(/https?:\/\/\S+\/sim\/checkout\/cs_sim_\w+/)![0];

  // The provider pays on the simulated checkout on their own device (another browser
  // context: the admin's page stays in front); the thread, left open, shows the reveal as it
  // arrives.
  const device = await browser.newContext();
  const checkout = await device.newPage();
  await checkout.goto(url);
  await expect(checkout.getByText('$20', { exact: true })).toBeVisible();
  await checkout.getByRole('button', { name: 'Pay $20' }).click();
  await expect(checkout.getByRole('heading', { name: 'Payment received' })).toBeVisible();
  await expect(out.filter({ hasText: new RegExp(`client details for lead .*${CLIENT.name}`) })).toBeVisible();
  await expect(out.filter({ hasText: /We do not arrange or guarantee appointments/ })).toBeVisible();
  await device.close();

  // Cat says N: her offer expires.
  await nav.getByRole('link', { name: 'Lead sales', exact: true }).click();
  await page.getByTestId('lead-row').filter({ hasText: leadId }).getByRole('link', { name: leadId }).click();
  await expect(page).toHaveURL(/\/sales\/lead_/);
  await page.getByTestId('offer-row').filter({ hasText: 'Cat Roofs' }).getByRole('link', { name: 'Cat Roofs' }).click();
  await expect(page.getByTestId('thread-provider')).toBeVisible();
  await page.getByLabel('Simulated reply').fill('N');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(page.getByTestId('bubble-out').filter({ hasText: `OK, lead ${leadId} skipped` })).toBeVisible();

  await nav.getByRole('link', { name: 'Lead sales', exact: true }).click();
  const row = page.getByTestId('lead-row').filter({ hasText: leadId });
  await expect(row).toContainText('1 paid');
  await row.getByRole('link', { name: leadId }).click();
  await expect(page.getByTestId('offer-row').filter({ hasText: 'Cat Roofs' }).getByTestId('offer-state')).toHaveText('Expired');
  await expect(page.getByTestId('offer-row').filter({ hasText: 'Bob Roofer' }).getByTestId('offer-state')).toHaveText(/Details sent|Done/);
  // The admin can open the client's details on purpose.
  await page.getByTestId('show-details').click();
  await expect(page.getByTestId('client-details')).toContainText(CLIENT.name);
  await page.screenshot({ path: 'test-results/unlock-done.png', fullPage: true });

  // The server log (debug level for warmline) saw the whole flow, by lead id, but none of the
  // client's locked details: not at creation, not in the reveal SMS, not when the admin opened them.
  const log = readFileSync(process.env.E2E_SERVER_LOG ?? join(__dirname, '..', '..', 'target', 'e2e-server.log'), 'utf8');
  expect(log).toContain(leadId);
  for (const secret of [CLIENT.name, CLIENT.e164, CLIENT.email, CLIENT.address]) {
    expect(log, `the server log must not contain ${secret}`).not.toContain(secret);
  }
});
