import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

test('an API key is shown once with a Copy button that really copies it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  await page.fill('#key-name', 'CRM sync');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  expect(key).toMatch(/^wl_/);
  await page.getByTestId('copy-api-key').click();
  await expect(page.getByTestId('copy-api-key')).toHaveText('Copied ✓');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
});

test('a new campaign does not scold an empty name before it was typed', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('link', { name: 'New campaign' }).click();
  await expect(page.getByTestId('campaign-name')).toBeVisible();
  await expect(page.getByTestId('name-problem')).toHaveCount(0);
  // The first step's sample text names the business given at setup.
  await expect(page.getByTestId('step-template').first()).toHaveValue(/this is Sunrise Roofing\./);
  await page.getByTestId('campaign-name').focus();
  await page.getByTestId('campaign-name').blur();
  await expect(page.getByTestId('name-problem')).toHaveText('give the campaign a name');
});
