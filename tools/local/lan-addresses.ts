import { networkInterfaces } from 'node:os';

/** The machine's non-internal IPv4 addresses: where a phone or another computer on the network reaches it. */
export function lanIPv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}
