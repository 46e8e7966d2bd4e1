// Big files on the forms (issue 13 §5): the officer's 20 MB draft goes up in pieces with a
// progress bar; the network drops in the middle (the browser's second piece is cut off) and
// the upload goes on from what the server has, then the form is saved and the stored file is
// the one chosen, byte for byte. A cancelled upload saves nothing. Without JavaScript the
// form still sends the file itself.
import { createHash } from 'node:crypto';
import {
  bodyText, check, login, minimalPdf, runScenarios, STEP_TIMEOUT_MS,
} from '../lib.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');

async function fillDraft(page, base, subject, pdf) {
  await page.goto(`${base}/outgoing/new`);
  await page.fill('#subject', subject);
  await page.setInputFiles('input[type=file]', { name: 'du-thao-lon.pdf', mimeType: 'application/pdf', buffer: pdf });
}

async function storedFile(page, base) {
  const link = page.locator('a[href*="/files/"]').first();
  const href = await link.getAttribute('href');
  const r = await page.request.get(`${base}${href.replace(/\/(view|verify)$/, '')}`);
  check(r.status() === 200, `download ${href}: ${r.status()}`);
  return r.body();
}

await runScenarios([
  ['a 20 MB draft resumes after the network drops and is stored whole', async ({ page, demo }) => {
    const { base } = demo;
    await login(page, base, 'chuyenvien.vp');
    const pdf = minimalPdf('Du thao lon', 20 * 1024 * 1024);
    let patches = 0, cut = 0, heads = 0;
    await page.route('**/api/v1/uploads/*', async (route) => {
      const m = route.request().method();
      if (m === 'HEAD') heads++;
      if (m === 'PATCH' && ++patches === 2) {
        cut++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await fillDraft(page, base, 'Dự thảo lớn tải lên từng phần', pdf);
    await page.click('form[data-resumable] button[type=submit]');
    await page.waitForSelector('.upload-progress progress', { timeout: STEP_TIMEOUT_MS });
    check(await page.locator('form[data-resumable] button[type=submit]').isDisabled(), `the button is off while sending: ${await page.locator('.upload-text').innerText()}`);
    await page.waitForURL(/\/documents\/[0-9a-f]+$/, { timeout: 120_000 });
    check(cut === 1 && heads >= 1, `the cut piece was resumed after asking the offset (cut ${cut}, HEAD ${heads}, PATCH ${patches})`);
    check(patches >= 4, `20 MB went in 8 MB pieces plus the retried one (${patches} PATCH)`);
    check((await bodyText(page)).includes('Dự thảo lớn tải lên từng phần'), 'the draft is saved');
    const stored = await storedFile(page, base);
    check(stored.length === pdf.length && sha(stored) === sha(pdf), `the stored file is the chosen one (${stored.length} of ${pdf.length} bytes)`);
  }],
  ['a cancelled upload saves nothing', async ({ page, demo }) => {
    const { base } = demo;
    await login(page, base, 'chuyenvien.vp');
    await page.route('**/api/v1/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, 3000));
      return route.continue().catch(() => {});
    });
    await fillDraft(page, base, 'Dự thảo bị hủy tải lên', minimalPdf('Huy', 12 * 1024 * 1024));
    await page.click('form[data-resumable] button[type=submit]');
    await page.waitForSelector('.upload-cancel', { timeout: STEP_TIMEOUT_MS });
    await page.click('.upload-cancel');
    await page.waitForFunction(() => document.querySelector('.upload-text')?.textContent.includes('Đã hủy'));
    check(!(await page.locator('form[data-resumable] button[type=submit]').isDisabled()), 'the button is back');
    await page.goto(`${base}/outgoing`);
    check(!(await bodyText(page)).includes('Dự thảo bị hủy tải lên'), 'no draft was made');
  }],
  ['without JavaScript the form sends the file itself', async ({ browser, demo }) => {
    const { base } = demo;
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'vi-VN' });
    const page = await context.newPage();
    await login(page, base, 'chuyenvien.vp');
    const pdf = minimalPdf('Khong JS', 1024 * 1024);
    await fillDraft(page, base, 'Dự thảo gửi không cần JavaScript', pdf);
    await page.click('form[data-resumable] button[type=submit]');
    await page.waitForURL(/\/documents\/[0-9a-f]+$/);
    const stored = await storedFile(page, base);
    check(sha(stored) === sha(pdf), 'the stored file is the chosen one');
  }],
]);
