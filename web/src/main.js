// main.js -- the dashboard's start and its wiring: load the network and
// the identity, draw the map, follow the live stream, and route events
// between the map, the indicators, the alerts, the actions and the
// timeline.  It also keeps the operator told what they are looking at:
// live, replay, or a picture going stale while the server is away.
//
// Performance marks (read by bench/web_bench.js and the browser tests):
//   cb:network-received  network JSON text received
//   cb:network  ... and parsed
//   cb:network-built  ... and turned into the map's arrays (network.js)
//   cb:map      first map drawn (roads in place, before live colours)
//   cb:live     first live state drawn
//   measure cb:update  one live update: parse + frame + draw, per state
//   measure cb:update-frame  the same, until the next frame begins

import { $, h } from './dom.js';
import { Api, ApiError, Stream } from './api.js';
import { buildNetwork, siteDetail } from './network.js';
import { CityMap } from './map.js';
import { frameFromState, emergencyFromTrips } from './live.js';
import { Kpis } from './kpis.js';
import { Alerts } from './alerts.js';
import { Actions } from './actions.js';
import { Timeline } from './timeline.js';
import { METRICS, RAMP, THEME } from './colors.js';
import { fmtClock, fmtNum, KMH, fmtDuration } from './format.js';

const api = new Api();
const app = {
  net: null, frame: null, liveFrame: null, replayFrame: null, metric: 'speed',
  lost: false, lastStateAt: NaN, states: 0,
  evs: [], evAbsent: false, evBusy: false,
};
window.citybrain = app;           // read-only hooks for the browser tests and the bench

const map = new CityMap($('map'), $('map-overlay'), document.querySelector('.map-area'));
const kpis = new Kpis();
const actions = new Actions(api, {
  net: () => app.net,
  focusIntersection: (id) => focusIntersection(id),
  alertsChanged: () => alerts.soon(),
  identityChanged: () => identity(),
  emergencyChanged: () => pollEmergency(),
});
const alerts = new Alerts(api, null, {
  focus: (a) => {
    if (Number.isFinite(a.x)) map.centerOn(a.x, a.y, minDetailScale());
    if (a.road >= 0) {
      map.select({ kind: 'road', i: a.road });
      actions.pickRoad(a.roadId);
    }
  },
  clear: (a) => actions.clearAlert(a),
  canClear: () => api.canOperate,
  changed: (list) => { map.setAlerts(list); if (app.timeline) app.timeline.draw(); },
});
const timeline = new Timeline(api, {
  net: () => app.net,
  view: () => map.viewBox(0),
  enter: (t) => setMode('replay', t),
  leave: () => setMode('live'),
  moved: (t) => { kpis.setCursor(t); alerts.setTime(t); modeBadge(t); },
  showFrame: (f) => { app.replayFrame = f; if (!timeline.live) { map.setFrame(f); modeBadge(timeline.t, f); } },
  loading: (on) => $('map-mode').classList.toggle('loading', on),
  error: (e) => {
    banner(`Replay: ${e.message}`, true);
    setTimeout(() => { if (!app.lost) banner(null); }, 6000);
  },
  alerts: () => alerts.all,
  historyStart: () => (kpis.t.length ? kpis.t[0] : NaN),
});
app.map = map;
app.kpis = kpis;
// Draw a state given as JSON text, as if it came from the stream: lets the
// tests exercise layers whose data the server does not send yet (the
// emergency vehicles of docs/dashboard.md).
app.applyState = (text) => onState(text);
app.timeline = timeline;
app.alerts = alerts;

map.onHover = (hit, p) => tooltip(hit, p);
map.onSelect = (hit) => {
  map.select(hit);
  if (!hit) return;
  if (hit.kind === 'inter') actions.pickIntersection(app.net.interIds[hit.i]);
  else actions.pickRoad(app.net.roadIds[hit.i]);
};

/*--- start ------------------------------------------------------------------*/

async function start() {
  performance.mark('cb:start');
  legend();
  $('map-empty').hidden = false;
  // The stream starts at once: its first state downloads while the
  // network does, and is drawn as soon as the map exists.  (Starting it
  // once the network had arrived made the first colours 0.5 s later and
  // the map no sooner.)
  const stream = new Stream(api, { event: onEvent, status: onStatus });
  app.stream = stream;
  stream.start();
  identity().catch(() => {});
  await loadNetwork();
  loadHistory();
  alerts.refresh().catch(() => {});
  api.get('/api/v1/controllers').then((j) => actions.setControllers(j.controllers || [])).catch(() => {});
  pollEmergency();
  setInterval(() => alerts.setTime(timeline.live ? null : timeline.t, app.frame ? app.frame.time : Date.now()), 15000);
}

