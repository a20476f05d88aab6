import { ExpiringCache, ReadThroughCache } from './expiring-cache';

describe('ExpiringCache', () => {
  it('forgets entries after their time to live', () => {
    let now = 1000;
    const cache = new ExpiringCache<string, number>(100, 10, () => now);
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    now += 100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the oldest entry when full', () => {
    const cache = new ExpiringCache<string, number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('stores nothing with a zero time to live', () => {
    const cache = new ExpiringCache<string, number>(0, 2);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('ReadThroughCache', () => {
  it('reads a missing key once for callers arriving together, then answers from the cache', async () => {
    const read = jest.fn(async (key: string) => key.length);
    const cache = new ReadThroughCache(60_000, 10, read);
    expect(await Promise.all([cache.get('abc'), cache.get('abc')])).toEqual([3, 3]);
    expect(await cache.get('abc')).toBe(3);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('keeps out of the cache the answer of a read that a forget overtook, and reads again after it', async () => {
    let stored = 1;
    let release: () => void = () => undefined;
    const read = jest.fn((): Promise<number> => {
      const answer = stored;
      return new Promise((resolve) => (release = () => resolve(answer)));
    });
    const cache = new ReadThroughCache(60_000, 10, read);
    const during = cache.get('a');
    stored = 2;
    cache.forget('a');
    release();
    await expect(during).resolves.toBe(1);
    const after = cache.get('a');
    release();
    await expect(after).resolves.toBe(2);
    await expect(cache.get('a')).resolves.toBe(2);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
