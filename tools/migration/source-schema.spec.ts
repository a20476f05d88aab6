import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addIgnoredColumns, defaultMapping, MappingError, parseMapping } from './source-schema';

describe('column mapping', () => {
  it('defaults to the design’s schema', () => {
    expect(parseMapping(undefined)).toEqual(defaultMapping());
    expect(defaultMapping().users).toEqual({
      table: 'users',
      columns: { user_id: 'user_id', email: 'email', password_hash: 'password_hash', key_salt: 'key_salt', created_at: 'created_at' },
      ignore: [],
    });
  });

  it('reads inline JSON or a file, overriding only what it names', () => {
    const json = '{"schema":"old","users":{"table":"accounts","columns":{"user_id":"id"},"ignore":["nickname"]}}';
    const folder = mkdtempSync(join(tmpdir(), 'mapping-'));
    writeFileSync(join(folder, 'm.json'), json);
    for (const mapping of [parseMapping(json), parseMapping(join(folder, 'm.json'))]) {
      expect(mapping.schema).toBe('old');
      expect(mapping.users).toMatchObject({ table: 'accounts', ignore: ['nickname'], columns: { user_id: 'id', email: 'email' } });
      expect(mapping.audio_files).toEqual(defaultMapping().audio_files);
    }
  });

  it.each([
    ['{"user":{}}', /unknown key "user"/],
    ['{"users":{"columns":{"mail":"x"}}}', /unknown column "mail"/],
    ['{"users":{"columns":{"email":""}}}', /non-empty string/],
    ['{"users":{"columns":{"email":"user_id"}}}', /same physical column/],
    ['{"users":{"tabel":"x"}}', /unknown key "tabel"/],
    ['{nope', /not valid JSON/],
    ['/no/such/file.json', /neither JSON nor an existing file/],
  ])('refuses %s', (input, message) => {
    expect(() => parseMapping(input)).toThrow(MappingError);
    expect(() => parseMapping(input)).toThrow(message);
  });

  it('adds --ignore-columns to each table', () => {
    const mapping = addIgnoredColumns(defaultMapping(), 'users.nickname, audio_files.duration');
    expect(mapping.users.ignore).toEqual(['nickname']);
    expect(mapping.audio_files.ignore).toEqual(['duration']);
    expect(() => addIgnoredColumns(defaultMapping(), 'nickname')).toThrow(/users.<column>/);
  });
});
