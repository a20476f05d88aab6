import { CursorCodec } from './cursor-codec';

describe('CursorCodec', () => {
  const codec = new CursorCodec('a-secret-a-secret-a-secret-a-secret', 'listing');

  it('round-trips a payload', () => {
    expect(codec.decode(codec.encode({ u: 'user', t: 1, f: 'file' }))).toEqual({ u: 'user', t: 1, f: 'file' });
  });

  it('refuses altered, truncated, re-signed or foreign cursors', () => {
    const cursor = codec.encode({ u: 'user', t: 1 });
    const [body, mac] = cursor.split('.');
    const altered = Buffer.from(JSON.stringify({ u: 'other', t: 1 })).toString('base64url');
    expect(codec.decode(`${altered}.${mac}`)).toBeUndefined();
    expect(codec.decode(`${body}.${mac.slice(0, -2)}`)).toBeUndefined();
    expect(codec.decode(body)).toBeUndefined();
    expect(codec.decode(`${cursor}.extra`)).toBeUndefined();
    expect(new CursorCodec('a-secret-a-secret-a-secret-a-secret', 'other-purpose').decode(cursor)).toBeUndefined();
    expect(new CursorCodec('another-secret-another-secret-another', 'listing').decode(cursor)).toBeUndefined();
  });
});
