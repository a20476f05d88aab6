import type { Page } from 'playwright-core';
import { buildOpenApiDocument } from '../../src/openapi';
import type { Session } from '../../src/client/panzoto-client';
import { Chromium, launchChromium, nonLoopbackIPv4 } from '../support/browser';
import { PASSWORD, startTestApp, TestApp, uploadRecording } from '../support/test-app';

/** A bound for one UI step (render, one request) that only a hung page reaches, even on a loaded 2-core machine. */
const STEP_TIMEOUT_MS = 60_000;

interface LiveResponse {
  status: number;
  body: string;
}

/** Opens an operation, presses "Try it out", optionally replaces the prefilled body, executes it and reads the answer. */
async function tryItOut(page: Page, operationId: string, body?: string): Promise<LiveResponse> {
  const block = `.opblock[id$="-${operationId}"]`;
  await page.click(`${block} .opblock-summary`);
  await page.waitForSelector(`${block} .try-out__btn`, { timeout: STEP_TIMEOUT_MS });
  await page.click(`${block} .try-out__btn`);
  if (body !== undefined) {
    const editor = `${block} textarea.body-param__text`;
    await page.fill(editor, body, { timeout: STEP_TIMEOUT_MS });
  }
  await page.click(`${block} .execute`);
  const status = `${block} .live-responses-table tbody .response-col_status`;
  await page.waitForSelector(status, { timeout: STEP_TIMEOUT_MS });
  return page.$eval(block, (element) => ({
    status: Number(element.querySelector('.live-responses-table tbody .response-col_status')?.textContent?.trim()),
    body: element.querySelector('.live-responses-table tbody .highlight-code pre')?.textContent ?? '',
  }));
}

async function authorize(page: Page, pasted: string): Promise<string> {
  await page.click('.auth-wrapper .authorize');
  await page.waitForSelector('.modal-ux input', { timeout: STEP_TIMEOUT_MS });
  const dialogText = await page.$eval('.modal-ux', (element) => element.textContent ?? '');
  await page.fill('.modal-ux input', pasted);
  await page.click('.modal-ux .auth-btn-wrapper .authorize');
  await page.click('.modal-ux .btn-done');
  return dialogText;
}

describe('the /docs explorer in a real browser (Debian chromium)', () => {
  let t: TestApp;
  let chromium: Chromium;
  let documented: string[];

  beforeAll(async () => {
    t = await startTestApp({}, { host: '0.0.0.0' });
    chromium = await launchChromium();
    const document = buildOpenApiDocument(t.app);
    documented = Object.entries(document.paths).flatMap(([path, item]) =>
      ['get', 'put', 'post', 'delete', 'patch'].filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  const port = (): string => new URL(t.baseUrl).port;

  it.each([
    ['loopback', () => '127.0.0.1'],
    ['a non-loopback address of this machine', nonLoopbackIPv4],
  ])('renders every operation and runs register → Authorize → upload-url → list from %s', async (_name, address) => {
    const origin = `http://${address()}:${port()}`;
    const page = await chromium.browser.newPage();
    try {
      const foreign: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith('data:')) foreign.push(request.url());
      });
      await page.goto(`${origin}/docs`, { timeout: STEP_TIMEOUT_MS });
      await page.waitForSelector('.opblock', { timeout: STEP_TIMEOUT_MS });
      const listed = await page.$$eval('.opblock', (blocks) =>
        blocks.map(
          (block) =>
            `${block.querySelector('.opblock-summary-method')?.textContent} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      );
      expect(listed.sort()).toEqual([...documented].sort());
      // Every asset came from the address the page was opened at, over plain http.
      expect(foreign).toEqual([]);

      // The prefilled register example works as it is.
      const registered = await tryItOut(page, 'register');
      expect(registered.status).toBe(201);
      const session = JSON.parse(registered.body) as Session;

      // A token pasted with its "Bearer " prefix works too (the explorer drops the repeated word).
      const dialog = await authorize(page, `Bearer ${session.token}`);
      expect(dialog).toContain('without the word "Bearer"');

      const slot = await tryItOut(page, 'createUploadUrl');
      expect(slot.status).toBe(201);
      expect(JSON.parse(slot.body)).toMatchObject({ method: 'PUT', s3_key: expect.stringMatching(`^users/${session.user_id}/`) });

      const uploaded = await uploadRecording(t, { token: session.token, userId: session.user_id, email: '', auth: { Authorization: '' }, session });
      const listing = await tryItOut(page, 'listAudioFiles');
      expect(listing.status).toBe(200);
      expect(JSON.parse(listing.body).audio_files.map((file: { file_id: string }) => file.file_id)).toEqual([uploaded.file_id]);

      // Frees the example email for the next address.
      await t.http.delete('/api/user').set('Authorization', `Bearer ${session.token}`).send({ password: PASSWORD }).expect(204);
    } finally {
      await page.close();
    }
  }, 6 * STEP_TIMEOUT_MS);
});
