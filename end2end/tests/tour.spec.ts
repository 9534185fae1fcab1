import { expect, test, type Page } from '@playwright/test';
import { signIn } from './helpers';

// Every page, reached the way a person reaches it: by clicking the sidebar (client-side
// navigation, which once failed where a direct load worked), at desktop and phone widths.
// Runs after the other specs, so tables have rows. Fails on an error box, a console error or
// a page wider than the screen; keeps a screenshot of each page in test-results/tour/.
const PAGES = ['Dashboard', 'Conversations', 'Warm leads', 'Approval queue', 'Lead sales', 'Providers', 'Pipeline', 'Analytics', 'Lead farming', 'Campaigns', 'Contacts', 'Lists', 'Lead forms', 'Lead scoring', 'Routing', 'Import CSV', 'Your account', 'Team', 'Business', 'API keys'];

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

async function openFromSidebar(page: Page, label: string, phone: boolean) {
  if (phone) await page.getByRole('button', { name: 'Open menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
  // On a phone the menu closes after a choice (also when the page was already open).
  if (phone) await expect(page.locator('aside')).not.toBeInViewport();
}

async function checkPage(page: Page, what: string, size: string) {
  await page.waitForLoadState('networkidle');
  await expect(page.getByText('Loading…')).toHaveCount(0);
  await expect(page.getByRole('alert'), `${what}: an error box`).toHaveCount(0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} (${size}) is wider than the screen by ${overflow}px`).toBeLessThanOrEqual(0);
  // Every table fits its card or scrolls inside it: no card's content spills past its edge.
  const wideCards = await page.evaluate(() =>
    [...document.querySelectorAll('main section')]
      .filter((s) => getComputedStyle(s).overflowX === 'visible' && s.scrollWidth > s.clientWidth + 1)
      .map((s) => s.textContent?.slice(0, 60)),
  );
  expect(wideCards, `${what} (${size}): cards wider than the page shows`).toEqual([]);
  await page.screenshot({ path: `test-results/tour/${size}-${what.toLowerCase().replace(/[^a-z]+/g, '-')}.png`, fullPage: true });
}

for (const size of SIZES) {
  test(`every page from the sidebar, ${size.name} (${size.width}px)`, async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: size.width, height: size.height });
    await signIn(page);
    const phone = size.width < 1024;

    for (const label of PAGES) {
      await openFromSidebar(page, label, phone);
      await checkPage(page, label, size.name);
    }

    // One level down, by clicking too: a contact, a campaign, a farming campaign, a conversation.
    await openFromSidebar(page, 'Contacts', phone);
    await page.getByTestId('contacts-table').getByRole('link').first().click();
    await expect(page.getByTestId('contact-name')).toBeVisible();
    await checkPage(page, 'Contact', size.name);

    await openFromSidebar(page, 'Campaigns', phone);
    await page.locator('main table a').first().click();
    await expect(page.getByTestId('campaign-status')).toBeVisible();
    await checkPage(page, 'Campaign', size.name);

    await openFromSidebar(page, 'Lead farming', phone);
    await page.locator('main a[href^="/farming/"]').first().click();
    await expect(page).toHaveURL(/\/farming\/\d+$/);
    await checkPage(page, 'Farming campaign', size.name);

    await openFromSidebar(page, 'Lead sales', phone);
    await page.getByTestId('lead-row').first().getByRole('link').first().click();
    await expect(page.getByTestId('lead-id')).toBeVisible();
    await checkPage(page, 'Lead', size.name);

    await openFromSidebar(page, 'Lead sales', phone);
    await page.getByTestId('new-lead').click();
    await expect(page.getByRole('heading', { name: 'New lead' })).toBeVisible();
    await checkPage(page, 'New lead', size.name);

    await openFromSidebar(page, 'Lead forms', phone);
    await page.getByTestId('form-row').first().locator('a[href^="/forms/"]').click();
    await expect(page.getByTestId('form-name')).toBeVisible();
    await checkPage(page, 'Lead form', size.name);

    await openFromSidebar(page, 'Warm leads', phone);
    // The main action of the warm-leads table is on screen, not scrolled off to the right.
    await expect(page.getByTestId('open-conversation').first()).toBeInViewport();
    await page.getByTestId('open-conversation').first().click();
    await expect(page.getByTestId('thread-name')).toBeVisible();
    await checkPage(page, 'Conversation', size.name);

    expect(errors, 'console errors').toEqual([]);
  });
}