async function loadNetwork() {
  for (let attempt = 0; ; attempt++) {
    try {
      const net = buildNetwork(await fetchNetwork());
      performance.mark('cb:network-built');
      setNetwork(net);
      performance.mark('cb:map');
      app.reloading = false;
      if (app.pendingState) { const d = app.pendingState; app.pendingState = null; onState(d); }
      return;
    } catch (e) {
      $('map-empty').textContent = `Cannot load the city network: ${e.message}. Retrying…`;
      if (e.status === 401) banner('This server needs a token to read: sign in with a viewer, operator or admin token.', true);
      // wait, or until a sign-in wakes us
      await new Promise((r) => { app.wake = r; setTimeout(r, Math.min(5000, 1000 + attempt * 500)); });
    }
  }
}

// GET /network, in its "columns" form (docs/api.md): 5.3 MB on the 100x100
// grid, where one object per road, lane and movement was 28.5 MB and took
// over a second to fetch and parse.  One JSON.parse of the whole text.
async function fetchNetwork() {
  const res = await fetch('/api/v1/network', { headers: api.headers(false), cache: 'no-store' });
  const text = await res.text();
  performance.mark('cb:network-received');
  let j = null;
  try { j = JSON.parse(text); } catch { /* not JSON: report the status */ }
  if (!res.ok || !j) throw new ApiError(res.status, j, res.ok ? 'the network is not JSON' : `HTTP ${res.status}`);
  performance.mark('cb:network');
  return j;
}

function setNetwork(net) {
  app.net = net;
  alerts.setNetwork(net);
  $('map-empty').hidden = true;
  $('city-name').textContent = net.city;
  $('city-size').textContent = `${fmtNum(net.sites.length)} signals · ${fmtNum(net.laneCount)} lanes`;
  map.setNetwork(net);
  map.draw();
  actions.fillPhases();
}

async function loadHistory() {
  try {
    const j = await api.get('/api/v1/kpis?limit=5000');
    kpis.loadHistory(j.kpis || []);
    timeline.draw();
  } catch { /* the live stream still fills the charts */ }
}

async function identity() {
  try { await api.refreshIdentity(); } catch { /* keep what we had */ }
  actions.showIdentity();
  alerts.render();
  // A new token may open what was refused: retry now rather than later.
  if (app.wake) { app.wake(); app.wake = null; }
  if (app.stream && app.stream.state !== 'live') app.stream.kick();
}

/*--- the stream -------------------------------------------------------------*/

function onEvent(type, data) {
  if (type === 'state') onState(data);
  else if (type === 'alert') alerts.soon();
  else if (type === 'action') {
    actions.remote(data);
    if (data.startsWith('{"emergency"')) pollEmergency();
  }
}

// GET /api/v1/emergency: once at start, on each emergency event, and once
// a second while a vehicle is scheduled or under way.  A server without
// the route (404) is not asked again, and the Emergency tab goes.
async function pollEmergency() {
  if (app.evBusy || app.evAbsent) return;
  app.evBusy = true;
  try {
    const j = await api.get('/api/v1/emergency');
    app.evs = j.emergency || [];
  } catch (e) {
    if (e.status === 404) { app.evAbsent = true; actions.noEmergency(); }
  } finally {
    app.evBusy = false;
  }
}

