// run.mjs -- the dashboard's browser tests: Debian's chromium, driven by
// playwright-core, against a `citybrain serve` that this script starts on a
// free loopback port with a fresh database (the bundled Jinan city, its
// twin at 20x so that history accumulates within seconds).
//
//   node tests/web/run.mjs --binary build/citybrain [--shots DIR] [case...]
//
// Exit 0 when every case passed, 1 when one failed, 77 (skipped) when
// chromium or playwright-core is missing.  --shots DIR also writes the
// screenshots of docs/dashboard.md (docs/img is where they are kept).
// Run by ctest through tests/test_web.c.

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { missing, buildDashboard, launch, startServer, tempDir, removeDir, sleep, until, ROOT } from './lib.mjs';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] : null; };
const binary = opt('--binary') || join(ROOT, 'build', 'citybrain');
const shots = opt('--shots');
const only = argv;

const why = missing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}
buildDashboard();

const BG = [10, 16, 28];                 // THEME.bg of web/src/colors.js
const RAMP = ['#22c55e', '#a3e635', '#facc15', '#fb923c', '#ef4444', '#991b1b'].map(rgb);
const OVERRIDE = rgb('#a78bfa');
function rgb(hex) { const n = parseInt(hex.slice(1), 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }
const near = (a, b, tol = 18) => Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol && Math.abs(a[2] - b[2]) <= tol;

function assert(cond, msg) { if (!cond) throw new Error(`assertion failed: ${msg}`); }

// ---- fixtures -------------------------------------------------------------

const work = tempDir('test');
const db = join(work, 'city.db');
let srv = await startServer({ binary, db, speed: 20, city: join(ROOT, 'examples', 'jinan_3x4') });
const admin = srv.token;
assert(admin, 'the first start printed an admin token');
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
const page = await ctx.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|net::/.test(m.text())) pageErrors.push(m.text()); });

async function api(method, path, body, token) {
  const res = await fetch(srv.url.replace(/\/$/, '') + path, {
    method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

// Pixels of a canvas (device pixels), read inside the page.
async function canvasPixels(id, x, y, w, h) {
  return page.evaluate(([id, x, y, w, h]) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(x, y, w, h).data;
    return Array.from(d);
  }, [id, x, y, w, h]);
}

// Screen position (device px on #map) of a world point, from the map's view.
async function toDevice(x, y) {
  return page.evaluate(([x, y]) => {
    const p = window.citybrain.map.toScreen(x, y);
    return { x: Math.round(p.x * devicePixelRatio), y: Math.round(p.y * devicePixelRatio), cssX: p.x, cssY: p.y };
  }, [x, y]);
}

async function shot(name, opts = {}) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, name), ...opts });
}

const text = (sel) => page.locator(sel).first().innerText();

// ---- cases ----------------------------------------------------------------

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('page_loads', async () => {
  const res = await page.goto(srv.url);
  assert(res.status() === 200, `GET / answered ${res.status()}`);
  assert((await page.title()).includes('citybrain'), 'the title names citybrain');
  await until(async () => (await text('#city-name')) === 'jinan_3x4', 10000, 'the city name in the header');
  await until(async () => (await page.getAttribute('#conn', 'data-state')) === 'live', 10000, 'the stream to be live');
  assert(await page.locator('#not-built').isHidden(), 'the built stylesheet hides the "not built" notice');
  const size = await text('#city-size');
  assert(/12 signals · 186 lanes/.test(size), `header shows the city's size (${size})`);
  // static files come from the fixed list only
  for (const p of ['/dist/app.js', '/dist/app.css', '/favicon.svg']) assert((await fetch(srv.url + p.slice(1))).status === 200, `${p} is served`);
  for (const p of ['/src/main.js', '/package.json', '/dist/../index.html', '/%2e%2e/README.md']) {
    const st = (await fetch(srv.url + p.slice(1))).status;
    assert(st === 404 || st === 200 && p === '/dist/../index.html', `${p} is not served (${st})`);
  }
});

