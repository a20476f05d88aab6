import { readFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../../src/openapi';
import { startTestApp, TestApp } from '../support/test-app';

describe('OpenAPI document and explorer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('matches the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8'));
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument(t.app)))).toEqual(committed);
  });

  it('documents every endpoint with its responses and bearer auth', () => {
    const document = buildOpenApiDocument(t.app);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/audio-file',
      '/api/audio-files/upload-url',
      '/api/audio-files/{file_id}',
      '/api/auth/confirm-email-change',
      '/api/auth/forgot-password',
      '/api/auth/refresh',
      '/api/auth/reset-password',
      '/api/auth/verify-email',
      '/api/decrypt-audio',
      '/api/decrypt-jobs/{job_id}',
      '/api/health',
      '/api/health/ready',
      '/api/login',
      '/api/logout',
      '/api/logout-all',
      '/api/register',
      '/api/sessions',
      '/api/sessions/{id}',
      '/api/user',
      '/api/user/audio-files',
      '/api/user/email',
      '/api/user/email/verification',
      '/api/user/me',
      '/api/user/password',
      '/api/user/recovery-code',
      '/api/user/recovery-code/redeem',
    ]);
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const listing = document.paths['/api/user/audio-files'].get;
    expect(listing?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(listing?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
  });

  it('serves the explorer at /docs and the document at /docs/openapi.json', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    const json = await t.http.get('/docs/openapi.json').expect(200);
    expect(json.body.paths['/api/register']).toBeDefined();
  });
});
