import { testConfig } from '../../test/fakes/config';
import { DecryptSlots } from './decrypt-slots';

describe('DecryptSlots', () => {
  const slots = () => new DecryptSlots(testConfig({ DECRYPT_CONCURRENCY: '3', DECRYPT_CONCURRENCY_PER_ACCOUNT: '2' }));

  it('refuses an account beyond its share with 429, and anyone beyond the process bound with 503, both with Retry-After', () => {
    const bound = slots();
    bound.acquire('alice');
    bound.acquire('alice');
    expect(() => bound.acquire('alice')).toThrow(expect.objectContaining({ status: 429, code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 1 }));
    bound.acquire('bob');
    expect(() => bound.acquire('carol')).toThrow(expect.objectContaining({ status: 503, code: 'SERVER_BUSY', retryAfterSeconds: 1 }));
  });

  it('gives a slot back once, however often its release is called', () => {
    const bound = slots();
    const release = bound.acquire('alice');
    bound.acquire('alice');
    bound.acquire('bob');
    release();
    release();
    bound.acquire('carol');
    expect(() => bound.acquire('dave')).toThrow(expect.objectContaining({ status: 503 }));
    expect(() => bound.acquire('alice')).toThrow(expect.objectContaining({ status: 503 }));
  });
});