test('map_has_drawn', async () => {
  await page.waitForFunction(() => performance.getEntriesByName('cb:live').length > 0, null, { timeout: 10000 });
  // wait for traffic on the roads
  await until(() => page.evaluate(() => window.citybrain.map.classes && window.citybrain.map.classes.some((c) => c > 0)), 20000, 'a road with vehicles');
  const { w, h } = await page.evaluate(() => ({ w: document.getElementById('map').width, h: document.getElementById('map').height }));
  const px = await canvasPixels('map', 0, 0, w, h);
  let bg = 0, ramp = 0, other = 0;
  for (let i = 0; i < px.length; i += 16) {         // every 4th pixel
    const c = [px[i], px[i + 1], px[i + 2]];
    if (near(c, BG, 6)) bg++;
    else if (RAMP.some((r) => near(r, c, 10))) ramp++;
    else other++;
  }
  const n = px.length / 16;
  assert(bg / n > 0.4 && bg / n < 0.995, `the map is mostly background but not empty (${(bg / n * 100).toFixed(1)} % background)`);
  assert(ramp > 50, `roads carry traffic colours (${ramp} sampled pixels)`);
  // a road's middle is road-coloured; the middle of a block is background
  const probe = await page.evaluate(() => {
    const a = window.citybrain, net = a.net;
    const r = a.map.classes.findIndex((c) => c > 0);
    const block = [(net.ix[net.interIndex.get('intersection_1_1')] + net.ix[net.interIndex.get('intersection_2_2')]) / 2,
      (net.iy[net.interIndex.get('intersection_1_1')] + net.iy[net.interIndex.get('intersection_2_2')]) / 2];
    return { road: [net.mid[2 * r], net.mid[2 * r + 1]], cls: a.map.classes[r], block };
  });
  const rp = await toDevice(...probe.road), bp = await toDevice(...probe.block);
  const at = async (p) => { const d = await canvasPixels('map', p.x, p.y, 1, 1); return [d[0], d[1], d[2]]; };
  const roadPx = await at(rp), blockPx = await at(bp);
  assert(!near(roadPx, BG, 6), `a road's middle is drawn (pixel ${roadPx})`);
  assert(near(blockPx, BG, 10), `a block's middle is background (pixel ${blockPx})`);
});

test('live_kpis_move', async () => {
  const before = await page.evaluate(() => ({ clock: document.getElementById('clock').textContent, n: window.citybrain.kpis.updates,
    tiles: [...document.querySelectorAll('.tile .num')].map((e) => e.textContent), t: window.citybrain.kpis.lastTime }));
  await sleep(3500);
  const after = await page.evaluate(() => ({ clock: document.getElementById('clock').textContent, n: window.citybrain.kpis.updates,
    tiles: [...document.querySelectorAll('.tile .num')].map((e) => e.textContent), t: window.citybrain.kpis.lastTime }));
  assert(after.n >= before.n + 2, `at least two live updates in 3.5 s (${before.n} -> ${after.n})`);
  assert(after.clock !== before.clock, `the field clock moves (${before.clock} -> ${after.clock})`);
  assert(after.t > before.t, 'the KPI series grows');
  assert(after.tiles.some((v, i) => v !== before.tiles[i]), `a KPI tile changed (${before.tiles} -> ${after.tiles})`);
  // the throughput chart has a line: its colour appears on the canvas
  const chart = await page.evaluate(() => {
    const c = document.querySelector('[data-chart="att"] canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 56) < 20 && Math.abs(d[i + 1] - 189) < 20 && Math.abs(d[i + 2] - 248) < 20) n++;
    return n;
  });
  assert(chart > 20, `the travel-time chart draws its line (${chart} pixels)`);
});

// Click junction intersection_1_1 on the map; the signal form gets it.
async function pickJunction(id) {
  const p = await page.evaluate((id) => { const n = window.citybrain.net, i = n.interIndex.get(id); return [n.ix[i], n.iy[i]]; }, id);
  const s = await toDevice(...p);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + s.cssX, box.y + s.cssY);
  await until(async () => (await page.inputValue('#f-inter')) === id, 3000, `the form to name ${id}`);
}

