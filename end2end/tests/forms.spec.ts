import { expect, test } from '@playwright/test';
import { hydrated, signIn } from './helpers';

// Build a form in the browser, open its public page on a phone, send it, and find the lead
// (with its source and the consent proof) in the app.
test('lead forms: build one, submit its public page on a phone, see the lead and its source', async ({ page, browser, baseURL }) => {
  await signIn(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Lead forms' }).click();
  await expect(page.getByRole('heading', { name: 'Lead forms' })).toBeVisible();
  await hydrated(page);

  await page.getByLabel('Name', { exact: true }).fill('Free gutter quote');
  await expect(page.getByLabel('Address')).toHaveAttribute('placeholder', 'free-gutter-quote');
  await page.getByLabel('Headline').fill('Clean gutters before the storms');
  await page.getByLabel('Benefits (one a line)').fill('Free quote in a day\nLicensed and insured');
  await page.getByTestId('field-city').check();
  await page.getByTestId('field-budget').check();
  await page.getByLabel('Add leads to list').fill('Gutter leads');
  await expect(page.getByLabel('Consent text')).toHaveValue(/Reply STOP to opt out/);
  await page.getByTestId('create-form').click();
  await expect(page.getByTestId('form-created')).toContainText('/f/free-gutter-quote');
  await expect(page.getByTestId('form-row').filter({ hasText: 'Free gutter quote' })).toBeVisible();
  await page.screenshot({ path: 'test-results/forms-1280.png', fullPage: true });

  // The public page on a phone, from an ad.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const visitor = await phone.newPage();
  await visitor.goto(`${baseURL}/f/free-gutter-quote?utm_source=google&utm_medium=cpc&utm_campaign=storms`);
  await expect(visitor.getByRole('heading', { name: 'Clean gutters before the storms' })).toBeVisible();
  await expect(visitor.getByText('Licensed and insured')).toBeVisible();
  // Five fields (name, mobile, email, city, budget): steps of three with a progress bar.
  await expect(visitor.locator('#progress')).toHaveText('Step 1 of 2');
  await visitor.getByLabel('Your name').fill('Gus Gutter');
  await visitor.getByLabel('Mobile number').fill('(415) 555-0188');
  await visitor.getByLabel('Email').fill('gus@example.com');
  await visitor.getByRole('button', { name: 'Next' }).click();
  await expect(visitor.locator('#progress')).toHaveText('Step 2 of 2');
  await visitor.getByLabel('City').fill('Oakland');
  await visitor.getByLabel('Budget').fill('$300');
  await visitor.screenshot({ path: 'test-results/form-public-390.png', fullPage: true });
  // Sending without the consent box is stopped by the browser; with it, the thank-you page.
  await visitor.getByRole('checkbox').check();
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor.getByTestId('thank-you')).toContainText('Thanks! We got your request.');
  await phone.close();

  // The form's page lists the submission with its source, live.
  await page.getByTestId('form-row').filter({ hasText: 'Free gutter quote' }).getByRole('link', { name: 'Free gutter quote' }).click();
  await expect(page.getByTestId('form-name')).toHaveText('Free gutter quote');
  const row = page.getByTestId('submission-row').first();
  await expect(row).toContainText('Gus Gutter');
  await expect(row.getByTestId('submission-source')).toHaveText('google');
  await expect(row).toContainText('cpc · storms');
  await expect(page.getByTestId('embed-snippet')).toContainText('/f/free-gutter-quote');

  // The contact, with the form's consent on its timeline.
  await row.getByRole('link', { name: 'Gus Gutter' }).click();
  await hydrated(page);
  await expect(page.getByTestId('contact-timeline')).toContainText('Consent: opt in');
  await expect(page.getByTestId('contact-timeline')).toContainText('source: form');
  // Its lead score, with the rule behind it (the default rules: +30 for a form).
  await expect(page.getByTestId('contact-score-card')).toContainText('30');
  await expect(page.getByTestId('score-reasons')).toContainText('+30 submitted a form');

  // A rule for the city, made in the browser: saving rescores everyone in the background.
  await nav.getByRole('link', { name: 'Lead scoring' }).click();
  await expect(page.getByRole('heading', { name: 'Lead scoring' })).toBeVisible();
  await hydrated(page);
  await page.getByTestId('add-rule').click();
  const rule = page.getByTestId('rule').last();
  await expect(rule.getByTestId('rule-on')).toHaveValue('field');
  await rule.getByTestId('rule-field').fill('city');
  await rule.getByTestId('rule-value').fill('oakland');
  await rule.getByTestId('rule-points').fill('25');
  // A rule that cannot work is explained before anything is saved.
  await page.getByTestId('band-min-hot').fill('30');
  await page.getByTestId('save-scoring').click();
  await expect(page.getByTestId('scoring-problem')).toContainText('bands');
  await page.getByTestId('band-min-hot').fill('80');
  await page.getByTestId('save-scoring').click();
  await expect(page.getByTestId('scoring-saved')).toBeVisible();
  await expect(page.getByTestId('recompute')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('band-qualified')).not.toHaveText('0');
  await page.screenshot({ path: 'test-results/scoring-1280.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/scoring-390.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The contacts list shows the new score, and the band links to the filtered list.
  await page.getByTestId('band-counts').getByRole('link').filter({ hasText: /^Qualified/ }).click();
  const gus = page.getByRole('row').filter({ hasText: 'Gus Gutter' });
  await expect(gus.getByTestId('contact-score')).toContainText('55');
  await gus.getByRole('link', { name: 'Gus Gutter' }).click();
  await expect(page.getByTestId('score-reasons')).toContainText('+25 city: oakland');
});
