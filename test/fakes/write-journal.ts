import { DependencyUnavailableError } from '../../src/common/errors/domain.errors';

/**
 * Records each committed write of the repositories it wraps, and fails the request right after the
 * chosen one committed: for walking a multi-step operation through a fault after every step.
 */
export class WriteJournal {
  readonly steps: string[] = [];
  private failAfter = Number.POSITIVE_INFINITY;
  faulted = false;

  /** `writes`: the names of the methods that change something. */
  constructor(private readonly writes: ReadonlySet<string>) {}

  failAfterStep(step: number): void {
    this.failAfter = step;
    this.faulted = false;
  }

  record(step: string): void {
    this.steps.push(step);
    if (this.steps.length === this.failAfter) {
      this.faulted = true;
      throw new DependencyUnavailableError('DynamoDB', new Error(`simulated outage after ${step}`));
    }
  }

  /** `target` with every write recorded (after it completed) under `name`. */
  wrap<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== 'function' || !this.writes.has(String(property))) return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          this.record(`${name}.${String(property)}`);
          return result;
        };
      },
    });
  }
}
