import { expect, test } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

// 20 people get step 1 of a drip; one STOP is 5% of the window's sends, past the 2% at which a
// campaign is paused. The pause shows on the campaign page and the dashboard, live; a person
// resumes it.
test('an opt-out alarm pauses a drip in the browser, live, and a person resumes it', async ({ page, request, baseURL }) => {
  test.setTimeout(150_000);
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });

  const zone = middayZone();
  const phones = Array.from({ length: 20 }, (_, i) => `+141555507${String(i).padStart(2, "0")}`);
  const csv = 'phone,first_name,last_name,timezone\n' + phones.map((p, i) => `${p},Al${i},Arm,${zone}`).join('\n') + '\n';
  await nav.getByRole('link', { name: 'Import CSV' }).click();
  await hydrated(page);
  await page.getByTestId('csv-file').setInputFiles({ name: 'alarm.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.fill('#list-name', 'Alarm list');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 20 contacts.');

  await nav.getByRole('link', { name: 'Campaigns' }).click();
  await hydrated(page);
  await page.getByRole('link', { name: 'New campaign' }).click();
  await hydrated(page);
  await page.getByTestId('campaign-name').fill('Gutter season');
  await page.getByTestId('step-template').nth(0).fill('Hi {{ first_name }}, gutter cleaning this week? Reply STOP to opt out.');
  await page.getByRole('button', { name: '+ Add step' }).click();
  await page.getByTestId('step-template').nth(1).fill('Last chance for a gutter slot, {{ first_name }}.');
  await page.getByLabel('Step 2 delay', { exact: true }).fill('1');
  await page.getByTestId('save-campaign').click();
  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  await hydrated(page);
  const campaignUrl = page.url();
  await page.getByLabel('List', { exact: true }).selectOption({ label: 'Alarm list (20)' });
  await page.getByTestId('enroll').click();
  await expect(page.getByTestId('enroll-outcome')).toContainText('Enrolled 20.');
  await page.getByTestId('activate').click();
  await expect(page.getByTestId('dialog-confirm')).toHaveText('Launch and text 20 people');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('active');
  await expect(page.getByTestId('funnel-row').first().getByTestId('funnel-sent')).toHaveText('20', { timeout: 90_000 });
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);

  // One STOP: the page turns paused by itself, with a banner that gives the figures.
  await inboundSms(request, baseURL!, phones[7], 'STOP');
  await expect(page.getByTestId('campaign-status')).toHaveText('paused');
  const banner = page.getByTestId('alarm-banner').filter({ hasText: 'Gutter season' });
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('data-level', 'pause');
  await expect(banner.getByTestId('alarm-headline')).toContainText('1 opt-outs in the last 20 sends (5.0%, limit 2.0%)');
  await expect(banner.getByTestId('alarm-headline')).toContainText('paused automatically');
  // A campaign's pause is not dismissed: it ends when a person resumes the campaign.
  await expect(banner.getByTestId('alarm-ack')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/alarm-campaign-1280.png', fullPage: true });

  // The dashboard shows it too, with a way to the campaign; the default number's own pause
  // (the same 20 sends) is marked as handled there.
  await nav.getByRole('link', { name: 'Dashboard' }).click();
  const onDashboard = page.getByTestId('alarm-banner').filter({ hasText: 'Gutter season' });
  await expect(onDashboard).toBeVisible();
  const sender = page.getByTestId('alarm-banner').filter({ hasText: 'default sender number' });
  if (await sender.count()) {
    await sender.getByTestId('alarm-ack').click();
    await expect(sender).toHaveCount(0);
  }
  await onDashboard.getByRole('link', { name: 'Open campaign' }).click();
  await expect(page).toHaveURL(campaignUrl);
  await hydrated(page);

  // Resuming needs a person: it asks first, then the campaign is active and the alarm is gone.
  await page.getByTestId('activate').click();
  await expect(page.getByTestId('dialog-confirm')).toContainText('Resume');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('campaign-status')).toHaveText('active');
  await expect(page.getByTestId('alarm-banner')).toHaveCount(0);
  await nav.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByTestId('alarm-banner').filter({ hasText: 'Gutter season' })).toHaveCount(0);

  // The analytics page lists the alarm among the recent ones, ended.
  await nav.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByTestId('recent-alarms')).toContainText('Gutter season');
  await expect(page.getByTestId('recent-alarms').locator('li', { hasText: 'Gutter season' }).first()).toContainText('ended');
});
