import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { testConfig } from '../../test/fakes/config';
import { scriptedDocumentClient } from '../../test/fakes/scripted-document-client';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { DynamoDbRepository, TransactionItem } from './dynamodb.repository';

class Repository extends DynamoDbRepository {
  protected readonly table = 'users';

  write(items: TransactionItem[]): Promise<number[]> {
    return this.transactWrite(items);
  }
  run<T>(operation: () => Promise<T>): Promise<T> {
    return this.call(operation);
  }
}

const named = (name: string, extra: object = {}): Error => Object.assign(new Error(name), { name, ...extra });

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function repositoryFailingWith(...errors: Error[]): { repository: Repository; calls: () => number } {
  const { documents, calls } = scriptedDocumentClient(...errors);
  return { repository: new Repository(documents, testConfig()), calls };
}

describe('DynamoDB errors seen by clients', () => {
  it('wraps an outage in DependencyUnavailableError and passes other errors through', async () => {
    await expect(
      repositoryFailingWith(named('ThrottlingException')).repository.run(() => Promise.reject(named('ThrottlingException'))),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
    const validation = named('ValidationException');
    await expect(repositoryFailingWith().repository.run(() => Promise.reject(validation))).rejects.toBe(validation);
  });

  it('reports failed conditions of a transaction by position', async () => {
    const { repository } = repositoryFailingWith(cancelled('None', 'ConditionalCheckFailed'));
    await expect(repository.write([])).resolves.toEqual([1]);
  });

  it('turns a throttled transaction into a 503, not a 500', async () => {
    const { repository } = repositoryFailingWith(cancelled('ThrottlingError', 'None'));
    await expect(repository.write([])).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('retries a transaction conflict, then gives up with a 503', async () => {
    const { repository, calls } = repositoryFailingWith(cancelled('TransactionConflict'));
    await expect(repository.write([])).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(calls()).toBe(5);
  });

  it('succeeds when a conflict clears on a later attempt', async () => {
    const { repository, calls } = repositoryFailingWith(cancelled('TransactionConflict'), undefined as unknown as Error);
    await expect(repository.write([])).resolves.toEqual([]);
    expect(calls()).toBe(2);
  });
});
