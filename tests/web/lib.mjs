// lib.mjs -- what the browser tests and the web benchmark share: find
// Debian's chromium and the playwright-core of web/node_modules, start
// `citybrain serve` on a free loopback port with a fresh database, and
// launch a headless browser with the flags this machine needs.
//
// Nothing here downloads a browser: playwright-core drives the system's
// /usr/bin/chromium (CB_CHROMIUM overrides it).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB = join(ROOT, 'web');

// Why the browser tests cannot run here, or null.
export function missing() {
  const chromium = chromiumPath();
  if (!chromium) return 'no chromium (apt-get install chromium, or set CB_CHROMIUM)';
  if (!existsSync(join(WEB, 'node_modules', 'playwright-core'))) return 'web/node_modules has no playwright-core (run scripts/setup.sh, or npm ci in web/)';
  return null;
}

export function chromiumPath() {
  for (const p of [process.env.CB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  return null;
}

export async function playwright() {
  const req = createRequire(join(WEB, 'package.json'));
  return req('playwright-core');
}

// Build dist/ when a source is newer (esbuild: a fraction of a second).
export function buildDashboard() {
  execFileSync(process.execPath, [join(WEB, 'build.mjs'), '--check'], { stdio: 'inherit' });
  for (const f of ['app.js', 'app.css']) if (!statSync(join(WEB, 'dist', f)).size) throw new Error(`web/dist/${f} is empty`);
}

// The flags Debian's chromium needs on this machine (docs/dashboard.md):
// no sandbox as root, no background connections (the network is closed).
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
  '--hide-scrollbars', '--mute-audio',
];

export async function launch(extra = []) {
  const { chromium } = await playwright();
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS, ...extra], headless: true });
}

export function tempDir(tag) {
  return mkdtempSync(join(process.env.TMPDIR || tmpdir(), `cb-web-${tag}-`));
}

export function removeDir(d) {
  try { rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
}

// Start `citybrain serve`.  opts: {binary, db, city, speed, listen, args}.
// Resolves when it printed its URL: {url, port, token, proc, stop()}.
export function startServer(opts) {
  const args = ['serve', '--db', opts.db, '--listen', opts.listen || '127.0.0.1:0'];
  if (opts.city) args.push('--city', opts.city);
  if (opts.speed !== undefined) args.push('--speed', String(opts.speed));
  if (opts.args) args.push(...opts.args);
  const proc = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  return new Promise((resolveP, rejectP) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); rejectP(new Error(`citybrain serve did not start in ${opts.timeout || 120} s:\n${out}${err}`)); },
      (opts.timeout || 120) * 1000);
    let seen = false;
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/[^\s]+\/)/);
      if (!m || seen) return;
      seen = true;
      // On a fresh database the admin token line follows the URL line.
      setTimeout(() => {
        clearTimeout(timer);
        const tok = out.match(/admin token: (\S+)/);
        resolveP({ url: m[1], port: Number(new URL(m[1]).port), token: tok ? tok[1] : null, proc, output: () => out + err,
          stop: (sig = 'SIGTERM') => stopProc(proc, sig) });
      }, 300);
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => { clearTimeout(timer); rejectP(new Error(`citybrain serve exited (${code}):\n${out}${err}`)); });
  });
}

export function stopProc(proc, sig = 'SIGTERM') {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
    proc.once('exit', () => { clearTimeout(t); res(); });
    proc.kill(sig);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Poll fn until it returns a truthy value (or throw after ms).
export async function until(fn, ms, what) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(200);
  }
}
