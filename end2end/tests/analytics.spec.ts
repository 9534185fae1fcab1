import { expect, test, type Page } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

const PHONE = '+14155550166';

/** The number a figure card shows ("1,234" → 1234). */
async function figure(page: Page, id: string): Promise<number> {
  const text = (await page.getByTestId(id).getByTestId('figure-value').textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, ''));
}

test('analytics: a conversation shows up in the figures, live; filters, the chart, the CSV and the contact timeline', async ({ page, request, baseURL }) => {
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });

  // A contact (in a zone where it is daytime now) who writes in, and a reply from the team.
  await nav.getByRole('link', { name: 'Import CSV' }).click();
  await hydrated(page);
  const csv = `phone,first_name,last_name,timezone\n${PHONE},Ana,Lytics,${middayZone()}\n`;
  await page.getByTestId('csv-file').setInputFiles({ name: 'analytics.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 contact.');
  await inboundSms(request, baseURL!, PHONE, 'Do you do gutters too?');
  await nav.getByRole('link', { name: 'Conversations' }).click();
  await page.getByTestId('inbox').getByRole('link', { name: /Ana Lytics/ }).click();
  await expect(page.getByTestId('thread-name')).toHaveText('Ana Lytics');
  await page.getByTestId('composer').fill('We do! When could we come by for a look?');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('bubble-out').last().getByTestId('message-status')).toHaveText(/delivered/);

  // The analytics page, from the sidebar: the send is counted.
  await nav.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();
  await expect(page.getByTestId('period-30-days')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('by-kind')).toContainText('One-off messages');
  const sent = await figure(page, 'fig-sent');
  const delivered = await figure(page, 'fig-delivered');
  const replied = await figure(page, 'fig-replied');
  expect(sent).toBeGreaterThanOrEqual(1);
  expect(delivered).toBeGreaterThanOrEqual(1);

  // Her answer is credited to our message and the page updates by itself.
  await inboundSms(request, baseURL!, PHONE, 'Tomorrow morning works');
  await expect.poll(() => figure(page, 'fig-replied')).toBe(replied + 1);
  expect(await figure(page, 'fig-sent')).toBe(sent);

  // The team's day: the admin handled her conversation and answered her first message.
  const team = page.getByTestId('team-days');
  await expect(team).toBeVisible();
  const mine = team.locator('tbody tr', { hasText: 'admin@' }).first();
  await expect(mine).toBeVisible();
  await expect(mine.getByTestId('median-response')).toHaveText(/^\d+ (s|min \d+ s|h \d+ min)$/);

  // Only one-off messages: the table has just that kind, and the CSV link carries the filter.
  await page.getByTestId('filter-kind').selectOption('manual');
  await expect(page.getByTestId('by-kind').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('by-kind')).toContainText('One-off messages');
  const href = await page.getByTestId('export-analytics').getAttribute('href');
  expect(href).toContain('kind=manual');
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  const body = await res.text();
  expect(body.split('\n')[0]).toBe('section,key,sent,delivered,failed,replied,opted_out,warm_leads,cost_usd');
  expect(body).toMatch(/^kind,One-off messages,\d+,/m);

  // Today only: one day in the chart; tapping it writes its values under the chart.
  await page.getByTestId('period-today').click();
  await expect(page.getByTestId('period-today')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('analytics-period')).not.toContainText(' to ');
  await page.getByTestId('daily-chart').locator('svg rect.fill-transparent, svg rect[class*="fill-orange"]').first().click();
  await expect(page.getByTestId('chart-readout')).toContainText(/\d+ sent/);
  await expect(page.getByTestId('chart-readout')).toContainText(/\d+ repl(y|ies)/);
  // One-off messages have no funnel; all kinds show the farming and lead-offer funnels.
  await expect(page.getByTestId('funnel')).toHaveCount(0);
  await page.getByTestId('filter-kind').selectOption('');
  await expect(page.getByTestId('funnel')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/analytics-1280.png', fullPage: true });

  // A filter that matches nothing says what to do.
  await page.getByTestId('filter-kind').selectOption('lead_unlock');
  await expect(page.getByText('No messages in this period')).toBeVisible();

  // At phone width the figures and the chart still read.
  await page.getByTestId('filter-kind').selectOption('');
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('button', { name: 'Open menu' })).toBeVisible();
  await expect(nav).not.toBeInViewport();
  await expect(page.getByTestId('fig-sent')).toBeVisible();
  await expect(page.getByTestId('daily-chart')).toBeVisible();
  await page.screenshot({ path: 'test-results/analytics-390.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The contact's timeline tells the story in order.
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await page.fill('#q', 'Lytics');
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: /Ana Lytics/ }).first().click();
  const timeline = page.getByTestId('contact-timeline');
  await expect(timeline).toBeVisible();
  const items = timeline.locator('li');
  await expect(items.first()).toContainText('Imported from analytics.csv');
  await expect(timeline.locator('li[data-kind="message_out"]')).toContainText(/Sent \(manual\): delivered/);
  await expect(timeline.locator('li[data-kind="message_in"]')).toHaveCount(2);
  await expect(timeline.locator('li[data-kind="message_in"]').first()).toContainText('Received');
  await expect(items.last()).toContainText('Tomorrow morning works');
});