async function submitOverride(confirm) {
  await page.locator('.tab[data-tab="signal"]').click();
  await page.selectOption('#f-phase', '4');
  await page.fill('#form-signal input[name="duration"]', '120');
  await page.fill('#form-signal input[name="reason"]', 'browser test');
  await page.locator('#form-signal button[type="submit"]').click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  const details = await text('#confirm-details');
  assert(details.includes('intersection_1_1') && details.includes('120 s'), `the confirmation names the junction and duration (${details})`);
  await page.locator(confirm ? '#confirm-ok' : '#confirm button[value="cancel"]').click();
  await page.locator('#confirm').waitFor({ state: 'hidden' });
}

test('operator_action_needs_token', async () => {
  const audit0 = (await api('GET', '/api/v1/audit', null, admin)).json.audit.length;
  await pickJunction('intersection_1_1');
  // Cancelled: nothing is sent.
  await submitOverride(false);
  assert((await api('GET', '/api/v1/audit', null, admin)).json.audit.length === audit0, 'a cancelled action sends nothing');
  // Without a token: refused, and the panel says why.
  await submitOverride(true);
  await until(async () => (await page.getAttribute('#action-result', 'data-ok')) === 'false', 5000, 'a refusal');
  const refused = await text('#action-result');
  assert(/401/.test(refused) && /token/i.test(refused), `the refusal shows the server's answer (${refused})`);
  let st = (await api('GET', '/api/v1/state')).json;
  assert(st.signals.find((s) => s.intersection === 'intersection_1_1').plan !== 'override', 'the signal was not overridden');

  // With an operator token (made by the admin, pasted into the sign-in dialog).
  const tok = await api('POST', '/api/v1/tokens', { role: 'operator', label: 'browser test desk' }, admin);
  assert(tok.status === 201, 'the admin creates an operator token');
  await page.locator('#signin').click();
  await page.fill('#token-input', tok.json.token);
  await page.locator('#signin-form button[value="ok"]').click();
  await until(async () => (await text('#role')) === 'operator', 5000, 'the role chip to say operator');
  await submitOverride(true);
  await until(async () => (await page.getAttribute('#action-result', 'data-ok')) === 'true', 5000, 'an accepted override');
  const ok = await text('#action-result');
  assert(/intersection_1_1 holds phase 4 for 120 s/.test(ok), `the result says what happened (${ok})`);
  // (the state is republished every 0.2 s: poll rather than read once)
  await until(async () => (await api('GET', '/api/v1/state')).json.signals.find((g) => g.intersection === 'intersection_1_1').plan === 'override',
    3000, 'the server to show the override');
  const audit = (await api('GET', '/api/v1/audit', null, admin)).json.audit;
  const last = audit.find((a) => a.action === 'override' && a.result === 'ok');
  assert(last && last.who.includes('browser test desk') && last.detail.includes('"phase":4'), 'the audit log names the operator and the action');
  // The map rings the overridden junction in violet (zoom in so it is large).
  await page.evaluate(() => { const a = window.citybrain, i = a.net.interIndex.get('intersection_1_1'); a.map.centerOn(a.net.ix[i], a.net.iy[i], 2.5); });
  await until(async () => {
    // look for violet in a square twice the junction box around it
    const p = await page.evaluate(() => { const a = window.citybrain, i = a.net.interIndex.get('intersection_1_1'); return [a.net.ix[i], a.net.iy[i], a.net.ihalf[i]]; });
    const c = await toDevice(p[0], p[1]), e = await toDevice(p[0] + 2 * p[2], p[1]);
    const rad = Math.max(12, e.x - c.x);
    const px = await canvasPixels('map', c.x - rad, c.y - rad, 2 * rad, 2 * rad);
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (near([px[i], px[i + 1], px[i + 2]], OVERRIDE, 30)) n++;
    return n > 20;
  }, 5000, 'a violet ring at the overridden junction');
  await shot('junction-override.png');

  // Declare an incident on a road; the alert appears in the list.
  await page.locator('.tab[data-tab="incident"]').click();
  await page.fill('#f-road', 'road_1_1_0');
  await page.selectOption('#f-sub', 'carAccident');
  await page.fill('#form-incident input[name="description"]', 'two cars, right lane');
  await page.locator('#form-incident button[type="submit"]').click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  await shot('confirm-incident.png');
  await page.locator('#confirm-ok').click();
  await until(async () => (await page.getAttribute('#action-result', 'data-ok')) === 'true', 5000, 'the incident to be declared');
  await until(async () => (await page.locator('#alert-list .alert').count()) >= 1, 5000, 'the alert in the list');
  assert((await text('#alert-list')).includes('road_1_1_0'), 'the alert names its road');
  const alerts = (await api('GET', '/api/v1/alerts?active=true')).json.alerts;
  assert(alerts.some((a) => a.subCategory === 'carAccident' && a.refRoadSegment.endsWith(':road_1_1_0')), 'the server stored the alert');

  // Change the plan of one junction.
  await page.locator('.tab[data-tab="plan"]').click();
  await page.selectOption('#f-scope', 'one');
  await page.fill('#f-plan-inter', 'intersection_2_2');
  await page.selectOption('#f-controller', 'maxpressure');
  await page.locator('#form-plan button[type="submit"]').click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  assert((await text('#confirm-details')).includes('intersection_2_2'), 'the confirmation names the junction');
  await page.locator('#confirm-ok').click();
  await until(async () => /now run maxpressure/.test(await text('#action-result')), 5000, 'the plan change to be accepted');
  await until(async () => (await api('GET', '/api/v1/state')).json.signals.find((g) => g.intersection === 'intersection_2_2').plan === 'maxpressure',
    5000, 'the server to run maxpressure at intersection_2_2');
});

