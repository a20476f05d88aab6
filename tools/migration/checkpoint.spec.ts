import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addWarnings, CheckpointError, CheckpointStore, newState, sameJob, WARNING_EXAMPLES } from './checkpoint';
import { OrderedCommits } from './scheduler';

const JOB = { source: 'postgres://u@h/db', mapping: { schema: 'public' }, target: { dynamodb: 'local', users: 'u', audio_files: 'a' } };

describe('checkpoint', () => {
  it('saves atomically and loads what it saved', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cp-')), 'nested', 'checkpoint.json');
    const store = new CheckpointStore(path);
    const state = newState(JOB, new Date());
    state.tables.users.lastKey = 'abc';
    await store.save(state);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect((await store.load())?.tables.users.lastKey).toBe('abc');
  });

  it('refuses a file that is not a checkpoint', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cp-')), 'checkpoint.json');
    writeFileSync(path, '{"hello":1}');
    await expect(new CheckpointStore(path).load()).rejects.toBeInstanceOf(CheckpointError);
    writeFileSync(path, '{');
    await expect(new CheckpointStore(path).load()).rejects.toThrow(/not readable JSON/);
  });

  it('coalesces scheduled saves', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cp-')), 'checkpoint.json');
    const store = new CheckpointStore(path, 10);
    const state = newState(JOB, new Date());
    for (let n = 0; n < 50; n++) {
      state.tables.audio_files.processed = n;
      store.schedule(state);
    }
    for (let waited = 0; !existsSync(path) && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.parse(readFileSync(path, 'utf8')).tables.audio_files.processed).toBe(49);
  });

  it('tells jobs apart whatever the key order', () => {
    expect(sameJob(JOB, { target: { audio_files: 'a', users: 'u', dynamodb: 'local' }, mapping: { schema: 'public' }, source: JOB.source })).toBe(
      true,
    );
    expect(sameJob(JOB, { ...JOB, target: { ...JOB.target, users: 'other' } })).toBe(false);
  });

  it('counts every warning and keeps the first examples', () => {
    const state = newState(JOB, new Date());
    addWarnings(
      state,
      Array.from({ length: WARNING_EXAMPLES + 5 }, (_, n) => ({
        table: 'audio_files' as const,
        key: String(n),
        code: 's3_key_outside_api_pattern' as const,
        message: 'm',
      })),
    );
    expect(state.warnings.s3_key_outside_api_pattern?.count).toBe(WARNING_EXAMPLES + 5);
    expect(state.warnings.s3_key_outside_api_pattern?.examples).toHaveLength(WARNING_EXAMPLES);
  });
});

describe('OrderedCommits', () => {
  it('commits in start order whatever the finishing order', () => {
    const committed: string[] = [];
    const commits = new OrderedCommits<string>((value) => committed.push(value));
    const [a, b, c] = [commits.begin(), commits.begin(), commits.begin()];
    commits.complete(c, 'c');
    commits.complete(b, 'b');
    expect(committed).toEqual([]);
    commits.complete(a, 'a');
    expect(committed).toEqual(['a', 'b', 'c']);
  });
});
