import { InMemoryUsersRepository } from '../../test/fakes/in-memory-users.repository';
import { testConfig } from '../../test/fakes/config';
import { UsersService } from './users.service';

describe('UsersService (repositories faked)', () => {
  const newUser = { email: 'a@example.com', passwordHash: 'hash', keySalt: '00'.repeat(32) };

  it('answers repeated existence checks from its cache within USER_CACHE_TTL_MS', async () => {
    const repository = new InMemoryUsersRepository();
    const service = new UsersService(repository, testConfig({ USER_CACHE_TTL_MS: '60000' }));
    const other = await new UsersService(repository, testConfig()).create({ ...newUser, email: 'b@example.com' });
    const readsBefore = repository.reads;
    expect(await service.exists(other.id)).toBe(true);
    expect(await service.exists(other.id)).toBe(true);
    expect(repository.reads - readsBefore).toBe(1);
  });

  it('reads the repository every time when the cache is off', async () => {
    const repository = new InMemoryUsersRepository();
    const service = new UsersService(repository, testConfig({ USER_CACHE_TTL_MS: '0' }));
    const user = await service.create(newUser);
    expect(await service.exists(user.id)).toBe(true);
    repository.users.delete(user.id);
    expect(await service.exists(user.id)).toBe(false);
  });

  it('404s a missing user on getById', async () => {
    const service = new UsersService(new InMemoryUsersRepository(), testConfig());
    await expect(service.getById('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11')).rejects.toMatchObject({ status: 404 });
  });
});