test('emergency_layer', async () => {
  // The server does not report emergency vehicles yet: feed the layer the
  // shape docs/dashboard.md documents, through the stream's own handler.
  await page.evaluate(() => window.citybrain.map.fit());
  const pink = await page.evaluate(async () => {
    const a = window.citybrain;
    const s = await (await fetch('/api/v1/state')).json();
    s.emergency = [{ id: 'ambulance-1', route: ['road_0_1_0', 'road_1_1_0', 'road_2_1_0'], road: 'road_1_1_0', offset: 200, preempted: ['intersection_2_1'] }];
    a.applyState(JSON.stringify(s));
    const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 244) < 25 && Math.abs(d[i + 1] - 114) < 25 && Math.abs(d[i + 2] - 182) < 25) n++;
    return { n, legend: document.getElementById('legend').textContent };
  });
  assert(pink.n > 200, `the route and the preempted junction are drawn in pink (${pink.n} pixels)`);
  assert(/emergency/.test(pink.legend), 'the legend explains the emergency layer while one is shown');
  // The next real state has no emergency vehicle: the layer and its legend go.
  await until(async () => !/emergency/.test(await page.locator('#legend').textContent()), 5000, 'the emergency legend to go with the vehicle');
});

test('emergency_dispatch', async () => {
  // The real thing (docs/emergency.md): an operator dispatches a vehicle
  // across the city; the map shows it while it is under way.
  await page.evaluate(() => window.citybrain.map.fit());
  await page.locator('.tab[data-tab="emergency"]').click();
  await page.fill('#f-ev-from', 'road_0_1_0');
  await page.fill('#f-ev-to', 'road_4_3_2');
  await page.locator('#form-emergency button[type="submit"]').click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  assert((await text('#confirm-details')).includes('road_4_3_2'), 'the confirmation names the destination');
  await page.locator('#confirm-ok').click();
  await until(async () => /Emergency vehicle: done/.test(await text('#action-result')), 5000, 'the dispatch to be accepted');
  assert(/Vehicle \d+ scheduled/.test(await text('#action-result')), 'the result names the vehicle');
  const trips = (await api('GET', '/api/v1/emergency')).json.emergency;
  assert(trips.length === 1 && trips[0].destination === 'road_4_3_2', 'the server has the trip');
  await until(() => page.evaluate(() => {
    const f = window.citybrain.frame;
    if (!f || !f.emergency.some((e) => e.kind === 'emergency vehicle' && e.pos)) return false;
    const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 244) < 25 && Math.abs(d[i + 1] - 114) < 25 && Math.abs(d[i + 2] - 182) < 25) n++;
    return n > 100;
  }), 15000, 'the vehicle under way, drawn in pink');
  await shot('emergency.png');
});

