import { ExpiringCache } from './expiring-cache';

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