function onState(data) {
  const net = app.net;
  if (!net || app.reloading) { app.pendingState = data; return; }
  const t0 = performance.now();
  const s = JSON.parse(data);
  const lanes = s.lanes && s.lanes.count ? s.lanes.count.length : 0;
  if (lanes !== net.laneCount || (s.signals || []).length !== net.sites.length) {
    // Another city behind the same address (the server was restarted with
    // a different --city): start over with its network.
    app.reloading = true;
    app.pendingState = data;
    loadNetwork().then(() => { loadHistory(); alerts.soon(); });
    return;
  }
  const t1 = performance.now();
  const frame = frameFromState(net, s);
  if (!frame.emergency.length && app.evs.length) frame.emergency = emergencyFromTrips(net, app.evs, frame.signals, net.interval);
  if (app.evs.some((v) => v.state === 'scheduled' || v.state === 'en route')) pollEmergency();
  app.liveFrame = frame;
  app.frame = frame;
  app.states++;
  if (timeline.live) map.setFrame(frame, true);
  const t2 = performance.now();
  kpis.live(frame.time, s.kpis);
  timeline.setNow(frame.time);
  header(s, frame);
  const t3 = performance.now();
  if (app.states === 1) performance.mark('cb:live');
  // A wall screen runs for days: do not let the timeline buffer grow.
  if (app.states % 600 === 0) { performance.clearMeasures('cb:update'); performance.clearMeasures('cb:update-frame'); }
  performance.measure('cb:update', { start: t0, end: t3, detail: { parse: t1 - t0, map: t2 - t1, rest: t3 - t2, bytes: data.length } });
  // ... and until the browser starts the next frame (style, layout and
  // paint of what changed are done by then).
  requestAnimationFrame(() => performance.measure('cb:update-frame', { start: t0 }));
  app.lastStateAt = Date.now();
  if (timeline.live && emergencyActive(frame) !== app.emergencyShown) legend();
}