test('metric_and_hover', async () => {
  await page.evaluate(() => window.citybrain.map.fit());
  await page.locator('.seg-btn[data-metric="occupancy"]').click();
  assert(/Occupancy/.test(await page.locator('#legend').textContent()), 'the legend follows the metric');
  assert(await page.evaluate(() => window.citybrain.map.metric === 'occupancy'), 'the map colours by occupancy');
  // Hover a road: the tooltip names it and gives its figures with units.
  const p = await page.evaluate(() => { const a = window.citybrain, r = a.net.roadIndex.get('road_1_1_0'); return [a.net.mid[2 * r], a.net.mid[2 * r + 1]]; });
  const s = await toDevice(...p);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + s.cssX, box.y + s.cssY);
  await page.locator('#tooltip').waitFor({ state: 'visible' });
  const tip = await text('#tooltip');
  assert(tip.includes('road_1_1_0') && /km\/h/.test(tip) && /Occupancy/.test(tip) && /\d+ m/.test(tip), `the tooltip (${tip.replace(/\n/g, ' ')})`);
  await page.mouse.move(box.x + 5, box.y + box.height - 5);
  await page.locator('.seg-btn[data-metric="speed"]').click();
});

test('replay_history', async () => {
  await page.evaluate(() => { window.citybrain.map.fit(); window.citybrain.map.select(null); });
  await sleep(300);
  await shot('dashboard-1080p.png');        // live, with the override and the incident of the test above
  // history: observations every 60 s of field time (3 s of wall time at 20x)
  await until(async () => (await api('GET', '/api/v1/observations?limit=1')).json.count > 0, 20000, 'stored observations');
  await page.locator('#tl-track').focus();
  await page.keyboard.press('ArrowLeft');             // one minute back
  await until(async () => (await page.getAttribute('#app', 'data-mode')) === 'replay', 3000, 'replay mode');
  assert(/REPLAY/.test(await text('#map-mode')), 'the map says it shows a replay');
  assert((await page.getAttribute('#conn', 'data-state')) === 'replay', 'the header says replay');
  const f = await until(() => page.evaluate(() => {
    const r = window.citybrain.replayFrame;
    if (!r) return null;
    let occ = 0;
    for (const v of r.lanes.occ) if (v === v) occ++;
    return { occ, t: r.time, signals: r.signals.filter(Boolean).length };
  }), 10000, 'a replay frame');
  assert(f.occ > 100, `the replay frame has stored observations for the lanes (${f.occ} of 186)`);
  const live = await page.evaluate(() => window.citybrain.liveFrame.time);
  assert(f.t < live - 30e3, 'the replay frame is in the past');
  await shot('replay.png');
  await page.locator('#tl-live').click();
  await until(async () => (await page.getAttribute('#app', 'data-mode')) === 'live', 3000, 'back to live');
});

