import type { Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { recordingAad } from '../../src/audio-files/recording-keys';
import { AES256_GCM_HKDF_1MB, EncryptingStream } from '../../src/crypto/streaming-aead';
import { pendingUploadKey } from '../../src/storage/object-keys';
import { buildOpenApiDocument } from '../../src/openapi';
import type { Session } from '../../tools/client/panzoto-client';
import { Chromium, launchChromium, nonLoopbackIPv4 } from '../support/browser';
import { PASSWORD, putObject, startTestApp, TestApp } from '../support/test-app';

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

/** What the app does between upload-url and registering the file: encrypt for (user, file) and PUT to S3. */
async function putEncryptedRecording(t: TestApp, session: Session, fileId: string): Promise<void> {
  const userKey = await t.client.unlockUserKey(session, PASSWORD);
  const encryptor = new EncryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(session.user_id, fileId));
  // 3000 bytes of audio are the 3056 bytes of ciphertext the explorer's upload-url example declares.
  const ciphertext = Buffer.concat(
    await Readable.from([randomBytes(3000)])
      .pipe(encryptor)
      .toArray(),
  );
  await putObject(t, pendingUploadKey(session.user_id, fileId, ciphertext.length), ciphertext);
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
  ])(
    'renders every operation and runs register → Authorize → upload-url → audio-file → list → decrypt with the prefilled bodies from %s',
    async (_name, address) => {
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

        const { file_id: fileId, s3_key: s3Key } = JSON.parse(slot.body) as { file_id: string; s3_key: string };

        // The app encrypts and PUTs the recording; the explorer's prefilled bodies then name that upload.
        await putEncryptedRecording(t, session, fileId);
        const created = await tryItOut(page, 'registerAudioFile');
        expect(created.status).toBe(201);
        expect(JSON.parse(created.body).audio_file).toMatchObject({ file_id: fileId, s3_key: s3Key });

        const listing = await tryItOut(page, 'listAudioFiles');
        expect(listing.status).toBe(200);
        expect(JSON.parse(listing.body).audio_files.map((file: { file_id: string }) => file.file_id)).toEqual([fileId]);

        const decrypted = await tryItOut(page, 'decryptAudio');
        expect(decrypted.status).toBe(200);
        expect(JSON.parse(decrypted.body)).toMatchObject({ status: 'ready_for_transcription', file_info: { file_id: fileId } });

        // Frees the example email for the next address.
        await t.http.delete('/api/user').set('Authorization', `Bearer ${session.token}`).send({ password: PASSWORD }).expect(204);
      } finally {
        await page.close();
      }
    },
    6 * STEP_TIMEOUT_MS,
  );
});
