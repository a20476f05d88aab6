import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedClientFlow } from '../generated-client/flow-result';
import { PASSWORD, startTestApp, TestApp } from '../support/test-app';

const CLIENT_DIR = join(__dirname, '..', 'generated-client');
const GENERATED_DIR = join(CLIENT_DIR, 'generated');

const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');
const execNode = (script: string, ...args: string[]) => promisify(execFile)(process.execPath, [join(NODE_MODULES, script), ...args]);

describe('a TypeScript client generated from openapi.json (openapi-typescript + openapi-fetch)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await mkdir(GENERATED_DIR, { recursive: true });
    // What an app team runs: the openapi-typescript command on the committed document.
    await execNode('openapi-typescript/bin/cli.js', 'openapi.json', '--output', join(GENERATED_DIR, 'openapi.d.ts'));
  });
  afterAll(() => t?.close());

  it('type-checks the client code against the generated types', async () => {
    const run = execNode('typescript/bin/tsc', '-p', join(CLIENT_DIR, 'tsconfig.json'));
    await expect(run.catch((error: { stdout?: string }) => Promise.reject(new Error(error.stdout)))).resolves.toBeDefined();
  }, 180_000);

  it('runs register → upload-url → PUT → register file → list → decrypt (stream) → delete against the app', async () => {
    const plaintext = randomBytes(64 * 1024 + 17);
    // Loaded by path: the project's own type check must not reach flow.ts before its types exist.
    const { runGeneratedClientFlow } = (await import(join(CLIENT_DIR, 'flow'))) as { runGeneratedClientFlow: GeneratedClientFlow };
    const result = await runGeneratedClientFlow(t.baseUrl, PASSWORD, plaintext);
    expect(result.duplicateRegistrationCode).toBe('EMAIL_TAKEN');
    expect(result.listedFileIds).toHaveLength(1);
    expect(result.decrypted.equals(plaintext)).toBe(true);
    expect(result.deletedStatus).toBe(204);
    expect(result.afterDeleteCode).toBe('NOT_FOUND');
  });
});
