import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { randomUUID } from 'node:crypto';
import { buildOpenApiDocument, explorerRequestInterceptor } from '../../src/openapi';
import { PASSWORD, registerUser, startTestApp, TestApp, uploadRecording } from '../support/test-app';

const METHODS = ['get', 'put', 'post', 'delete'] as const;

function operationsOf(document: OpenAPIObject): Array<{ method: string; path: string; operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ method, path, operation: item[method] }] : [])),
  );
}

function documentedCodes(document: OpenAPIObject, method: string, path: string, status: number): string[] {
  const response = (document.paths[path] as Record<string, OperationObject>)[method].responses[String(status)] as ResponseObject | undefined;
  return Object.keys(response?.content?.['application/json']?.examples ?? {});
}

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
    expect((document.components?.securitySchemes?.bearer as { description?: string }).description).toContain('without the word "Bearer"');
    const listing = document.paths['/api/user/audio-files'].get;
    expect(listing?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/register'].post?.security).toEqual([]);
    expect(document.paths['/api/health'].get?.security).toEqual([]);
    expect(Object.keys(listing?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
  });

  it('names every operation for generated SDKs and describes it and its success', () => {
    const operations = operationsOf(buildOpenApiDocument(t.app));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(ids).toEqual(expect.arrayContaining(['register', 'login', 'listAudioFiles', 'createUploadUrl', 'registerAudioFile', 'decryptAudio']));
    for (const { method, path, operation } of operations) {
      expect({ at: `${method} ${path}`, description: operation.description ?? '' }).toEqual({
        at: `${method} ${path}`,
        description: expect.stringMatching(/\w/),
      });
      for (const [status, response] of Object.entries(operation.responses)) {
        expect({ at: `${method} ${path} ${status}`, description: (response as ResponseObject).description }).toEqual({
          at: `${method} ${path} ${status}`,
          description: expect.stringMatching(/\w/),
        });
      }
    }
  });

  it('types integers as integer, nowhere as number', () => {
    const document = buildOpenApiDocument(t.app);
    expect(JSON.stringify(document)).not.toContain('"type":"number"');
    const schemas = document.components?.schemas as Record<string, { properties: Record<string, { type?: string }> }>;
    expect(schemas.TokenPairDto.properties.expires_in.type).toBe('integer');
    expect(schemas.KdfDto.properties.memory_kib.type).toBe('integer');
    expect(schemas.StreamingParametersDto.properties.ciphertext_segment_size_bytes.type).toBe('integer');
    expect(schemas.AudioFileDto.properties.file_size.type).toBe('integer');
  });

  it('documents decrypt as JSON or binary audio, and its body as either file_id or s3_key', () => {
    const decrypt = buildOpenApiDocument(t.app).paths['/api/decrypt-audio'].post as OperationObject;
    const content = (decrypt.responses['200'] as ResponseObject).content ?? {};
    expect(content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DecryptAudioResponseDto' });
    expect(content['audio/3gpp'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(content['audio/mpeg'].schema).toEqual({ type: 'string', format: 'binary' });
    const body = decrypt.requestBody as { content: Record<string, { schema: unknown }> };
    expect(body.content['application/json'].schema).toEqual({
      oneOf: [{ $ref: '#/components/schemas/DecryptByFileIdDto' }, { $ref: '#/components/schemas/DecryptByS3KeyDto' }],
    });
  });

  it('gives each error status examples of its own codes, and declares the response headers', () => {
    const document = buildOpenApiDocument(t.app);
    expect(documentedCodes(document, 'post', '/api/register', 409)).toEqual(['EMAIL_TAKEN']);
    expect(documentedCodes(document, 'post', '/api/login', 401)).toEqual(['INVALID_CREDENTIALS']);
    expect(documentedCodes(document, 'post', '/api/decrypt-audio', 422)).toEqual(['DECRYPTION_FAILED']);
    expect(documentedCodes(document, 'post', '/api/decrypt-audio', 404)).toEqual(['NOT_FOUND', 'OBJECT_NOT_FOUND']);
    expect(documentedCodes(document, 'post', '/api/decrypt-audio', 429)).toEqual(['TOO_MANY_REQUESTS']);
    expect(documentedCodes(document, 'get', '/api/user/audio-files', 503)).toEqual(['SERVICE_UNAVAILABLE']);
    for (const { method, path, operation } of operationsOf(document)) {
      const examples = new Map<string, string>();
      for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
        expect({ at: `${method} ${path} ${status}`, headers: Object.keys(response.headers ?? {}) }).toEqual({
          at: `${method} ${path} ${status}`,
          headers: expect.arrayContaining([
            'X-Request-Id',
            ...(status === '429' || (status === '503' && path !== '/api/health/ready') ? ['Retry-After'] : []),
          ]),
        });
        for (const [code, example] of Object.entries(response.content?.['application/json']?.examples ?? {})) {
          expect((example as { value: { code: string } }).value.code).toBe(code);
          expect(examples.get(code)).toBeUndefined();
          examples.set(code, status);
        }
      }
      if ('429' in operation.responses) {
        const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1] as ResponseObject;
        expect(Object.keys(success.headers ?? {})).toEqual(expect.arrayContaining(['RateLimit-Policy', 'RateLimit']));
      }
    }
  });

  it('answers only with documented error codes, and requires a token exactly where it says so', async () => {
    const document = buildOpenApiDocument(t.app);
    const user = await registerUser(t.http);
    const file = await uploadRecording(t, user);
    const observed: Array<{ at: string; status: number; code: string }> = [];
    const record = (method: string, path: string, response: { status: number; body: { code: string } }): void => {
      observed.push({ at: `${method} ${path}`, status: response.status, code: response.body.code });
    };
    const duplicate = await t.http.post('/api/register').send({ email: user.email, password: PASSWORD });
    record('post', '/api/register', duplicate);
    const registerHeaders = Object.keys((document.paths['/api/register'].post?.responses['409'] as ResponseObject).headers ?? {});
    for (const header of ['ratelimit-policy', 'ratelimit', 'x-request-id']) {
      expect(duplicate.headers[header]).toBeDefined();
      expect(registerHeaders.map((name) => name.toLowerCase())).toContain(header);
    }
    record('post', '/api/login', await t.http.post('/api/login').send({ email: user.email, password: 'wrong-password' }));
    record('post', '/api/login', await t.http.post('/api/login').set('content-type', 'application/json').send('{"email":'));
    record('post', '/api/auth/refresh', await t.http.post('/api/auth/refresh').send({ refresh_token: `${randomUUID()}.${'a'.repeat(43)}` }));
    record('get', '/api/user/audio-files', await t.http.get('/api/user/audio-files?cursor=abc.def').set(user.auth));
    record('get', '/api/audio-files/{file_id}', await t.http.get(`/api/audio-files/${randomUUID()}`).set(user.auth));
    record('get', '/api/audio-files/{file_id}', await t.http.get('/api/audio-files/not-a-uuid').set(user.auth));
    record('post', '/api/audio-file', await t.http.post('/api/audio-file').set(user.auth).send({ s3_key: file.s3_key }));
    record(
      'post',
      '/api/decrypt-audio',
      await t.http.post('/api/decrypt-audio').set(user.auth).send({ password: 'wrong-password', file_id: file.file_id }),
    );
    record('post', '/api/decrypt-audio', await t.http.post('/api/decrypt-audio').set(user.auth).send({ password: PASSWORD, file_id: randomUUID() }));
    for (const { method, path, operation } of operationsOf(document)) {
      const url = path.replace(/\{[^}]+\}/g, randomUUID());
      const anonymous = await t.http[method as 'get'](url).set('content-type', 'application/json').send('{}');
      if ((operation.security ?? []).length > 0) record(method, path, anonymous);
      else expect({ at: `${method} ${path}`, status: anonymous.status }).not.toEqual({ at: `${method} ${path}`, status: 401 });
    }
    expect(observed.filter(({ code }) => code === 'UNAUTHORIZED')).toHaveLength(
      operationsOf(document).filter(({ operation }) => (operation.security ?? []).length > 0).length + 1,
    );
    for (const { at, status, code } of observed) {
      const [method, path] = at.split(' ');
      expect({ at, status, code, documented: documentedCodes(document, method, path, status).includes(code) }).toEqual({
        at,
        status,
        code,
        documented: true,
      });
    }
  });

  it("passes Redocly's recommended ruleset (redocly.yaml lists the exceptions and why)", async () => {
    const cli = join(__dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, 'lint', 'openapi.json', '--format=stylish'], { env }).catch(
      (error: { stdout: string; stderr: string }) => Promise.reject(new Error(`${error.stdout}\n${error.stderr}`)),
    );
    expect(`${stdout}${stderr}`).toContain('Your API description is valid');
    expect(`${stdout}${stderr}`).not.toMatch(/warning/i);
  }, 120_000);

  it('lets the explorer forgive a pasted "Bearer " prefix', () => {
    expect(explorerRequestInterceptor({ headers: { Authorization: 'Bearer Bearer abc' } }).headers.Authorization).toBe('Bearer abc');
    expect(explorerRequestInterceptor({ headers: { Authorization: 'Bearer abc' } }).headers.Authorization).toBe('Bearer abc');
  });

  it('serves the explorer at /docs and the document at /docs/openapi.json', async () => {
    const page = await t.http.get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    const json = await t.http.get('/docs/openapi.json').expect(200);
    expect(json.body.paths['/api/register']).toBeDefined();
  });
});
