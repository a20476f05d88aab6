import { performance } from 'node:perf_hooks';

/** Latency samples in milliseconds; grows without copying every sample into a JS array. */
export class Samples {
  private values = new Float64Array(1 << 14);
  private count = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  get size(): number {
    return this.count;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.count).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      samples: this.count,
      meanMs: round(this.count ? sum / this.count : NaN),
      p50Ms: round(percentile(sorted, 50)),
      p90Ms: round(percentile(sorted, 90)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(this.count ? sorted[this.count - 1] : NaN),
    };
  }
}

export interface LatencySummary {
  samples: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface LoopResult extends LatencySummary {
  concurrency: number;
  durationSeconds: number;
  /** Completed operations per second. */
  perSecond: number;
  errors: number;
  firstError?: string;
}

/**
 * Closed loop: `concurrency` workers each run `operation` back to back until `durationMs` has passed.
 * The same shape of load autocannon puts on the service, without HTTP.
 */
export async function closedLoop(concurrency: number, durationMs: number, operation: () => Promise<unknown>): Promise<LoopResult> {
  const samples = new Samples();
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const began = performance.now();
      try {
        await operation();
        samples.add(performance.now() - began);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const durationSeconds = (performance.now() - start) / 1000;
  return {
    concurrency,
    durationSeconds: round(durationSeconds),
    perSecond: round(samples.size / durationSeconds, 1),
    errors,
    firstError,
    ...samples.summary(),
  };
}
