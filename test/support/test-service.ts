import { DynamicModule, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AccountsModule } from '../../src/accounts/accounts.module';
import { AudioFilesModule } from '../../src/audio-files/audio-files.module';
import { AudioFilesRepository } from '../../src/audio-files/audio-files.repository';
import { AuthModule } from '../../src/auth/auth.module';
import { AppConfig } from '../../src/config/app-config';
import { DatabaseHealthRepository } from '../../src/database/database-health.repository';
import { DecryptJobsRepository } from '../../src/decrypt/decrypt-jobs.repository';
import { DecryptModule } from '../../src/decrypt/decrypt.module';
import { Mailer } from '../../src/mail/mailer';
import { RateLimitsRepository } from '../../src/rate-limits/rate-limits.repository';
import { AccountTokensRepository } from '../../src/recovery/account-tokens/account-tokens.repository';
import { RecoveryModule } from '../../src/recovery/recovery.module';
import { SessionsModule } from '../../src/sessions/sessions.module';
import { SessionsRepository } from '../../src/sessions/sessions.repository';
import { ObjectStorage } from '../../src/storage/object-storage';
import { UsersModule } from '../../src/users/users.module';
import { UsersRepository } from '../../src/users/users.repository';
import { autoFake } from '../fakes/automock';
import { testConfig } from '../fakes/config';
import { InMemoryAccountTokensRepository } from '../fakes/in-memory-account-tokens';
import { InMemoryAudioFilesRepository } from '../fakes/in-memory-audio-files.repository';
import { InMemoryDatabaseHealth } from '../fakes/in-memory-database-health';
import { InMemoryDecryptJobs } from '../fakes/in-memory-decrypt-jobs';
import { InMemoryMailer } from '../fakes/in-memory-mailer';
import { InMemoryObjectStorage } from '../fakes/in-memory-object-storage';
import { InMemoryRateLimitsRepository } from '../fakes/in-memory-rate-limits';
import { InMemorySessionsRepository } from '../fakes/in-memory-sessions';
import { InMemoryUsersRepository } from '../fakes/in-memory-users.repository';

/** Every repository of the service, each an in-memory fake whose methods are jest.fn (see autoFake). */
export interface FakeRepositories {
  users: jest.Mocked<InMemoryUsersRepository>;
  audioFiles: jest.Mocked<InMemoryAudioFilesRepository>;
  sessions: jest.Mocked<InMemorySessionsRepository>;
  rateLimits: jest.Mocked<InMemoryRateLimitsRepository>;
  decryptJobs: jest.Mocked<InMemoryDecryptJobs>;
  storage: jest.Mocked<InMemoryObjectStorage>;
  databaseHealth: jest.Mocked<InMemoryDatabaseHealth>;
  accountTokens: jest.Mocked<InMemoryAccountTokensRepository>;
  mailer: jest.Mocked<InMemoryMailer>;
}

/** The DI token (the abstract repository) each fake stands in for. */
const REPOSITORY_TOKENS: Record<keyof FakeRepositories, abstract new () => unknown> = {
  users: UsersRepository,
  audioFiles: AudioFilesRepository,
  sessions: SessionsRepository,
  rateLimits: RateLimitsRepository,
  decryptJobs: DecryptJobsRepository,
  storage: ObjectStorage,
  databaseHealth: DatabaseHealthRepository,
  accountTokens: AccountTokensRepository,
  mailer: Mailer,
};

/** The modules that hold the services; the infrastructure modules (config, DynamoDB, S3, logging) are replaced. */
const FEATURE_MODULES = [UsersModule, SessionsModule, RecoveryModule, AuthModule, AudioFilesModule, DecryptModule, AccountsModule];

/** Fresh fakes; the audio files fake checks owners against `users`. */
export function newFakeRepositories(users = autoFake(new InMemoryUsersRepository())): FakeRepositories {
  return {
    users,
    audioFiles: autoFake(new InMemoryAudioFilesRepository(users)),
    sessions: autoFake(new InMemorySessionsRepository()),
    rateLimits: autoFake(new InMemoryRateLimitsRepository()),
    decryptJobs: autoFake(new InMemoryDecryptJobs()),
    storage: autoFake(new InMemoryObjectStorage()),
    databaseHealth: autoFake(new InMemoryDatabaseHealth()),
    accountTokens: autoFake(new InMemoryAccountTokensRepository()),
    mailer: autoFake(new InMemoryMailer()),
  };
}

export interface TestServiceOptions {
  /** Environment variables on top of the unit-test configuration. */
  env?: Record<string, string>;
  /** Fakes to use instead of fresh ones, for example another test service's, to share its state. */
  repositories?: Partial<FakeRepositories>;
}

export interface TestService<T> {
  sut: T;
  repositories: FakeRepositories;
  config: AppConfig;
  /** Another provider of the same graph (a collaborating service, the password hasher, the JWT service). */
  get<U>(type: Type<U>): U;
}

class FakeInfrastructureModule {}

/**
 * The way Immich's `newTestService` does it: the service under test as the application wires it (the
 * real modules, so its collaborators and constructor stay whatever the code says), with every
 * repository faked in memory and a valid unit-test configuration. Lifecycle hooks have run.
 */
export async function newTestService<T>(service: Type<T>, { env = {}, repositories = {} }: TestServiceOptions = {}): Promise<TestService<T>> {
  const config = testConfig(env);
  const fakes: FakeRepositories = { ...newFakeRepositories(repositories.users), ...repositories };
  const bindings = (Object.keys(REPOSITORY_TOKENS) as (keyof FakeRepositories)[]).map((name) => ({
    provide: REPOSITORY_TOKENS[name],
    useValue: fakes[name],
  }));
  const infrastructure: DynamicModule = {
    module: FakeInfrastructureModule,
    global: true,
    providers: [{ provide: AppConfig, useValue: config }, ...bindings],
    exports: [AppConfig, ...bindings.map((binding) => binding.provide)],
  };
  let builder = Test.createTestingModule({ imports: [infrastructure, ...FEATURE_MODULES] });
  for (const { provide, useValue } of bindings) builder = builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  const get = <U>(type: Type<U>): U => moduleRef.get(type, { strict: false });
  return { sut: get(service), repositories: fakes, config, get };
}
