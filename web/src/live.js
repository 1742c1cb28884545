// live.js -- one picture of the city ("a frame") from either source the
// map shows: the live state (GET /state, the SSE "state" event) or stored
// history (observations and signal decisions at a past time).  The map
// only ever draws frames, so live and replay look the same.
//
// A frame holds per-lane arrays in engine order (network.js's lane
// indices): vehicle count (-1: unknown), mean speed in m/s (NaN: no
// vehicle to measure), occupancy 0..1; per-site signal status in the order
// of net.sites; the KPIs; and the emergency vehicles, when the server
// reports any.

import { METRICS } from './colors.js';
import { KMH } from './format.js';

function emptyLanes(n) {
  return { count: new Int32Array(n).fill(-1), speed: new Float32Array(n).fill(NaN), occ: new Float32Array(n).fill(NaN) };
}

export function frameFromState(net, s) {
  const n = net.laneCount;
  const lanes = emptyLanes(n);
  const L = s.lanes || {};
  const cnt = L.count || [], spd = L.speed || [], occ = L.occupancy || [], stp = L.stopped || [];
  const m = Math.min(n, cnt.length);
  for (let l = 0; l < m; l++) {
    const c = cnt[l];
    lanes.count[l] = c;
    // The twin reports 0 m/s for an empty lane: that is "no vehicle", not
    // "stopped traffic".
    if (c > 0) lanes.speed[l] = spd[l];
    lanes.occ[l] = occ[l] ?? NaN;
  }
  lanes.stopped = stp;
  const sig = new Array(net.sites.length).fill(null);
  (s.signals || []).forEach((g, k) => {
    const i = net.sites[k] && net.sites[k].id === g.intersection ? k : net.siteIndex.get(g.intersection);
    if (i !== undefined) sig[i] = g;
  });
  return {
    source: 'live', time: Date.parse(s.time), simTime: s.sim_time, rate: s.speed, field: s.field,
    lanes, signals: sig, kpis: s.kpis || null, emergency: parseEmergency(net, s),
  };
}

// A frame at time t from stored history: the latest observation of each
// lane at or before t, and the latest signal decision of each site.
export function frameFromHistory(net, t, entities, decisions) {
  const lanes = emptyLanes(net.laneCount);
  const seen = new Float64Array(net.laneCount);
  for (const e of entities) {
    const ref = typeof e.refRoadSegment === 'string' ? e.refRoadSegment : e.refRoadSegment && e.refRoadSegment.object;
    if (!ref) continue;
    const r = net.roadIndex.get(ref.slice(ref.lastIndexOf(':') + 1));
    const li = val(e.laneId);
    if (r === undefined || !(li >= 0) || li >= net.roadLanes[r]) continue;
    const l = net.roadFirstLane[r] + li;
    const from = Date.parse(val(e.dateObservedFrom));
    if (from < seen[l]) continue;
    seen[l] = from;
    const v = val(e.averageVehicleSpeed), o = val(e.occupancy), q = val(e.intensity);
    lanes.speed[l] = Number.isFinite(v) ? v / KMH : NaN;
    lanes.occ[l] = Number.isFinite(o) ? o : NaN;
    lanes.count[l] = Number.isFinite(v) || o > 0 || q > 0 ? 1 : 0;
  }
  const sig = new Array(net.sites.length).fill(null);
  for (const d of decisions) {
    const k = net.siteIndex.get(d.intersection);
    if (k === undefined) continue;
    const td = Date.parse(d.time);
    if (td > t) continue;
    if (!sig[k] || sig[k].t <= td) sig[k] = { t: td, intersection: d.intersection, phase: d.phase, green: d.phase, state: 'green', plan: d.source };
  }
  return { source: 'history', time: t, lanes, signals: sig, kpis: null, emergency: [] };
}

const val = (x) => (x && typeof x === 'object' && 'value' in x ? (x.value && x.value['@value'] !== undefined ? x.value['@value'] : x.value) : x);

// Emergency vehicles, if the server reports them.  The layer accepts
//   "emergency": [ { "id", "route": [road ids], "road": id, "offset": m,
//                    "point": [x, y], "preempted": [intersection ids] } ]
// (or {"vehicles": [...]}), and a signal whose "plan" is "preempt" or that
// carries "preempted": true.  docs/dashboard.md documents the shape.
function parseEmergency(net, s) {
  let list = s.emergency || s.emergency_vehicles;
  if (list && !Array.isArray(list)) list = list.vehicles || [];
  const out = [];
  for (const v of list || []) {
    const route = (v.route || []).map((id) => net.roadIndex.get(typeof id === 'string' ? id : id.road)).filter((r) => r !== undefined);
    const pre = (v.preempted || v.preempted_signals || []).map((id) => net.interIndex.get(id)).filter((i) => i !== undefined);
    let pos = null;
    if (Array.isArray(v.point)) pos = { x: v.point[0], y: v.point[1] };
    else if (v.road !== undefined && net.roadIndex.has(v.road)) {
      const r = net.roadIndex.get(v.road);
      pos = pointAlong(net, r, Number.isFinite(v.offset) ? v.offset / (net.roadLength[r] || 1) : 0.5);
    }
    out.push({ id: String(v.id ?? 'emergency'), route, preempted: pre, pos, kind: v.type || v.kind || 'emergency vehicle' });
  }
  (s.signals || []).forEach((g) => {
    if (g.plan === 'preempt' || g.preempted === true) {
      const i = net.interIndex.get(g.intersection);
      if (i !== undefined) {
        if (!out.length) out.push({ id: 'preemption', route: [], preempted: [], pos: null, kind: 'preemption' });
        if (!out[0].preempted.includes(i)) out[0].preempted.push(i);
      }
    }
  });
  return out;
}