test('server_goes_away_and_comes_back', async () => {
  const port = srv.port;
  const n0 = await page.evaluate(() => window.citybrain.states);
  await srv.stop();
  await until(async () => ['reconnecting', 'stale'].includes(await page.getAttribute('#conn', 'data-state')), 10000, 'the page to notice');
  assert(await page.locator('#banner').isVisible(), 'a banner says the connection is lost');
  assert(/lost/i.test(await text('#banner')), 'the banner explains');
  await shot('connection-lost.png');
  await sleep(1500);
  srv = await startServer({ binary, db, speed: 20, city: join(ROOT, 'examples', 'jinan_3x4'), listen: `127.0.0.1:${port}` });
  await until(async () => (await page.getAttribute('#conn', 'data-state')) === 'live', 20000, 'the page to reconnect');
  const n1 = await page.evaluate(() => window.citybrain.states);
  await sleep(2500);
  const n2 = await page.evaluate(() => window.citybrain.states);
  assert(n1 > n0 && n2 >= n1 + 1, `live states flow again (${n0} -> ${n1} -> ${n2})`);
  assert(await page.locator('#banner').isHidden(), 'the banner is gone');
  assert(!(await page.evaluate(() => document.querySelector('.map-area').classList.contains('stale'))), 'the map is no longer greyed');
});

test('screens_laptop_to_wall', async () => {
  await page.evaluate(() => window.citybrain.map.fit());
  for (const [w, h, minFont] of [[1366, 768, 12], [1920, 1080, 12], [3840, 2160, 22]]) {
    await page.setViewportSize({ width: w, height: h });
    await sleep(600);
    // the whole city stays in view, filling the map (a fitted map re-fits)
    const fill = await page.evaluate(() => {
      const a = window.citybrain, [x0, y0, x1, y1] = a.net.bounds, r = a.map.canvas.getBoundingClientRect();
      const p = a.map.toScreen(x0, y0), q = a.map.toScreen(x1, y1);
      const inside = Math.min(p.x, q.x) >= -1 && Math.max(p.x, q.x) <= r.width + 1 && Math.min(p.y, q.y) >= -1 && Math.max(p.y, q.y) <= r.height + 1;
      return { inside, share: Math.max(Math.abs(q.x - p.x) / r.width, Math.abs(q.y - p.y) / r.height) };
    });
    assert(fill.inside && fill.share > 0.8, `${w}x${h}: the city fills the map (${JSON.stringify(fill)})`);
    const m = await page.evaluate(() => {
      const vis = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1; };
      const c = document.getElementById('map');
      return {
        overflowX: document.documentElement.scrollWidth > innerWidth,
        legendFont: parseFloat(getComputedStyle(document.querySelector('.legend-keys')).fontSize),
        tileFont: parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize),
        backing: c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio),
        visible: ['map', 'legend', 'tl-track', 'kpi-tiles', 'conn', 'signin'].filter((id) => !vis(id)),
      };
    });
    assert(!m.overflowX, `${w}x${h}: no horizontal scrolling`);
    assert(m.legendFont >= minFont, `${w}x${h}: legend text is ${m.legendFont} px (>= ${minFont})`);
    assert(m.tileFont >= 1.6 * minFont, `${w}x${h}: KPI figures are ${m.tileFont} px`);
    assert(m.backing, `${w}x${h}: the map canvas matches the screen's pixels`);
    assert(m.visible.length === 0, `${w}x${h}: on screen without scrolling: ${m.visible.join(', ')}`);
    if (w === 3840) await shot('wall-4k.png');
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
});

// ---- run --------------------------------------------------------------------

let failed = 0, ran = 0;
try {
  for (const c of cases) {
    if (only.length && !only.includes(c.name)) continue;
    ran++;
    process.stderr.write(`[ RUN  ] ${c.name}\n`);
    try {
      await c.fn();
      if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.splice(0).join(' | ')}`);
      process.stderr.write(`[  OK  ] ${c.name}\n`);
    } catch (e) {
      failed++;
      process.stderr.write(`  ${e.message}\n[ FAIL ] ${c.name}\n`);
      if (process.env.CB_WEB_DEBUG) await page.screenshot({ path: join(work, `fail-${c.name}.png`) }).then(() => process.stderr.write(`  screenshot: ${join(work, `fail-${c.name}.png`)}\n`));
    }
  }
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
  if (!process.env.CB_WEB_DEBUG) removeDir(work);
}
process.stderr.write(`${ran} cases, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
