/** Receives the migration's progress; the CLI picks a bar on a terminal and plain lines otherwise. */
export interface ProgressSink {
  /** `done` rows were already migrated by an earlier run (resume). */
  start(table: string, total: number, done: number): void;
  update(table: string, done: number, skipped: number): void;
  finish(table: string, done: number, skipped: number): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, finish() {} };

interface Writable {
  write(text: string): unknown;
}

const number = new Intl.NumberFormat('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

interface Run {
  total: number;
  /** Rows done when this process started on the table (resume), so the rate counts only its own work. */
  initial: number;
  startedAt: number;
  lastDrawn: number;
}

/** Rate and ETA of one table, from what this process did. */
function figures(run: Run, done: number, now: number) {
  const seconds = (now - run.startedAt) / 1000;
  const rate = seconds > 0 ? (done - run.initial) / seconds : 0;
  const remaining = Math.max(0, run.total - done);
  return { rate, eta: rate > 0 ? remaining / rate : Number.POSITIVE_INFINITY, percent: run.total > 0 ? (done / run.total) * 100 : 100 };
}

abstract class TimedProgress implements ProgressSink {
  protected readonly runs = new Map<string, Run>();

  constructor(
    protected readonly out: Writable,
    private readonly intervalMs: number,
    protected readonly now: () => number = Date.now,
  ) {}

  start(table: string, total: number, done: number): void {
    this.runs.set(table, { total, initial: done, startedAt: this.now(), lastDrawn: 0 });
    this.draw(table, done, 0, false);
  }

  update(table: string, done: number, skipped: number): void {
    const run = this.runs.get(table);
    if (!run || this.now() - run.lastDrawn < this.intervalMs) return;
    this.draw(table, done, skipped, false);
  }

  finish(table: string, done: number, skipped: number): void {
    this.draw(table, done, skipped, true);
    this.runs.delete(table);
  }

  private draw(table: string, done: number, skipped: number, final: boolean): void {
    const run = this.runs.get(table);
    if (!run) return;
    run.lastDrawn = this.now();
    this.render(table, run, done, skipped, final);
  }

  protected abstract render(table: string, run: Run, done: number, skipped: number, final: boolean): void;
}

/** One line redrawn in place: `users [██████░░░░]  60%  6,000/10,000 rows  3,100 rows/s  ETA 0:01  skipped 2`. */
export class TerminalProgress extends TimedProgress {
  constructor(
    out: Writable,
    now?: () => number,
    private readonly width = 24,
  ) {
    super(out, 100, now);
  }

  protected render(table: string, run: Run, done: number, skipped: number, final: boolean): void {
    const { rate, eta, percent } = figures(run, done, this.now());
    const filled = Math.min(this.width, Math.round((percent / 100) * this.width));
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    const tail = final ? `done in ${formatDuration((this.now() - run.startedAt) / 1000)}` : `ETA ${formatDuration(eta)}`;
    this.out.write(
      `\x1b[2K\r${table.padEnd(11)} [${bar}] ${percent.toFixed(0).padStart(3)}%  ${number.format(done)}/${number.format(run.total)} rows  ` +
        `${number.format(Math.round(rate))} rows/s  ${tail}  skipped ${number.format(skipped)}${final ? '\n' : ''}`,
    );
  }
}

/** Plain lines for logs and CI: `progress table=users done=6000 total=10000 percent=60.0 rate=3100/s eta=1s skipped=2`. */
export class LineProgress extends TimedProgress {
  constructor(out: Writable, intervalMs = 5000, now?: () => number) {
    super(out, intervalMs, now);
  }

  protected render(table: string, run: Run, done: number, skipped: number, final: boolean): void {
    const { rate, eta, percent } = figures(run, done, this.now());
    this.out.write(
      `progress table=${table} done=${done} total=${run.total} percent=${percent.toFixed(1)} rate=${Math.round(rate)}/s ` +
        `${final ? `elapsed=${((this.now() - run.startedAt) / 1000).toFixed(1)}s` : `eta=${Number.isFinite(eta) ? `${Math.round(eta)}s` : '?'}`} ` +
        `skipped=${skipped}${final ? ' finished' : ''}\n`,
    );
  }
}
