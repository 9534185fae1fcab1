import { expect, test } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

const PHONE = '+14155550199';
const MEMBER = { email: 'mia@example.com', password: 'member password' };

test.describe.serial('conversations', () => {
test('two members see a conversation live; ticks, STOP and START', async ({ browser, page, request, baseURL }) => {
  // The admin adds a member and imports the contact (in a zone where it is daytime now).
  await signIn(page);
  await page.goto('/settings/users');
  await hydrated(page);
  await page.fill('#u-email', MEMBER.email);
  await page.fill('#u-pass', MEMBER.password);
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('cell', { name: MEMBER.email })).toBeVisible();
  // Admins can remove others, not themselves.
  await expect(page.getByRole('row', { name: /admin@example\.com/ })).toContainText('you');
  await expect(page.getByRole('row', { name: /admin@example\.com/ }).getByRole('button', { name: 'Remove' })).toHaveCount(0);
  await expect(page.getByRole('row', { name: /mia@example\.com/ }).getByRole('button', { name: 'Remove' })).toBeVisible();
  // Remove asks first, naming who; Cancel keeps them.
  await page.getByRole('row', { name: /mia@example\.com/ }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('remove-who')).toContainText('mia@example.com will be signed out');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('cell', { name: MEMBER.email })).toBeVisible();

  await page.goto('/import');
  await hydrated(page);
  const csv = `phone,first_name,last_name,timezone\n${PHONE},Lena,Park,${middayZone()}\n`;
  await page.getByTestId('csv-file').setInputFiles({ name: 'live.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 contact.');

  // Both open Conversations.
  await page.goto('/conversations');
  await hydrated(page);
  const memberContext = await browser.newContext({ baseURL });
  const member = await memberContext.newPage();
  await signIn(member, MEMBER.email, MEMBER.password);
  await member.goto('/conversations');
  await hydrated(member);

  // A signed inbound webhook shows up in both panels without a reload.
  await inboundSms(request, baseURL!, PHONE, 'Hi, is the offer still on?');
  for (const p of [page, member]) {
    await expect(p.getByTestId('inbox')).toContainText('Is the offer still on?', { ignoreCase: true, timeout: 2_000 });
    await expect(p.getByTestId('inbox')).toContainText('Lena Park');
  }

  // The admin replies; the member sees it; ticks move to delivered.
  await page.getByTestId('inbox').getByRole('link', { name: /Lena Park/ }).click();
  await expect(page.getByTestId('thread-name')).toHaveText('Lena Park');
  await page.getByTestId('composer').fill('Yes! Want a quote this week?');
  await expect(page.getByTestId('segment-info')).toContainText('1 segment');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const lastStatus = page.getByTestId('bubble-out').last().getByTestId('message-status');
  await expect(lastStatus).toHaveText(/delivered/);
  await expect(member.getByTestId('inbox')).toContainText('You: Yes! Want a quote this week?');

  // STOP from the contact disables the composer with the reason (live).
  await inboundSms(request, baseURL!, PHONE, 'STOP');
  await expect(page.getByTestId('gate-note')).toContainText('opted out');
  await expect(page.getByTestId('composer')).toBeDisabled();
  await expect(page.getByTestId('consent-badge')).toHaveText('opted out');
  await expect(page.getByTestId('thread')).toContainText('You are unsubscribed');
  // The thread follows new messages: the confirmation is on screen, not below the fold.
  await expect(page.getByTestId('thread').getByText(/You are unsubscribed/)).toBeInViewport();

  // START re-enables it.
  await inboundSms(request, baseURL!, PHONE, 'START');
  await expect(page.getByTestId('composer')).toBeEnabled();
  await expect(page.getByTestId('gate-note')).toHaveCount(0);
  await expect(page.getByTestId('thread')).toContainText('You are resubscribed');

  // The contact page shows the consent ledger.
  await page.getByTestId('thread-name').click();
  await expect(page.getByTestId('consent-state')).toHaveText('Can be messaged');
  await expect(page.getByTestId('consent-history')).toContainText('Opted out');
  await expect(page.getByTestId('consent-history')).toContainText('Opted in');
  await memberContext.close();
});

// Uses the conversation the test above created.
test('simulate reply goes through the inbound path', async ({ page }) => {
  await signIn(page);
  await page.goto('/conversations');
  await hydrated(page);
  await page.getByTestId('inbox').getByRole('link', { name: /Lena Park/ }).click();
  await expect(page.getByTestId('thread-name')).toHaveText('Lena Park');
  await page.getByLabel('Simulated reply').fill('help');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(page.getByTestId('thread')).toContainText('Reply STOP to unsubscribe');
  // The HELP answer (the last message) is scrolled into view.
  await expect(page.getByTestId('thread').getByText(/Msg&data rates may apply/)).toBeInViewport();
});

// Uses the same conversation. Someone reading older messages is not yanked down: a pill says
// there is something new.
test('a new message while reading older ones shows a "new messages" pill', async ({ page, request, baseURL }) => {
  await page.setViewportSize({ width: 390, height: 700 });
  await signIn(page);
  await page.goto('/conversations');
  await hydrated(page);
  await page.getByTestId('inbox').getByRole('link', { name: /Lena Park/ }).click();
  const thread = page.getByTestId('thread');
  await expect(thread.getByTestId('bubble-in').last()).toBeInViewport();
  // Scroll up to read.
  await thread.evaluate((el) => el.scrollTo(0, 0));
  await expect(thread.getByTestId('bubble-in').last()).not.toBeInViewport();
  await inboundSms(request, baseURL!, PHONE, 'Are you still there?');
  await expect(page.getByTestId('new-messages')).toBeVisible();
  await expect(thread.getByText('Are you still there?')).not.toBeInViewport();
  await page.getByTestId('new-messages').click();
  await expect(thread.getByText('Are you still there?')).toBeInViewport();
  await expect(page.getByTestId('new-messages')).toHaveCount(0);
});
});
