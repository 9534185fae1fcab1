import { expect, test } from '@playwright/test';
import { hydrated, middayZone, signIn } from './helpers';

test('build a 2-step campaign, enroll a list, watch it send live; a reply stops one contact', async ({ page }) => {
  await signIn(page);

  // Three contacts in a zone where it is daytime now, imported as a list.
  await page.goto('/import');
  await hydrated(page);
  const zone = middayZone();
  const csv = `phone,first_name,last_name,timezone\n+14155550301,Ana,Lee,${zone}\n+14155550302,Ben,Ortiz,${zone}\n+14155550303,Cara,Diaz,${zone}\n`;
  await page.getByTestId('csv-file').setInputFiles({ name: 'drip.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.fill('#list-name', 'Drip list');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 3 contacts.');

  // Build the campaign in the browser.
  await page.goto('/campaigns');
  await hydrated(page);
  await page.getByRole('link', { name: 'New campaign' }).click();
  await expect(page).toHaveURL(/\/campaigns\/new$/);
  await hydrated(page);
  await page.getByTestId('campaign-name').fill('Roof check');
  const step1 = page.getByTestId('step-template').nth(0);

  // Strict templates: an unknown field is an error in the editor; a missing STOP is warned about.
  await step1.fill('Hi {{ nickname }}');
  await expect(page.getByTestId('step-error').first()).toContainText("unknown field 'nickname'");
  await expect(page.getByTestId('stop-warning')).toBeVisible();
  await expect(page.getByTestId('save-campaign')).toBeDisabled();

  await step1.fill('Hi {{ first_name | default("there") }}, Acme Roofing here. Free roof check this week? Reply STOP to opt out.');
  await expect(page.getByTestId('stop-warning')).toHaveCount(0);
  // The preview renders in the browser against the newest contact, with its segment count.
  await expect(page.getByTestId('preview-text').first()).toHaveText('Hi Cara, Acme Roofing here. Free roof check this week? Reply STOP to opt out.');
  await expect(page.getByTestId('preview-segments').first()).toHaveText('1 segment');
  await expect(page.getByTestId('step-segments').first()).toContainText('1 segment');

  await page.getByRole('button', { name: '+ Add step' }).click();
  await page.getByTestId('step-template').nth(1).fill('Still keen, {{ first_name }}? Reply YES for a quote.');
  await page.getByLabel('Step 2 delay', { exact: true }).fill('2');
  await expect(page.getByTestId('preview-text').nth(1)).toHaveText('Still keen, Cara? Reply YES for a quote.');
  await expect(page.getByTestId('preview')).toContainText('Step 2 · 2 days after the previous step');
  await page.getByTestId('save-campaign').click();
  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId('campaign-status')).toHaveText('draft');

  // Enroll the imported list, then launch.
  await page.getByLabel('List', { exact: true }).selectOption({ label: 'Drip list (3)' });
  await page.getByTestId('enroll').click();
  await expect(page.getByTestId('enroll-outcome')).toContainText('Enrolled 3.');
  // A draft's enrollments wait for the launch; they are not "in progress".
  await expect(page.getByText('Waiting for launch')).toBeVisible();
  await expect(page.getByText('In progress', { exact: true })).toHaveCount(0);

  // Launch asks first: how many people, and when. Scheduling for later sends nothing now.
  await page.getByTestId('activate').click();
  await expect(page.getByTestId('launch-count')).toHaveText('3 people are waiting for step 1.');
  await expect(page.getByTestId('dialog-confirm')).toHaveText('Launch and text 3 people');
  await page.getByTestId('launch-later').check();
  const inAnHour = new Date(Date.now() + 3_600_000);
  const local = new Date(inAnHour.getTime() - inAnHour.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByTestId('launch-at').fill(local);
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('scheduled');
  await expect(page.getByTestId('scheduled-note')).toContainText(/in (59|60) min/);
  await expect(page.getByTestId('funnel-row').first().getByTestId('funnel-sent')).toHaveText('0');

  // Pause, then resume now: it sends.
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('paused');
  await page.getByTestId('activate').click();
  await expect(page.getByTestId('dialog-confirm')).toHaveText('Resume and text 3 people');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('active');

  // Step 1 goes out and is delivered (the simulator's carrier), shown live.
  const step1Row = page.getByTestId('funnel-row').first();
  await expect(step1Row.getByTestId('funnel-sent')).toHaveText('3', { timeout: 20_000 });
  await expect(step1Row.getByTestId('funnel-delivered')).toContainText('3 (100%)', { timeout: 20_000 });
  await expect(page.getByTestId('funnel-row').nth(1).getByTestId('funnel-due')).toHaveText('3');

  // Pause and resume.
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('paused');
  await page.getByTestId('activate').click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('active');

  // Ana replies (simulated, through the real inbound path): her enrollment stops.
  await page.getByTestId('enrollments').getByRole('link', { name: 'Ana Lee' }).click();
  await expect(page.getByTestId('thread-name')).toHaveText('Ana Lee');
  await expect(page.getByTestId('thread-campaign')).toContainText('in progress');
  await page.getByLabel('Simulated reply').fill('Yes please, Thursday works');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(page.getByTestId('thread-campaign')).toContainText('stopped: they replied');

  await page.getByTestId('thread-campaign').click();
  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  const ana = page.getByTestId('enrollment-row').filter({ hasText: 'Ana Lee' });
  await expect(ana.getByTestId('enrollment-status')).toHaveText('stopped · replied');
  const ben = page.getByTestId('enrollment-row').filter({ hasText: 'Ben Ortiz' });
  await expect(ben.getByTestId('enrollment-status')).toHaveText('active');
  await expect(page.getByTestId('count-stopped')).toHaveText('1');
  await expect(step1Row.getByTestId('funnel-replied')).toContainText('1');

  // The contact page lists the contact's campaigns.
  await page.goto('/contacts?q=ortiz');
  await page.getByTestId('contacts-table').getByRole('link', { name: 'Ben Ortiz' }).click();
  await expect(page.getByTestId('contact-campaigns')).toContainText('Roof check');
  await expect(page.getByTestId('contact-campaigns')).toContainText('active · next: step 2');
});
