import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { lanIPv4Addresses } from '../../tools/local/lan-addresses';

/** Debian's chromium, which .ci/run installs; playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile, removed again by close(). */
export async function launchChromium(): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'panzoto-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The machine's first non-internal IPv4 address: what a phone or another computer would open. */
export function nonLoopbackIPv4(): string {
  const [address] = lanIPv4Addresses();
  if (!address) {
    throw new Error('This machine has no non-loopback IPv4 address (os.networkInterfaces()): the /docs test needs one to open the explorer from');
  }
  return address;
}
