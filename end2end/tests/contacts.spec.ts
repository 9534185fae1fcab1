import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, BUSINESS, hydrated, signIn } from './helpers';

const CSV = [
  'phone,first_name,last_name,email,tags,Roof Age',
  '(415) 555-2671,Ann,Lee,ann@example.com,"vip;roofing",12',
  'call me maybe,Bo,Ray,,,',
  '415.555.2672,Cy,Diaz,,roofing,3',
].join('\n');

test('setup, sign in, import a CSV with a bad row, search, sign out', async ({ page }) => {
  // A fresh install sends everyone to the one-time setup page.
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/setup$/);
  await hydrated(page);
  // Setup asks for the business name and time zone first.
  await page.fill('#business', BUSINESS);
  await page.locator('#timezone').selectOption('America/Chicago');
  await page.fill('#email', ADMIN_EMAIL);
  await page.fill('#password', ADMIN_PASSWORD);
  await page.fill('#confirm', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(ADMIN_EMAIL);
  // Both are saved, under Settings → Business.
  await page.getByRole('link', { name: 'Business' }).click();
  await expect(page.locator('#business-name')).toHaveValue(BUSINESS);
  await expect(page.locator('#business-timezone')).toHaveValue('America/Chicago');
  await page.getByRole('link', { name: 'Dashboard' }).click();

  // Sign out, then sign in again (a wrong password first).
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.fill('#email', ADMIN_EMAIL);
  await page.fill('#password', 'not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('wrong email or password');
  await page.fill('#password', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(ADMIN_EMAIL);

  // Import: preview and mapping first.
  await page.getByRole('link', { name: 'Import CSV' }).first().click();
  await expect(page).toHaveURL(/\/import$/);
  await page.getByTestId('csv-file').setInputFiles({ name: 'spring_leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  const preview = page.getByTestId('import-preview');
  await expect(preview).toContainText('call me maybe');
  await expect(page.getByLabel('Column 1 holds')).toHaveValue('phone');
  await expect(page.getByLabel('Column 6 holds')).toHaveValue('custom');
  await expect(page.locator('#list-name')).toHaveValue('spring leads');

  // All-or-nothing: the bad row stops the import and is reported with its row number.
  await page.getByRole('button', { name: 'Import contacts' }).click();
  const result = page.getByTestId('import-result');
  await expect(result).toContainText('nothing was imported');
  const errors = page.getByTestId('import-errors');
  await expect(errors).toContainText('3');
  await expect(errors).toContainText("invalid phone number 'call me maybe'");

  // Nothing was imported.
  await page.goto('/contacts');
  await expect(page.getByText('No contacts match')).toBeVisible();

  // Import again, skipping the bad row.
  await page.goto('/import');
  await hydrated(page);
  await page.getByTestId('csv-file').setInputFiles({ name: 'spring_leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(preview).toBeVisible();
  // The preview counts the rows and marks the one without a phone number.
  await expect(page.getByTestId('preview-total')).toHaveText('Showing 3 of 3 rows.');
  await expect(page.getByTestId('preview-bad-row')).toHaveCount(1);
  await expect(page.getByTestId('preview-bad-row')).toContainText('call me maybe');
  await page.getByTestId('skip-invalid').check();
  await page.getByRole('button', { name: 'Import contacts' }).click();
  await expect(result).toContainText('Imported 2 contacts.');
  await expect(result).toContainText('1 bad row skipped');
  await expect(errors).toContainText("invalid phone number 'call me maybe'");
  // Done: the same file can't be imported twice by a second click.
  await expect(page.getByRole('button', { name: 'Import contacts' })).toBeDisabled();

  // The list's contacts, then a search.
  await page.getByRole('link', { name: 'View the imported contacts' }).click();
  await expect(page.getByTestId('contacts-count')).toHaveText('1–2 of 2');
  await page.goto('/contacts');
  await hydrated(page);
  await page.getByRole('searchbox', { name: 'Search' }).fill('diaz');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=diaz/);
  const table = page.getByTestId('contacts-table');
  await expect(table).toContainText('Cy Diaz');
  await expect(table).not.toContainText('Ann Lee');
  await table.getByRole('link', { name: 'Cy Diaz' }).click();
  await expect(page.getByTestId('contact-phone')).toHaveText('+1 (415) 555-2672');
  await expect(page.getByTestId('contact-phone')).toHaveAttribute('href', 'tel:+14155552672');
  await expect(page.getByText('roof_age')).toBeVisible();

  // Back to the list from the sidebar (client-side navigation): the list, not an error.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
  await expect(page.getByTestId('contacts-count')).toHaveText('1–2 of 2');
  await expect(page.getByRole('alert')).toHaveCount(0);
  // A failed "Add contact" shows its error in the form and keeps the list.
  await page.getByRole('button', { name: 'Add contact' }).click();
  await page.fill('#new-phone', '12');
  await page.getByRole('button', { name: 'Save contact' }).click();
  await expect(page.getByRole('alert')).toContainText('invalid phone number');
  await expect(page.getByTestId('contacts-count')).toHaveText('1–2 of 2');

  // Sign out: pages need a session again.
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/contacts?q=lee');
  await expect(page).toHaveURL(/\/login\?next=/);
  // Signing in returns to the page that was asked for.
  await hydrated(page);
  await page.fill('#email', ADMIN_EMAIL);
  await page.fill('#password', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/contacts\?q=lee$/);
  await expect(page.getByTestId('contacts-table')).toContainText('Ann Lee');
});

test('a file that is not CSV gets a clear error and nothing to import', async ({ page }) => {
  await signIn(page);
  await page.goto('/import');
  await hydrated(page);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  await page.getByTestId('csv-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByRole('alert')).toContainText("This file can't be imported");
  await expect(page.getByTestId('import-preview')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Import contacts' })).toHaveCount(0);

  const noPhone = 'name,email\nAnn,ann@example.com\n';
  await page.getByTestId('csv-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(noPhone) });
  await expect(page.getByRole('alert')).toContainText('map one column to Phone');
  await expect(page.getByRole('button', { name: 'Import contacts' })).toBeDisabled();
});
