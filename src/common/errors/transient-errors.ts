import { isNetworkFailure } from './network-errors';

/**
 * Why an AWS call failed, when the request itself was not wrong:
 * - `throttled`: too many requests for now (DynamoDB throughput, S3 SlowDown);
 * - `transient`: the service or the network failed this once (5xx, timeouts, refused or reset connections);
 * - `deployment`: missing credentials, a missing table or bucket: nothing a retry mends, yet to a
 *   client the service is simply unavailable (and the 5xx alarm tells the operator).
 */
type FailureCause = 'throttled' | 'transient' | 'deployment';

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
]);
const TRANSIENT_ERRORS = new Set([
  'TimeoutError',
  'InternalServerError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionInProgressException',
]);
const DEPLOYMENT_ERRORS = new Set([
  'ResourceNotFoundException',
  'NoSuchBucket',
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'AccessDeniedException',
]);

/** The one classification of AWS failures (DynamoDB, S3, the migration); undefined for a request that is wrong. */
export function failureCause(error: unknown): FailureCause | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof name === 'string' && THROTTLING_ERRORS.has(name)) return 'throttled';
  if (typeof name === 'string' && DEPLOYMENT_ERRORS.has(name)) return 'deployment';
  if ((typeof name === 'string' && TRANSIENT_ERRORS.has(name)) || isNetworkFailure(error) || ($metadata?.httpStatusCode ?? 0) >= 500)
    return 'transient';
  return undefined;
}

/** "The dependency cannot answer now" (a 503 to clients), as opposed to "this request is wrong". */
export function isUnavailable(error: unknown): boolean {
  return failureCause(error) !== undefined;
}

/** Worth sending again as it is: throttling and transient failures, never a deployment fault. */
export function retryCause(error: unknown): 'throttled' | 'transient' | undefined {
  const cause = failureCause(error);
  return cause === 'deployment' ? undefined : cause;
}
