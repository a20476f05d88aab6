/**
 * Errors that repositories raise instead of HTTP exceptions. Services translate the ones they expect;
 * the global filter renders `DependencyUnavailableError` as 503.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    override readonly cause: unknown,
  ) {
    super(`${dependency} is unavailable`);
    this.name = 'DependencyUnavailableError';
  }
}
