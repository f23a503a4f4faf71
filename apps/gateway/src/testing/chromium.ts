import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium, which `npm test` installs first (tools/test-servers/ensure.js). */
export const CHROMIUM = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with the flags a machine without a display or outside network needs: no
 * sandbox (root in a container), no GPU, and nothing that phones home.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
