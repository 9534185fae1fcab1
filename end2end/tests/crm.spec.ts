import { expect, test } from '@playwright/test';
import { hydrated, inboundSms, middayZone, signIn } from './helpers';

const PHONE = '+14155550601';

test('edit a contact, note it, move it through the pipeline, close its conversation, delete it', async ({ page, request, baseURL }) => {
  await signIn(page);
  await page.goto('/import');
  await hydrated(page);
  const csv = `phone,first_name,last_name,timezone,City\n${PHONE},Nora,Vance,${middayZone()},Austin\n`;
  await page.getByTestId('csv-file').setInputFiles({ name: 'crm.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.fill('#list-name', 'CRM list');
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 contact.');

  // Edit the record from the contact page.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Contacts' }).click();
  await page.getByTestId('contacts-table').getByRole('link', { name: 'Nora Vance' }).click();
  await page.getByTestId('edit-contact-button').click();
  await page.fill('#edit-last', 'Vance-Lee');
  await page.fill('#edit-tags', 'vip, roofing');
  await page.getByRole('button', { name: '+ Add attribute' }).click();
  await page.getByLabel('Attribute 2 name').fill('roof_age');
  await page.getByLabel('Attribute 2 value').fill('12');
  await page.getByTestId('save-contact').click();
  await expect(page.getByTestId('contact-name')).toHaveText('Nora Vance-Lee');
  await expect(page.getByText('roof_age')).toBeVisible();
  await expect(page.getByRole('link', { name: 'vip' })).toBeVisible();

  // A note.
  await page.getByLabel('New note').fill('Wants a quote before Friday');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes')).toContainText('Wants a quote before Friday');

  // The pipeline: set on the contact page, seen and moved on the board.
  await page.getByTestId('contact-stage').selectOption({ label: 'Quoted' });
  await nav.getByRole('link', { name: 'Pipeline' }).click();
  const column = (name: string) => page.getByTestId('pipeline-column').filter({ has: page.getByRole('heading', { name }) });
  await expect(column('Quoted').getByTestId('pipeline-card')).toContainText('Nora Vance-Lee');
  await column('Quoted').getByTestId('pipeline-card').filter({ hasText: 'Nora Vance-Lee' }).getByTestId('card-stage').selectOption({ label: 'Won' });
  await expect(column('Won').getByTestId('pipeline-card')).toContainText('Nora Vance-Lee');
  await expect(column('Quoted').getByTestId('pipeline-card').filter({ hasText: 'Nora Vance-Lee' })).toHaveCount(0);
  // Dragging a card to another column moves it too.
  await column('Won').getByTestId('pipeline-card').filter({ hasText: 'Nora Vance-Lee' }).dragTo(column('Contacted'));
  await expect(column('Contacted').getByTestId('pipeline-card')).toContainText('Nora Vance-Lee');
  // The list view shows the same.
  await page.getByRole('button', { name: 'List' }).click();
  await expect(page.getByTestId('pipeline-list')).toContainText('Nora Vance-Lee');

  // Conversation status: close it, and a new message from Nora reopens it (live).
  await inboundSms(request, baseURL!, PHONE, 'Any news on the quote?');
  await nav.getByRole('link', { name: 'Conversations' }).click();
  const inbox = page.getByTestId('inbox');
  await inbox.getByRole('link', { name: /Nora Vance-Lee/ }).click();
  await page.getByTestId('conversation-status').getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('closed');
  await expect(inbox.getByRole('link', { name: /Nora Vance-Lee/ })).toHaveCount(0);
  await page.getByTestId('status-filter').selectOption('closed');
  await expect(inbox.getByRole('link', { name: /Nora Vance-Lee/ })).toBeVisible();
  await page.getByTestId('status-filter').selectOption('open');
  await inboundSms(request, baseURL!, PHONE, 'Hello?');
  await expect(inbox.getByRole('link', { name: /Nora Vance-Lee/ })).toBeVisible();

  // Delete: the dialog says what goes; then the contact is gone.
  await page.getByTestId('thread-name').click();
  await page.getByTestId('delete-contact').click();
  await expect(page.getByTestId('delete-impact')).toContainText('2 messages, 1 note');
  await page.getByTestId('dialog-confirm').click();
  await expect(page).toHaveURL(/\/contacts$/);
  await page.getByRole('searchbox', { name: 'Search' }).fill('Nora');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No contacts match')).toBeVisible();
});
