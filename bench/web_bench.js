#!/usr/bin/env node
// bench/web_bench.js -- how fast the dashboard is on a big city, measured
// by the browser itself (Performance API, in headless Debian chromium).
//
// It generates the 100x100 grid (10,000 signalized junctions, 40,400 roads,
// 121,200 lanes) with `citybrain gen grid`, starts `citybrain serve` on it
// (real time, a temporary database), then for each run opens the dashboard
// in a fresh browser context (cold: nothing cached) and reads:
//
//   first paint     paint timing "first-contentful-paint" (the page shell)
//   map drawn       mark cb:map: the network fetched, parsed and drawn
//   first live      mark cb:live: the first live state coloured on the map
//   update          measure cb:update, one per 1 Hz state: parse the state
//                   JSON, rebuild the frame, redraw every road, update the
//                   indicators (main-thread work)
//   update+frame    measure cb:update-frame: the same until the browser's
//                   next frame begins
//
// Each run also prints the steps to the first map: when the script ran,
// the /network request (asked, first and last byte, from resource timing),
// the text received, parsed (cb:network) and built (cb:network-built).
//
// Targets (issue 5): map on screen under 1 s; under 100 ms per live update.
//
//   node bench/web_bench.js [--binary build/citybrain] [--grid 100x100]
//        [--runs 3] [--seconds 20] [--viewport 1920x1080] [--city DIR]
//        [--shot FILE.png]   (a screenshot of the last run, for the docs)
//        [--external]        serve with --external-field: the twin does not
//                            step, so the browser has the machine to itself
//                            (the state still comes at 1 Hz, all 121,200 lanes)
//
// Needs: a built citybrain, chromium, web/node_modules (scripts/setup.sh).
// It is a benchmark, not a test: it prints numbers and asserts nothing.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { missing, buildDashboard, launch, startServer, tempDir, removeDir, sleep, ROOT } from '../tests/web/lib.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const binary = opt('--binary', join(ROOT, 'build', 'citybrain'));
const grid = opt('--grid', '100x100');
const runs = Number(opt('--runs', 3));
const seconds = Number(opt('--seconds', 20));
const [vw, vh] = opt('--viewport', '1920x1080').split('x').map(Number);
const shotFile = opt('--shot', null);

const why = missing();
if (why) { console.error(`web_bench: ${why}`); process.exit(77); }
if (!existsSync(binary)) { console.error(`web_bench: no ${binary} (build first, or --binary)`); process.exit(2); }
buildDashboard();

const work = tempDir('bench');
let city = opt('--city', null);
if (!city) {
  city = join(work, `grid_${grid}`);
  console.log(`generating grid ${grid} ...`);
  execFileSync(binary, ['gen', 'grid', grid, '-o', city], { stdio: 'ignore' });
}
const t0 = Date.now();
const external = args.includes('--external');
const srv = await startServer({ binary, db: join(work, 'bench.db'), city, speed: 1, timeout: 600, args: external ? ['--external-field'] : [] });
console.log(`citybrain serve: ${city} at ${srv.url} (started in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
const sizes = {};
for (const p of ['network', 'state']) sizes[p] = (await (await fetch(`${srv.url}api/v1/${p}`)).arrayBuffer()).byteLength;
console.log(`payloads: /network ${(sizes.network / 1e6).toFixed(1)} MB, /state ${(sizes.state / 1e6).toFixed(2)} MB`);

const browser = await launch();
console.log(`chromium ${browser.version()}, viewport ${vw}x${vh}, ${runs} cold runs, ${seconds} s of live updates each\n`);
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const all = { fcp: [], map: [], live: [], upd: [], frame: [], parse: [], draw: [] };

for (let r = 0; r < runs; r++) {
  const ctx = await browser.newContext({ viewport: { width: vw, height: vh } });
  const page = await ctx.newPage();
  await page.goto(srv.url);
  await page.waitForFunction(() => performance.getEntriesByName('cb:live').length > 0, null, { timeout: 60000 });
  const first = await page.evaluate(() => {
    const mark = (n) => (performance.getEntriesByName(n)[0] || {}).startTime;
    const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    const res = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/v1/network')) || {};
    return { fcp: fcp ? fcp.startTime : NaN, start: mark('cb:start'), received: mark('cb:network-received'), network: mark('cb:network'),
      built: mark('cb:network-built'), map: mark('cb:map'),
      asked: res.startTime, firstByte: res.responseStart, lastByte: res.responseEnd, live: mark('cb:live') };
  });
  await page.evaluate(() => { performance.clearMeasures('cb:update'); performance.clearMeasures('cb:update-frame'); });
  await sleep(seconds * 1000);
  const upd = await page.evaluate(() => ({
    u: performance.getEntriesByName('cb:update').map((e) => ({ d: e.duration, ...e.detail })),
    f: performance.getEntriesByName('cb:update-frame').map((e) => e.duration),
  }));
  const d = upd.u.map((x) => x.d);
  console.log(`run ${r + 1}: first paint ${f1(first.fcp)} ms | script ${f1(first.start)} | /network asked ${f1(first.asked)}, first byte ${f1(first.firstByte)}, last ${f1(first.lastByte)}, received ${f1(first.received)}, parsed ${f1(first.network)}, built ${f1(first.built)} | map drawn ${f1(first.map)} ms | first live ${f1(first.live)} ms`);
  console.log(`       updates: ${d.length} in ${seconds} s; p50 ${f1(q(d, 0.5))} ms, p95 ${f1(q(d, 0.95))} ms, max ${f1(Math.max(...d))} ms` +
    ` (parse p50 ${f1(q(upd.u.map((x) => x.parse), 0.5))}, map p50 ${f1(q(upd.u.map((x) => x.map), 0.5))}); until next frame p50 ${f1(q(upd.f, 0.5))}, p95 ${f1(q(upd.f, 0.95))} ms`);
  if (shotFile && r === runs - 1) await page.screenshot({ path: shotFile });
  all.fcp.push(first.fcp); all.map.push(first.map); all.live.push(first.live);
  all.upd.push(...d); all.frame.push(...upd.f); all.parse.push(...upd.u.map((x) => x.parse)); all.draw.push(...upd.u.map((x) => x.map));
  await ctx.close();
}

console.log(`\nsummary (${grid}, ${vw}x${vh}, ${runs} runs${external ? ', external field: the twin idle' : ', the twin stepping in real time'}):`);
console.log(`  first paint (FCP)    median ${f1(q(all.fcp, 0.5))} ms`);
console.log(`  map drawn (cb:map)   median ${f1(q(all.map, 0.5))} ms   target < 1000 ms`);
console.log(`  first live colours   median ${f1(q(all.live, 0.5))} ms`);
console.log(`  live update          p50 ${f1(q(all.upd, 0.5))} ms, p95 ${f1(q(all.upd, 0.95))} ms, max ${f1(Math.max(...all.upd))} ms   target < 100 ms`);
console.log(`    of which parse     p50 ${f1(q(all.parse, 0.5))} ms; frame + map draw p50 ${f1(q(all.draw, 0.5))} ms`);
console.log(`  update until frame   p50 ${f1(q(all.frame, 0.5))} ms, p95 ${f1(q(all.frame, 0.95))} ms`);
await browser.close();
await srv.stop();
removeDir(work);
