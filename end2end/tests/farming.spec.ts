import { expect, test } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

// Numbers used only by this spec, so earlier specs' contacts don't change its counts.
const phones = ['+14155550401', '+14155550402', '+14155550403', '+14155550404'];

test('farm warm leads: import, dry run, send a batch, YES ×2 and STOP → dashboard and next dry run', async ({ page, request, baseURL }) => {
  await signIn(page);

  await page.goto('/import');
  await hydrated(page);
  const zone = middayZone();
  const rows = phones.map((p, i) => `${p},Farm${i},Lead,${zone},web form`).join('\n');
  await page.getByTestId('csv-file').setInputFiles({ name: 'farm.csv', mimeType: 'text/csv', buffer: Buffer.from(`phone,first_name,last_name,timezone,consent_source\n${rows}\n`) });
  await page.fill('#list-name', 'Farm list');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 4 contacts.');

  // Create a farming campaign over the list, with a cap of 3.
  await page.goto('/farming');
  await hydrated(page);
  await page.fill('#farm-name', 'Roof farm');
  await page.locator('#farm-source').selectOption({ label: 'List: Farm list (4)' });
  await page.fill('#farm-cap', '3');
  await expect(page.getByTestId('farm-problems')).toBeEmpty();
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await expect(page).toHaveURL(/\/farming\/\d+$/);
  await hydrated(page);

  // Dry run: the first three in import order, nobody excluded yet.
  await page.getByTestId('dry-run').click();
  await expect(page.getByTestId('dry-run-selected')).toHaveText('3');
  await expect(page.getByTestId('excluded-opted_out')).toHaveText('0');

  // Send the batch; the progress bar fills live.
  // The app's own dialog says how many will be texted; nothing goes out before it is confirmed.
  await page.getByTestId('send-batch').click();
  await expect(page.getByTestId('confirm-count')).toContainText('3 people will get this message');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('dialog')).toHaveCount(0);
  await expect(page.getByTestId('batch-progress')).toHaveCount(0);
  await page.getByTestId('send-batch').click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('batch-counts')).toContainText('3 of 3 processed', { timeout: 15_000 });
  await expect(page.getByTestId('batch-counts')).toContainText('3 sent', { timeout: 15_000 });

  // The interest keywords and the warm-lead reply are settings.
  await page.goto('/settings/business');
  await hydrated(page);
  await page.fill('#reply-interest_keywords', 'STOP, KEEN');
  await page.getByRole('button', { name: 'Save replies' }).click();
  await expect(page.getByRole('alert')).toContainText("'STOP' is a STOP, START or HELP word");
  await page.fill('#reply-interest_keywords', 'yes, y, keen');
  await page.fill('#reply-reply_warm_lead', "Thanks! We'll call you within the hour.");
  await page.getByRole('button', { name: 'Save replies' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  // Two say they're interested (one with the new keyword), one says STOP.
  await inboundSms(request, baseURL!, phones[0], 'YES');
  await inboundSms(request, baseURL!, phones[1], 'Keen, call me after 5');
  await inboundSms(request, baseURL!, phones[2], 'STOP');

  // The dashboard counts two warm leads today.
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByTestId('warm-today')).toHaveText('2');
  await expect(page.getByTestId('sends-today')).toHaveText('3');
  await expect(page.getByTestId('volume-math')).toContainText('a daily batch of');

  // Warm leads page lists them; the inbound log shows each action.
  await page.goto('/leads');
  await hydrated(page);
  await expect(page.getByTestId('warm-lead-row')).toHaveCount(2);
  await expect(page.getByTestId('warm-leads')).toContainText('Farm0 Lead');
  await expect(page.getByTestId('inbound-log')).toContainText('warm lead');
  await expect(page.getByTestId('inbound-log')).toContainText('opt out');
  await expect(page.getByTestId('warm-leads')).toContainText('Keen, call me after 5');

  // The warm lead got the configured auto-reply, once.
  await page.getByTestId('warm-lead-row').filter({ hasText: 'Farm1 Lead' }).getByRole('link', { name: 'Open chat' }).click();
  await expect(page.getByTestId('thread-name')).toHaveText('Farm1 Lead');
  await expect(page.getByTestId('thread').getByText("Thanks! We'll call you within the hour.")).toHaveCount(1);

  // The next dry run leaves out all three, each for its reason.
  await page.goBack();
  await page.goto('/farming');
  await hydrated(page);
  await page.getByRole('link', { name: 'Roof farm' }).click();
  await hydrated(page);
  await page.getByTestId('dry-run').click();
  await expect(page.getByTestId('excluded-warm_lead')).toHaveText('2');
  await expect(page.getByTestId('excluded-opted_out')).toHaveText('1');
  // Today's cap of 3 is used up.
  await expect(page.getByTestId('dry-run-selected')).toHaveText('0');
});
