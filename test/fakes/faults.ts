import { DependencyUnavailableError } from '../../src/common/errors/domain.errors';

/** What a repository throws when DynamoDB cannot answer. */
export function dynamoDbUnavailable(cause = 'connection refused'): DependencyUnavailableError {
  return new DependencyUnavailableError('DynamoDB', new Error(cause));
}

/**
 * Makes a faked repository method commit its write and then fail, as a lost DynamoDB response would:
 * the caller sees an outage although the write is stored.
 */
export function commitThenFail<A extends unknown[], R>(method: jest.MockInstance<Promise<R>, A>): void {
  const commit = method.getMockImplementation();
  if (!commit) throw new Error('commitThenFail needs a faked method that writes (see autoFake)');
  method.mockImplementation(async (...args: A) => {
    await commit(...args);
    throw dynamoDbUnavailable('connection reset after the write');
  });
}
