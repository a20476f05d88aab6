import { BatchedLines } from './logging';

describe('BatchedLines', () => {
  function recorder(): { chunks: string[]; synced: number; write(chunk: string): void; flushSync(): void } {
    return {
      chunks: [],
      synced: 0,
      write(chunk) {
        this.chunks.push(chunk);
      },
      flushSync() {
        this.synced++;
      },
    };
  }

  it('writes the lines in order, one chunk once a batch is full', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 10);
    lines.write('one\n');
    lines.write('two\n');
    expect(out.chunks).toEqual([]);
    lines.write('three\n');
    expect(out.chunks).toEqual(['one\ntwo\nthree\n']);
    lines.write('four\n');
    expect(out.chunks).toEqual(['one\ntwo\nthree\n']);
  });

  it('writes a partial batch when flushed, and nothing when empty', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 4096);
    lines.flush();
    expect(out.chunks).toEqual([]);
    lines.write('one\n');
    lines.flush();
    expect(out.chunks).toEqual(['one\n']);
  });

  it('hands what is queued to the stream and flushes it synchronously at exit', () => {
    const out = recorder();
    const lines = new BatchedLines(out, 4096);
    lines.write('last\n');
    lines.flushSync();
    expect(out.chunks).toEqual(['last\n']);
    expect(out.synced).toBe(1);
  });
});
