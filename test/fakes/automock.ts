import type { Type } from '@nestjs/common';

/** The names of every method `instance` has from its classes (own fields and `constructor` excluded). */
function methodNames(instance: object): string[] {
  const names = new Set<string>();
  for (let prototype = Object.getPrototypeOf(instance); prototype && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(prototype))) {
      if (name !== 'constructor' && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/**
 * Turns every method of an in-memory fake into a jest.fn that runs the fake, so that a spec can
 * assert calls and inject faults (`mockRejectedValueOnce`) while everything else keeps working.
 * `jest.resetAllMocks()` would empty these functions: build fresh fakes per test instead.
 */
export function autoFake<T extends object>(fake: T): jest.Mocked<T> {
  for (const name of methodNames(fake)) {
    const method = (fake as Record<string, (...args: unknown[]) => unknown>)[name];
    Object.defineProperty(fake, name, { value: jest.fn(method.bind(fake)), configurable: true, writable: true });
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- false positive: tsc rejects T as jest.Mocked<T> without it
  return fake as jest.Mocked<T>;
}

/** A stand-in for a class (a service, in controller specs): every method a bare jest.fn the spec programs. */
export function automock<T>(type: Type<T>): jest.Mocked<T> {
  const mock: Record<string, jest.Mock> = {};
  for (const name of methodNames(Object.create(type.prototype) as object)) mock[name] = jest.fn();
  return mock as unknown as jest.Mocked<T>;
}
