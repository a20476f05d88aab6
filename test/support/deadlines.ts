/**
 * Deadlines in tests check "bounded", not "fast": each is derived from the timeouts the test
 * configures, then widened for a loaded 2-core machine (shared with other test runs, where a
 * process may wait seconds for a core). A bound that fails means the behaviour is unbounded, not slow.
 */
const LOADED_MACHINE_FACTOR = 2;
const SCHEDULING_SLACK_MS = 3000;

/** The SDK's largest retry delay base (throttling errors; 100 ms for others) and its doubling per retry. */
const SDK_THROTTLING_RETRY_BASE_MS = 500;

/** What a configured duration may take on a loaded machine. */
export function onLoadedMachine(configuredMs: number): number {
  return configuredMs * LOADED_MACHINE_FACTOR + SCHEDULING_SLACK_MS;
}

/**
 * The longest one DynamoDB call may take by configuration (`DYNAMODB_TIMEOUT_MS` per attempt,
 * `DYNAMODB_MAX_ATTEMPTS` attempts, the SDK's backoff between them), on a loaded machine.
 */
export function dynamoDbCallBound(timeoutMs: number, attempts: number): number {
  const backoffMs = SDK_THROTTLING_RETRY_BASE_MS * (2 ** attempts - 2);
  return onLoadedMachine(attempts * timeoutMs + backoffMs);
}
