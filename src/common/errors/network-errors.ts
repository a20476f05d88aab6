const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
const NETWORK_CODE_IN_MESSAGE = new RegExp(`\\b(${NETWORK_CODES.join('|')})\\b`);

/**
 * True when a dependency could not be reached at all. The AWS SDK sometimes re-wraps socket errors
 * after its retries ("AWS SDK error wrapper for Error: connect ECONNREFUSED …"), keeping the code
 * only in the message, so both are checked.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && NETWORK_CODES.includes(code)) || (typeof message === 'string' && NETWORK_CODE_IN_MESSAGE.test(message));
}