function onStatus(state, detail) {
  const conn = $('conn');
  if (state === 'live') {
    if (app.lost) {
      // Back after an outage: the gap in the charts and any alerts raised
      // meanwhile come from history; the token may not exist on this server.
      app.lost = false;
      loadHistory();
      alerts.soon();
      identity();
    }
    banner(null);
    document.querySelector('.map-area').classList.remove('stale');
  } else if (state === 'reconnecting' || state === 'stale') {
    app.lost = true;
    const since = app.liveFrame ? ` The map shows the last state received (field time ${fmtClock(app.liveFrame.time)} UTC).` : '';
    banner(`Connection to the server lost — reconnecting…${since}`, false);
    document.querySelector('.map-area').classList.add('stale');
  } else if (state === 'denied') {
    banner(`The server refused the live stream: ${detail}. Sign in with a token that may read.`, true);
  }
  const words = { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', stale: 'No data', denied: 'Refused' };
  conn.dataset.state = timeline.live || state !== 'live' ? state : 'replay';
  $('conn-text').textContent = timeline.live || state !== 'live' ? words[state] || state : 'Replay';
}

function header(s, frame) {
  $('clock').textContent = `${fmtClock(frame.time)} UTC`;
  const rate = Number(s.speed);
  $('field-rate').textContent = s.field === 'external' ? 'field: sensors' : `twin ×${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}`;
}

function banner(text, bad) {
  const b = $('banner');
  b.hidden = !text;
  if (text) { b.textContent = text; b.classList.toggle('banner-bad', !!bad); }
}

/*--- modes ------------------------------------------------------------------*/

function setMode(mode, t) {
  $('app').dataset.mode = mode;
  if (mode === 'live') {
    $('map-mode').hidden = true;
    kpis.setCursor(null);
    alerts.setTime(null);
    if (app.liveFrame) { app.frame = app.liveFrame; map.setFrame(app.liveFrame); }
    onStatus(app.stream ? app.stream.state : 'connecting');
  } else {
    $('map-mode').hidden = false;
    modeBadge(t);
    $('conn').dataset.state = 'replay';
    $('conn-text').textContent = 'Replay';
  }
}

function modeBadge(t, frame) {
  const el = $('map-mode');
  const part = frame && frame.complete === false ? ' · part of the city (zoom in for all of it)' : '';
  el.textContent = `REPLAY · ${fmtClock(t)} UTC · stored observations${part}`;
}

/*--- map helpers ------------------------------------------------------------*/

function minDetailScale() { return 1.2; }

function focusIntersection(id) {
  const i = app.net && app.net.interIndex.get(id);
  if (i === undefined) return;
  map.centerOn(app.net.ix[i], app.net.iy[i], minDetailScale());
  map.select({ kind: 'inter', i });
}

function emergencyActive(frame) { return !!(frame && frame.emergency && frame.emergency.length); }

function legend() {
  const M = METRICS[app.metric];
  const el = $('legend');
  app.emergencyShown = emergencyActive(app.frame);
  const keys = [
    [h('i', { style: `background:${THEME.empty}` }), 'no vehicles'],
    [h('span', { class: 'lamps' }, h('i', { class: 'lamp', style: `background:${THEME.green}` }), h('i', { class: 'lamp', style: `background:${THEME.red}` })), 'signal: go / stop'],
    [h('i', { class: 'ring', style: `border-color:${THEME.override}` }), 'signal held by an operator'],
    [h('i', { class: 'dot', style: `background:${THEME.alert}` }), 'active alert'],
  ];
  if (app.emergencyShown) keys.push([h('i', { style: `background:${THEME.emergency}` }), 'emergency vehicle, its roads, preempted signals']);
  el.replaceChildren(
    h('h3', null, M.title),
    h('div', { class: 'legend-ramp' }, RAMP.map((c) => h('span', { style: `background:${c}` }))),
    h('div', { class: 'legend-ticks' }, M.ticks.map((t) => h('span', null, t))),
    h('div', { class: 'legend-keys' }, keys.flat()));
}

function tooltip(hit, p) {
  const tip = $('tooltip');
  const net = app.net, f = timeline.live ? app.liveFrame : app.replayFrame;
  if (!hit || !net) { tip.hidden = true; return; }
  const rows = [];
  let title;
  if (hit.kind === 'road') {
    const r = hit.i;
    title = net.roadIds[r];
    const st = map.stats;
    rows.push(['Lanes', `${net.roadLanes[r]}`], ['Length', `${fmtNum(net.roadLength[r])} m`], ['Speed limit', `${fmtNum(net.roadLimit[r] * KMH)} km/h`]);
    if (st) {
      if (Number.isFinite(st.count[r]) && f && f.source === 'live') rows.push(['Vehicles', fmtNum(st.count[r])]);
      rows.push(['Mean speed', Number.isFinite(st.speed[r]) ? `${fmtNum(st.speed[r] * KMH, 1)} km/h (${fmtNum(st.ratio[r] * 100)} %)` : 'no vehicles']);
      rows.push(['Occupancy', Number.isFinite(st.occ[r]) ? `${fmtNum(st.occ[r] * 100, 1)} %` : '—']);
    }
  } else {
    const i = hit.i;
    title = net.interIds[i];
    const k = net.siteOf[i];
    if (k < 0) rows.push(['Signals', 'none']);
    else {
      const g = f && f.signals ? f.signals[k] : null;
      const site = siteDetail(net, k);
      if (g) {
        rows.push(['Plan', g.plan || '—'], ['Phase', `${g.phase} · ${site.phaseText[g.phase] || ''}`], ['State', g.state]);
        if (g.override_remaining !== undefined) rows.push(['Override ends in', fmtDuration(g.override_remaining)]);
      }
      rows.push(['Green phases', site.greens.join(', ')]);
    }
  }
  tip.replaceChildren(h('h4', null, title), h('dl', null, rows.flat().map((v, k) => h(k % 2 ? 'dd' : 'dt', null, v))),
    h('p', { class: 'hint' }, hit.kind === 'road' ? 'Click: select for an incident' : 'Click: select for a signal action'));
  tip.hidden = false;
  const host = document.querySelector('.map-area').getBoundingClientRect();
  const tw = tip.offsetWidth, th = tip.offsetHeight;
  tip.style.left = `${Math.min(p.x + 16, host.width - tw - 8)}px`;
  tip.style.top = `${Math.min(p.y + 16, host.height - th - 8)}px`;
}

/*--- controls ---------------------------------------------------------------*/

for (const b of document.querySelectorAll('.seg-btn')) {
  b.addEventListener('click', () => {
    app.metric = b.dataset.metric;
    for (const x of document.querySelectorAll('.seg-btn')) x.setAttribute('aria-pressed', String(x === b));
    map.setMetric(app.metric);
    legend();
  });
}
for (const name of ['signals', 'alerts', 'emergency']) {
  $(`layer-${name}`).addEventListener('change', (e) => map.setLayer(name, e.target.checked));
}
$('zoom-in').addEventListener('click', () => map.zoomAt(1.6));
$('zoom-out').addEventListener('click', () => map.zoomAt(1 / 1.6));
$('zoom-fit').addEventListener('click', () => map.fit());
document.addEventListener('keydown', (e) => {
  if (e.target.closest('input, select, textarea, dialog')) return;
  if (e.key === '+' || e.key === '=') map.zoomAt(1.6);
  else if (e.key === '-') map.zoomAt(1 / 1.6);
  else if (e.key === '0') map.fit();
  else if (e.key === 'Escape') map.select(null);
  else if (e.key === ' ' && !e.target.closest('button')) { e.preventDefault(); timeline.playing ? timeline.pause() : timeline.play(); }
});

start();
