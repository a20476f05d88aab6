import { failureCause, isUnavailable, retryCause } from './transient-errors';

const named = (name: string, extra: object = {}): Error => Object.assign(new Error(name), { name, ...extra });

describe('one classification of AWS failures (DynamoDB, S3 and the migration)', () => {
  it.each([
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'TimeoutError',
    'InternalServerError',
    'TransactionInProgressException',
    'CredentialsProviderError',
    'ExpiredTokenException',
    'AccessDeniedException',
    'SlowDown',
    'NoSuchBucket',
    'ExpiredToken',
  ])('%s means "unavailable" (503)', (name) => {
    expect(isUnavailable(named(name))).toBe(true);
  });

  it('counts refused and reset connections and 5xx answers as unavailable, a bad request not', () => {
    expect(isUnavailable(named('Error', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(new Error('AWS SDK error wrapper for Error: read ECONNRESET'))).toBe(true);
    expect(isUnavailable(named('UnknownError', { $metadata: { httpStatusCode: 502 } }))).toBe(true);
    expect(isUnavailable(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isUnavailable(named('NoSuchKey', { $metadata: { httpStatusCode: 404 } }))).toBe(false);
  });

  it('retries only what can succeed later: never a deployment fault or a bad request', () => {
    expect(retryCause(named('RequestLimitExceeded'))).toBe('throttled');
    expect(retryCause(named('SlowDown'))).toBe('throttled');
    expect(retryCause(named('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe('transient');
    expect(retryCause(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(failureCause(named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }))).toBe('deployment');
    expect(retryCause(named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }))).toBeUndefined();
    expect(retryCause(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBeUndefined();
    expect(retryCause('not an error')).toBeUndefined();
  });
});
