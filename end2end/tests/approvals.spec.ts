import { expect, test } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

// Numbers used only by this spec.
const phones = ['+14155550501', '+14155550502', '+14155550503', '+14155550504', '+14155550505'];
const others = ['+14155550506', '+14155550507'];
// The team's own phone, for test sends.
const tester = '+14155550509';

test('approval queue: build a segment and generate from it, edit, reject and bulk-approve, send a test, approve the batch with a plan, watch them go out, count a reply, export the audit trail, suggest a reply', async ({ page, request, baseURL }) => {
  await signIn(page);
  const zone = middayZone();
  // The team's phone, then test mode in Settings → Business (reached from the sidebar).
  await page.goto('/import');
  await hydrated(page);
  await page.getByTestId('csv-file').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(`phone,first_name,timezone\n${tester},Tess,${zone}\n`) });
  await page.fill('#list-name', 'Team phones');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 contact');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Business', exact: true }).click();
  await page.getByTestId('test-numbers').fill('(415) 555-0509');
  await page.getByTestId('require-test').check();
  await page.getByTestId('save-test-mode').click();
  await expect(page.getByTestId('test-mode-saved')).toBeVisible();

  await page.goto('/import');
  await hydrated(page);
  // Five regulars who like flower, and two who don't: the segment picks the five.
  const rows = phones.map((p, i) => `${p},Queue${i},Guest,${zone},web form,Flower`)
    .concat(others.map((p, i) => `${p},Other${i},Guest,${zone},web form,Edibles`)).join('\n');
  await page.getByTestId('csv-file').setInputFiles({ name: 'queue.csv', mimeType: 'text/csv', buffer: Buffer.from(`phone,first_name,last_name,timezone,consent_source,favourite\n${rows}\n`) });
  await page.fill('#list-name', 'Win-back list');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 7 contacts.');

  // Reached from the sidebar, as a person would.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approval queue', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Approval queue' })).toBeVisible();
  // Build the segment: the list, then a condition on the imported column; the count is live.
  const builder = page.getByTestId('segment-builder');
  await builder.getByTestId('segment-list').selectOption({ label: 'Win-back list' });
  await expect(builder.getByTestId('segment-count')).toContainText('7 contacts match');
  await builder.getByTestId('segment-add').click();
  const cond = builder.getByTestId('segment-condition');
  await cond.getByTestId('condition-field').selectOption({ label: 'favourite (imported)' });
  await cond.getByTestId('condition-op').selectOption({ label: 'is' });
  await cond.getByTestId('condition-value').fill('flower');
  await expect(builder.getByTestId('segment-count')).toContainText('5 contacts match · 5 can be texted');
  // A condition that cannot be checked says why, in place.
  await cond.getByTestId('condition-op').selectOption({ label: 'greater than' });
  await expect(builder.getByTestId('segment-count')).toContainText("give a number, not 'flower'");
  await cond.getByTestId('condition-op').selectOption({ label: 'is' });
  await expect(builder.getByTestId('segment-count')).toContainText('5 contacts match');
  await page.fill('#gen-name', 'December win-back');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-result')).toContainText('5 suggestions added for review.');
  const items = page.getByTestId('suggestion');
  await expect(items).toHaveCount(5);
  await expect(items.first().getByTestId('suggestion-text')).toContainText('Hi Queue0, we haven');
  await page.screenshot({ path: 'test-results/approvals-review.png', fullPage: true });

  // Nothing has been sent: every item waits for a person.
  await expect(page.getByTestId('suggestion-status').filter({ hasText: 'suggested' })).toHaveCount(5);
  // Filter by campaign type: none of this batch is a welcome message.
  await page.getByTestId('type-filter').selectOption({ label: 'welcome' });
  await expect(items).toHaveCount(0);
  await page.getByTestId('type-filter').selectOption({ label: 'All types' });
  await expect(items).toHaveCount(5);

  // The keyboard: j moves to the next item, k back; the hint says so.
  await expect(page.getByTestId('key-hint')).toContainText('approve');
  await expect(items.nth(0)).toHaveAttribute('data-current', 'true');
  await page.keyboard.press('j');
  await expect(items.nth(1)).toHaveAttribute('data-current', 'true');
  await page.keyboard.press('k');
  await expect(items.nth(0)).toHaveAttribute('data-current', 'true');

  // Edit then approve the first; reject the second with a reason.
  const first = items.filter({ hasText: 'Queue0' });
  await first.getByTestId('edit').click();
  await first.getByTestId('edit-text').fill('Hi Queue0, Sunrise Roofing here: 15% off a roof check this week. Reply STOP to opt out.');
  await first.getByTestId('approve').click();
  await expect(items.filter({ hasText: 'Queue0' })).toHaveCount(0); // left the "Waiting" tab
  const second = items.filter({ hasText: 'Queue1' });
  await second.getByTestId('reject').click();
  await second.getByTestId('reject-reason').fill('they moved away');
  await second.getByTestId('reject-confirm').click();
  await expect(items).toHaveCount(3);

  // Approve one with the keyboard: move to the last and press a. Only that one is approved.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(items.nth(2)).toHaveAttribute('data-current', 'true');
  await expect(items.nth(2)).toContainText('Queue4');
  await page.keyboard.press('a');
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: 'Queue4' })).toHaveCount(0);
  await expect(items.filter({ hasText: 'Queue2' })).toHaveCount(1);
  await expect(items.filter({ hasText: 'Queue3' })).toHaveCount(1);

  // The last two at once: select all, one confirmation that shows the count.
  await page.getByTestId('select-all').check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-approve').click();
  await expect(page.getByTestId('dialog')).toContainText('2 suggestions will be approved');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('bulk-result')).toContainText('2 suggestions approved.');
  await expect(items).toHaveCount(0);

  // Approve the batch: the plan is shown first, then confirmed.
  await page.getByTestId('plan-batch').selectOption({ label: 'December win-back' });
  await page.getByTestId('plan-start').fill('2026-01-01T09:00'); // in the past: starts now
  await page.getByTestId('gap-min').fill('0');
  await page.getByTestId('gap-max').fill('0');
  await page.getByTestId('preview-plan').click();
  await expect(page.getByTestId('plan').locator('li')).toHaveCount(4);
  // A test send is required first (Settings): approving without one is refused and says why.
  await page.getByTestId('approve-batch').click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByText('send a test of this batch to the test numbers first')).toBeVisible();
  await page.getByTestId('send-test').click();
  await expect(page.getByTestId('test-result')).toContainText('Test sent: 3 messages to');
  await expect(page.getByTestId('test-result')).toContainText('The items are unchanged.');
  // Now the plan goes through.
  await page.getByTestId('preview-plan').click();
  await expect(page.getByTestId('plan').locator('li')).toHaveCount(4);
  await page.getByTestId('approve-batch').click();
  await expect(page.getByTestId('dialog')).toContainText('4 messages go out');
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('approve-batch-result')).toHaveText('4 scheduled.');
  await page.screenshot({ path: 'test-results/approvals-planned.png', fullPage: true });

  // The scheduler hands them to the simulator; the edited text is what went out.
  await page.getByTestId('tab-sent').click();
  await expect(page.getByTestId('suggestion')).toHaveCount(4, { timeout: 20_000 });
  await expect(page.getByTestId('suggestion').filter({ hasText: '15% off a roof check' })).toHaveCount(1);
  await page.getByTestId('tab-').click();
  await expect(page.getByTestId('suggestion').filter({ hasText: 'they moved away' })).toHaveCount(1);

  // The edited item's history: the edit, the test send, the approval, the send.
  const edited = page.getByTestId('suggestion').filter({ hasText: '15% off a roof check' });
  await edited.getByTestId('history').click();
  const history = edited.getByTestId('history-list');
  await expect(history).toContainText('edited');
  await expect(history).toContainText('test sent');
  await expect(history).toContainText('sent');

  // One contact replies: the batch's report counts it in the response rate, live.
  await expect(page.getByTestId('report-sent')).toHaveText('4');
  await expect(page.getByTestId('report-rates')).toContainText('Response rate 0% (0 of 4 replied');
  await inboundSms(request, baseURL!, phones[2], 'Sounds good, see you Saturday');
  await expect(page.getByTestId('report-rates')).toContainText('Response rate 25% (1 of 4 replied');
  // The live update rebuilt the list; the open history stays open.
  await expect(history).toContainText('test sent');

  // Reports over the period: by type and by batch, a chart, and CSV exports.
  await expect(page.getByTestId('report-by-type')).toContainText('retention');
  await expect(page.getByTestId('report-by-type')).toContainText('25% (1 of 4)');
  await expect(page.getByTestId('report-by-batch')).toContainText('December win-back');
  await expect(page.getByTestId('report-chart')).toBeVisible();
  const audit = await page.request.get(await page.getByTestId('export-audit').getAttribute('href') ?? '');
  expect(audit.status()).toBe(200);
  const csv = await audit.text();
  expect(csv).toContain('test_sent');
  expect(csv).toContain('they moved away');
  await page.screenshot({ path: 'test-results/approvals-reports.png', fullPage: true });

  // Suggestive mode in the conversation: a draft answer lands in the composer; nothing is sent.
  await page.goto('/conversations');
  await hydrated(page);
  await page.getByTestId('inbox').getByRole('link', { name: /Queue2/ }).click();
  await expect(page.getByTestId('thread')).toContainText('see you Saturday');
  const bubbles = await page.getByTestId('thread').getByTestId('bubble-out').count();
  await page.getByTestId('suggest-reply').click();
  await expect(page.getByTestId('composer')).toHaveValue(/^Hi Queue2, Sunrise Roofing here\./);
  await expect(page.getByTestId('suggest-note')).toContainText('Nothing is sent until you press Send');
  await expect(page.getByTestId('thread').getByTestId('bubble-out')).toHaveCount(bubbles);
});
