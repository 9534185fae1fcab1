import { expect, test } from '@playwright/test';
import { hydrated, middayZone, signIn } from './helpers';

const MEMBER = { email: 'rob@example.com', password: 'member password' };

// Headless Chromium shows no desktop notifications: record what the app asks to show instead.
function recordNotifications() {
  const shown: { title: string; body: string }[] = [];
  (window as unknown as { __notifications: typeof shown }).__notifications = shown;
  class RecordedNotification {
    static permission = 'granted';
    static requestPermission() {
      return Promise.resolve('granted');
    }
    onclick: unknown = null;
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, body: options?.body ?? '' });
    }
    close() {}
  }
  (window as unknown as { Notification: unknown }).Notification = RecordedNotification;
}

// A routing rule sends Facebook leads to the admin. A lead fills in a form on a phone: it
// appears live with its source and score, is texted by the form's drip, and the admin is
// notified in the page and on the desktop. In the thread, a second member sees the admin
// typing; internal notes and saved replies stay inside the team.
test('routing: a form lead is texted, scored and assigned; the assignee is notified; a teammate sees them typing', async ({ page, browser, baseURL }) => {
  await page.addInitScript(recordNotifications);
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });

  // A second member.
  await nav.getByRole('link', { name: 'Team' }).click();
  await hydrated(page);
  await page.fill('#u-email', MEMBER.email);
  await page.fill('#u-pass', MEMBER.password);
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('cell', { name: MEMBER.email })).toBeVisible();

  // Routing: Facebook leads go to the admin.
  await nav.getByRole('link', { name: 'Routing' }).click();
  await expect(page.getByRole('heading', { name: 'Routing' })).toBeVisible();
  await hydrated(page);
  const team = page.getByTestId('routing-team');
  await expect(team.getByTestId('routing-member').filter({ hasText: MEMBER.email }).getByTestId('availability')).toHaveText('Available');
  // Away and back: the switch follows.
  await team.getByTestId('routing-member').filter({ hasText: MEMBER.email }).getByTestId('availability').click();
  await expect(team.getByTestId('routing-member').filter({ hasText: MEMBER.email }).getByTestId('availability')).toHaveText('Away');
  await team.getByTestId('routing-member').filter({ hasText: MEMBER.email }).getByTestId('availability').click();
  await expect(team.getByTestId('routing-member').filter({ hasText: MEMBER.email }).getByTestId('availability')).toHaveText('Available');

  await page.getByTestId('add-routing-rule').click();
  const rule = page.getByTestId('routing-rule').last();
  await rule.getByTestId('rule-if').selectOption('source');
  await rule.getByTestId('rule-value').fill('facebook');
  await rule.getByTestId('rule-to').selectOption({ label: 'admin@example.com' });
  // A group rule with an empty group is explained before saving.
  await page.getByTestId('add-group').click();
  await page.getByTestId('save-routing').click();
  await expect(page.getByTestId('routing-problem')).toContainText('has no members');
  await page.getByTestId('routing-group').getByLabel(MEMBER.email).check();
  await page.getByTestId('round-robin').check();
  await page.getByTestId('save-routing').click();
  await expect(page.getByTestId('routing-saved')).toBeVisible();
  await page.screenshot({ path: 'test-results/routing-1280.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/routing-390.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  // Saved: a fresh load shows the rule.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('routing-rule')).toHaveCount(1);
  await expect(page.getByTestId('rule-value')).toHaveValue('facebook');

  // A form whose leads get the Roof check drip (made active by the campaigns spec).
  await nav.getByRole('link', { name: 'Lead forms' }).click();
  await expect(page.getByRole('heading', { name: 'Lead forms' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Storm roof check');
  await page.getByLabel('Text them with').selectOption({ label: 'Roof check' });
  await page.getByTestId('create-form').click();
  await expect(page.getByTestId('form-created')).toContainText('/f/storm-roof-check');

  // The admin watches the contacts list while the lead arrives.
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await hydrated(page);
  // The visitor's phone is somewhere it is midday: its browser tells the form, and the drip's
  // first text is not held for quiet hours whatever the time of the run.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, timezoneId: middayZone() });
  const visitor = await phone.newPage();
  await visitor.goto(`${baseURL}/f/storm-roof-check?utm_source=facebook&utm_campaign=storm`);
  await visitor.getByLabel('Your name').fill('Rita Rain');
  await visitor.getByLabel('Mobile number').fill('(415) 555-0193');
  await visitor.getByRole('checkbox').check();
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor.getByTestId('thank-you')).toContainText('Thanks!');
  await phone.close();

  // Live: the contact with its source and score, and the admin's notice, in the page and on
  // the desktop.
  const rita = page.getByRole('row').filter({ hasText: 'Rita Rain' });
  await expect(rita.getByTestId('contact-source')).toHaveText('facebook');
  await expect(rita.getByTestId('contact-score')).toContainText('30');
  const toast = page.getByTestId('toast').filter({ hasText: 'Rita Rain' });
  await expect(toast).toContainText('Assigned to you');
  await expect.poll(() => page.evaluate(() => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications)).toContainEqual({
    title: 'Assigned to you',
    body: 'Rita Rain is yours: their conversation is in your inbox.',
  });
  await page.screenshot({ path: 'test-results/assigned-toast-1280.png' });

  // The notice opens the conversation: the drip's first text is in it, and it is the admin's.
  await toast.getByRole('link').click();
  await expect(page.getByTestId('thread-name')).toHaveText('Rita Rain');
  await expect(page.getByTestId('thread')).toContainText('Acme Roofing here');
  await expect(page.getByLabel('Assign conversation').locator('option', { hasText: 'admin@example.com' })).toHaveCount(1);
  await expect(page.getByLabel('Assign conversation')).toHaveValue(/\d+/);
  await expect(page.getByLabel('Assign conversation').locator('option:checked')).toHaveText('admin@example.com');
  const thread = page.url();

  // The member opens the same conversation: each sees the other there, and the member sees
  // the admin typing.
  const memberContext = await browser.newContext({ baseURL });
  const member = await memberContext.newPage();
  await signIn(member, MEMBER.email, MEMBER.password);
  await member.goto(thread);
  await hydrated(member);
  await expect(member.getByTestId('thread-name')).toHaveText('Rita Rain');
  await expect(page.getByTestId('presence')).toContainText('Also here: rob');
  await expect(member.getByTestId('presence')).toContainText('Also here: admin');
  await page.getByTestId('composer').pressSequentially('Hi Rita, I can come by', { delay: 20 });
  await expect(member.getByTestId('typing')).toContainText('admin is typing a reply…');
  await member.screenshot({ path: 'test-results/typing-390.png' });
  // Typing stops: after a few seconds the member sees only that the admin is here.
  await expect(member.getByTestId('typing')).toHaveCount(0, { timeout: 15_000 });
  await expect(member.getByTestId('presence')).toContainText('Also here: admin');

  // An internal note: in both threads, never sent.
  await page.getByTestId('composer').fill('');
  await page.getByTestId('note-mode').click();
  await page.getByLabel('Internal note').fill('Prefers mornings. Rob, I have this one.');
  await page.getByTestId('add-note').click();
  await expect(page.getByTestId('thread-note')).toContainText('Prefers mornings');
  await expect(member.getByTestId('thread-note')).toContainText('Prefers mornings');

  // A saved reply with a {{ }} field, filled in for Rita.
  await page.getByRole('tab', { name: 'Reply' }).click();
  await page.getByLabel('Message').fill('Hi {{ first_name }}, thanks for asking! When suits you?');
  await page.getByTestId('saved-replies').click();
  await page.getByTestId('saved-reply-name').fill('Thanks for asking');
  await page.getByTestId('save-reply').click();
  await expect(page.getByTestId('saved-reply').filter({ hasText: 'Thanks for asking' })).toBeVisible();
  await page.getByLabel('Message').fill('');
  await page.getByTestId('saved-reply').filter({ hasText: 'Thanks for asking' }).click();
  await expect(page.getByLabel('Message')).toHaveValue('Hi Rita, thanks for asking! When suits you?');
  await page.screenshot({ path: 'test-results/thread-team-1280.png' });

  // The member leaves the conversation (through the menu), then leaves the app: the admin no
  // longer sees them there.
  await member.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conversations' }).click();
  await expect(page.getByTestId('presence')).toHaveCount(0);
  await member.goto(thread);
  await hydrated(member);
  await expect(page.getByTestId('presence')).toContainText('Also here: rob');
  await member.goto('about:blank');
  await expect(page.getByTestId('presence')).toHaveCount(0);
  await memberContext.close();

  // Round robin off again, so the specs after this one keep their conversations unassigned.
  await nav.getByRole('link', { name: 'Routing' }).click();
  await hydrated(page);
  await page.getByTestId('round-robin').uncheck();
  await page.getByTestId('save-routing').click();
  await expect(page.getByTestId('routing-saved')).toBeVisible();
});