// Emergency vehicles from GET /api/v1/emergency (docs/emergency.md): each
// trip names the road the vehicle is on and its destination, not yet the
// route between, so the layer shows the vehicle on its road and where it
// is going.  Its green holds reach the state as overrides that lapse
// within two steps unless renewed; an operator's override lasts at least a
// second and usually minutes, so while a vehicle is under way a short-lived
// override is taken for a preemption.  A state that reports preemption
// itself (plan "preempt", docs/dashboard.md) is read by parseEmergency.
export function emergencyFromTrips(net, trips, signals, interval = 1) {
  const out = [];
  for (const t of trips || []) {
    if (t.state !== 'en route') continue;
    const cur = net.roadIndex.get(t.road), dest = net.roadIndex.get(t.destination);
    const route = [cur, dest].filter((r, k, a) => r !== undefined && a.indexOf(r) === k);
    out.push({
      id: `EV ${t.emergency}`, kind: 'emergency vehicle', route, preempted: [],
      pos: cur !== undefined ? pointAlong(net, cur, 0.5) : null,
      dest: dest !== undefined ? pointAlong(net, dest, 1) : null,
    });
  }
  if (out.length) {
    (signals || []).forEach((g, k) => {
      if (g && g.plan === 'override' && g.override_remaining !== undefined && g.override_remaining <= 2 * interval + 0.5) {
        const i = net.sites[k] ? net.sites[k].inter : -1;
        if (i >= 0) out[0].preempted.push(i);
      }
    });
  }
  return out;
}

// The point a fraction f along road r's drawn line.
export function pointAlong(net, r, f) {
  const a = net.ptStart[r], z = net.ptStart[r + 1];
  let total = 0;
  for (let p = a + 1; p < z; p++) total += Math.hypot(net.pts[2 * p] - net.pts[2 * p - 2], net.pts[2 * p + 1] - net.pts[2 * p - 1]);
  let want = Math.max(0, Math.min(1, f)) * total;
  for (let p = a + 1; p < z; p++) {
    const l = Math.hypot(net.pts[2 * p] - net.pts[2 * p - 2], net.pts[2 * p + 1] - net.pts[2 * p - 1]);
    if (want <= l || p === z - 1) {
      const g = l ? Math.min(1, want / l) : 0;
      return { x: net.pts[2 * p - 2] + (net.pts[2 * p] - net.pts[2 * p - 2]) * g, y: net.pts[2 * p - 1] + (net.pts[2 * p + 1] - net.pts[2 * p - 1]) * g };
    }
    want -= l;
  }
  return { x: net.mid[2 * r], y: net.mid[2 * r + 1] };
}

// Per-road figures of a frame: vehicles, count-weighted mean speed (m/s)
// and its share of the limit, mean occupancy.  NaN: nothing measured.
export function roadStats(net, frame) {
  const nR = net.nRoads;
  const count = new Float32Array(nR), speed = new Float32Array(nR), ratio = new Float32Array(nR), occ = new Float32Array(nR);
  const { count: lc, speed: ls, occ: lo } = frame.lanes;
  for (let r = 0; r < nR; r++) {
    const a = net.roadFirstLane[r], z = a + net.roadLanes[r];
    let c = 0, known = false, sw = 0, sv = 0, so = 0, no = 0;
    for (let l = a; l < z; l++) {
      if (lc[l] >= 0) { c += lc[l]; known = true; }
      const v = ls[l];
      if (v === v) {
        const w = lc[l] > 0 ? lc[l] : 1;
        sv += v * w;
        sw += w;
      }
      const o = lo[l];
      if (o === o) { so += o; no++; }
    }
    count[r] = known ? c : NaN;
    speed[r] = sw ? sv / sw : NaN;
    ratio[r] = sw && net.roadLimit[r] > 0 ? speed[r] / net.roadLimit[r] : NaN;
    occ[r] = no ? so / no : NaN;
  }
  return { count, speed, ratio, occ };
}

// Colour class of each road (0: nothing to show) for the metric.
export function roadClasses(net, stats, metric) {
  const M = METRICS[metric];
  const out = new Uint8Array(net.nRoads);
  for (let r = 0; r < net.nRoads; r++) {
    if (metric === 'speed') {
      const v = stats.ratio[r];
      out[r] = v === v && stats.count[r] !== 0 ? M.classOf(v) : 0;
    } else {
      const v = stats.occ[r];
      out[r] = v === v && (v > 0 || stats.count[r] > 0) ? M.classOf(v) : 0;
    }
  }
  return out;
}

export function laneClass(net, frame, l, metric) {
  const M = METRICS[metric];
  if (metric === 'speed') {
    const v = frame.lanes.speed[l], lim = net.laneLimit[l];
    return v === v && frame.lanes.count[l] !== 0 && lim > 0 ? M.classOf(v / lim) : 0;
  }
  const o = frame.lanes.occ[l];
  return o === o && (o > 0 || frame.lanes.count[l] > 0) ? M.classOf(o) : 0;
}
