import { formatDuration, LineProgress, ProgressSink, TerminalProgress } from './progress';

/** A progress display that writes into `out`, on a clock the test advances. */
function recorded(display: (sink: { write: (text: string) => void }, now: () => number) => ProgressSink) {
  const out: string[] = [];
  let now = 1_000_000;
  const progress = display({ write: (text) => out.push(text) }, () => now);
  return { out, progress, advance: (ms: number) => (now += ms) };
}

describe('progress', () => {
  it('prints plain lines with rate and ETA, at most once per interval, and a final line', () => {
    const { out, progress, advance } = recorded((sink, now) => new LineProgress(sink, 5000, now));
    progress.start('users', 10_000, 0);
    advance(2000);
    progress.update('users', 4000, 1);
    advance(3000);
    progress.update('users', 5000, 1);
    advance(5000);
    progress.finish('users', 10_000, 2);
    expect(out).toEqual([
      'progress table=users done=0 total=10000 percent=0.0 rate=0/s eta=? skipped=0\n',
      'progress table=users done=5000 total=10000 percent=50.0 rate=1000/s eta=5s skipped=1\n',
      'progress table=users done=10000 total=10000 percent=100.0 rate=1000/s elapsed=10.0s skipped=2 finished\n',
    ]);
  });

  it('counts only this run’s rows in the rate of a resumed table', () => {
    const { out, progress, advance } = recorded((sink, now) => new LineProgress(sink, 0, now));
    progress.start('audio_files', 1000, 600);
    advance(1000);
    progress.update('audio_files', 800, 0);
    expect(out[1]).toBe('progress table=audio_files done=800 total=1000 percent=80.0 rate=200/s eta=1s skipped=0\n');
  });

  it('draws a bar in place on a terminal', () => {
    const { out, progress, advance } = recorded((sink, now) => new TerminalProgress(sink, now, 10));
    progress.start('users', 100, 0);
    advance(1000);
    progress.update('users', 50, 3);
    advance(1000);
    progress.finish('users', 100, 3);
    expect(out[1]).toBe('\x1b[2K\rusers       [█████░░░░░]  50%  50/100 rows  50 rows/s  ETA 0:01  skipped 3');
    expect(out[2]).toMatch(/\[██████████\] 100% {2}100\/100 rows {2}50 rows\/s {2}done in 0:02 {2}skipped 3\n$/);
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
