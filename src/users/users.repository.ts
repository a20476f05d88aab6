import type { User } from './user';

export class EmailAlreadyRegisteredError extends Error {
  constructor() {
    super('Email already registered');
    this.name = 'EmailAlreadyRegisteredError';
  }
}

/** Storage of accounts. The email is unique: `create` fails atomically when it is taken. */
export abstract class UsersRepository {
  /** @throws EmailAlreadyRegisteredError */
  abstract create(user: User): Promise<void>;
  abstract findById(userId: string): Promise<User | undefined>;
  abstract findByEmail(email: string): Promise<User | undefined>;
}
