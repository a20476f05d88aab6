import { CanActivate, ExecutionContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { applyHttpPipeline, createAdapter } from '../app.factory';
import { AudioFilesController } from './audio-files.controller';
import { AudioFilesService } from './audio-files.service';

const CALLER = '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11';

/** Stands in for the JWT guard: the controller tier tests the HTTP pipeline, not authentication. */
class FakeAuthentication implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest().user = { userId: CALLER };
    return true;
  }
}

describe('AudioFilesController (HTTP pipeline, service faked)', () => {
  let app: NestFastifyApplication;
  const service = {
    create: jest.fn(),
    list: jest.fn(),
    getOwned: jest.fn(),
    openKeyIds: jest.fn(),
  };
  const uploadedAt = new Date('2026-11-25T14:34:27.123Z');

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [AudioFilesController],
      providers: [{ provide: AudioFilesService, useValue: service }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), { logger: false, bodyParser: false });
    applyHttpPipeline(app, 16 * 1024);
    app.useGlobalGuards(new FakeAuthentication());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());
  beforeEach(() => jest.resetAllMocks());

  it('passes a valid body to the service as the caller and renders the seed shape (201)', async () => {
    service.create.mockResolvedValue({ id: 'f1', userId: CALLER, s3Key: 'users/u/a.3gp', fileSize: 3, uploadedAt, keyId: 1 });
    const response = await request(app.getHttpServer())
      .post('/api/audio-file')
      .send({ s3_key: 'users/u/a.3gp', file_size: 3 })
      .expect(201);
    expect(service.create).toHaveBeenCalledWith(CALLER, { s3_key: 'users/u/a.3gp', file_size: 3 });
    expect(response.body).toEqual({
      audio_file: { file_id: 'f1', user_id: CALLER, s3_key: 'users/u/a.3gp', file_size: 3, uploaded_at: '2026-11-25T14:34:27.123Z', key_id: 1, locked: false },
    });
  });

  it.each([
    [{ s3_key: 'users/u/a.3gp', file_size: 'big' }, 'file_size'],
    [{ s3_key: 'users/u/a.3gp', file_size: -3 }, 'file_size'],
    [{ s3_key: 42, file_size: 3 }, 's3_key'],
    [{ s3_key: 'users/u/a.3gp', owner: CALLER }, 'owner'],
  ])('refuses %j with 400 naming %s, without calling the service', async (body, field) => {
    const response = await request(app.getHttpServer()).post('/api/audio-file').send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })] });
    expect(service.create).not.toHaveBeenCalled();
  });

  it('turns the query into a number with a default of 50', async () => {
    service.list.mockResolvedValue({ files: [], nextCursor: null });
    await request(app.getHttpServer()).get('/api/user/audio-files').expect(200, { audio_files: [], next_cursor: null });
    expect(service.list).toHaveBeenCalledWith(CALLER, 50, undefined);
    await request(app.getHttpServer()).get('/api/user/audio-files?limit=7&cursor=abc.def').expect(200);
    expect(service.list).toHaveBeenLastCalledWith(CALLER, 7, 'abc.def');
  });

  it('refuses repeated query parameters and a bad file id without calling the service', async () => {
    await request(app.getHttpServer()).get('/api/user/audio-files?limit=5&limit=6').expect(400);
    await request(app.getHttpServer()).get('/api/audio-files/abc').expect(400);
    expect(service.list).not.toHaveBeenCalled();
    expect(service.getOwned).not.toHaveBeenCalled();
  });

  it('renders an unexpected service failure as a 500 envelope without internals', async () => {
    service.list.mockRejectedValue(new Error('secret internal detail'));
    const response = await request(app.getHttpServer()).get('/api/user/audio-files').expect(500);
    expect(response.body).toEqual({ error: 'Internal server error', code: 'INTERNAL_ERROR', request_id: expect.any(String) });
  });
});
