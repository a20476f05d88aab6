import { Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { applyHttpPipeline, createAdapter } from '../../src/app.factory';
import { AccessTokens } from '../../src/auth/access-tokens';
import { jwtOptions } from '../../src/auth/auth.module';
import { JwtAuthGuard } from '../../src/auth/jwt-auth.guard';
import { SessionsService } from '../../src/sessions/sessions.service';
import { TokenKeys } from '../../src/auth/token-keys';
import { AppConfig } from '../../src/config/app-config';
import { automock } from '../fakes/automock';
import { testConfig } from '../fakes/config';

export interface ControllerApp {
  /** A supertest agent on the app. */
  http(): TestAgent;
  /** The Authorization header of a valid access token for `userId` in session `sessionId`. */
  bearer(userId: string, sessionId?: string): { Authorization: string };
  /** The automock standing in for `type` (what the spec programs and asserts on). */
  get<T>(type: Type<T>): jest.Mocked<T>;
}

/**
 * Registers the hooks of a controller spec: before all tests, the controller behind the application's
 * own HTTP pipeline (body parser, request ids, validation pipe, exception filter: `applyHttpPipeline`)
 * and its real global JWT guard, with its collaborators faked; before each test, every automock is
 * reset; after all, the app is closed. A class in `providers` becomes an automock (ready at once);
 * other providers are taken as they are. The guard's session check is the faked
 * `SessionsService.isActive`, which answers "active" unless told otherwise.
 */
export function controllerSpec(controller: Type, providers: (Type | Provider)[]): ControllerApp {
  const config = testConfig();
  const mocks = new Map<unknown, jest.Mocked<Record<string, jest.Mock>>>();
  const faked = (type: Type): Provider => {
    const mock = automock(type) as jest.Mocked<Record<string, jest.Mock>>;
    mocks.set(type, mock);
    return { provide: type, useValue: mock };
  };
  const given = providers.map((provider) => (typeof provider === 'function' ? faked(provider) : provider));
  if (!mocks.has(SessionsService)) given.push(faked(SessionsService));
  const sessions = mocks.get(SessionsService) as unknown as jest.Mocked<SessionsService>;
  const signer = new JwtService(jwtOptions(config));
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [controller],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: TokenKeys, useValue: new TokenKeys(config.jwt) },
        { provide: JwtService, useValue: signer },
        AccessTokens,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        ...given,
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), { logger: false, bodyParser: false });
    applyHttpPipeline(app, config.http.bodyLimitBytes);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  beforeEach(() => {
    for (const mock of mocks.values()) Object.values(mock).forEach((fn) => fn.mockReset());
    sessions.isActive.mockResolvedValue(true);
  });
  afterAll(() => app.close());

  return {
    http: () => request(app.getHttpServer()),
    bearer: (userId, sessionId = randomUUID()) => ({ Authorization: `Bearer ${signer.sign({ sub: userId, sid: sessionId })}` }),
    get: <T>(type: Type<T>) => {
      const mock = mocks.get(type);
      if (!mock) throw new Error(`${type.name} is not automocked in this spec`);
      return mock as unknown as jest.Mocked<T>;
    },
  };
}
