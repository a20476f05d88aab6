import { newTestService } from '../../test/support/test-service';
import { UsersService } from './users.service';

describe('UsersService (repositories faked)', () => {
  const newUser = { email: 'a@example.com', passwordHash: 'hash', keySalt: '00'.repeat(32) };
  let service: UsersService;

  beforeEach(async () => {
    ({ sut: service } = await newTestService(UsersService));
  });

  it('gives a new account an id and a creation time, or keeps the id it is given', async () => {
    const before = Date.now();
    const made = await service.create(newUser);
    expect(made.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(made.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    const chosen = await service.create({ ...newUser, email: 'b@example.com', id: '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11' });
    expect(chosen.id).toBe('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11');
  });

  it('turns a taken email into 409 EMAIL_TAKEN', async () => {
    await service.create(newUser);
    await expect(service.create(newUser)).rejects.toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
  });

  it('404s a missing user on getById', async () => {
    await expect(service.getById('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11')).rejects.toMatchObject({ status: 404 });
  });
});
