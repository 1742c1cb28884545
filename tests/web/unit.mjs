// unit.mjs -- the dashboard's data code without a browser: the geometry
// built from GET /network, frames from live state and from stored history,
// per-road figures and colour classes, the emergency layer's input.  Every
// expected value below is worked out by hand from the small inputs here.
//
//   node tests/web/unit.mjs        (exit 0, or 1 with the failures)

import { buildNetwork, siteDetail, phaseMovements } from '../../web/src/network.js';
import { frameFromState, frameFromHistory, roadStats, roadClasses, laneClass, pointAlong, emergencyFromTrips } from '../../web/src/live.js';
import { METRICS } from '../../web/src/colors.js';

let failed = 0, ran = 0;
const eq = (a, b, what, tol = 1e-9) => {
  const ok = typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= tol || (Number.isNaN(a) && Number.isNaN(b)) : JSON.stringify(a) === JSON.stringify(b);
  if (!ok) throw new Error(`${what}: got ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
};
function test(name, fn) {
  ran++;
  try { fn(); process.stderr.write(`[  OK  ] ${name}\n`); } catch (e) { failed++; process.stderr.write(`[ FAIL ] ${name}\n  ${e.message}\n`); }
}

// Junction A (signalized, 20 m wide) at the origin, boundary junction B
// 300 m east.  Road AB runs east, road BA west; three 4 m lanes each.
// GET /network's "columns" form (docs/api.md), written out by hand.
const NET = {
  city: 'tiny', format: 'columns', interval: 1, lane_count: 6,
  roads: { count: 2, id: ['AB', 'BA'], from: [0, 1], to: [1, 0], length: [288, 288], first_lane: [0, 3], lanes: [3, 3],
    point_count: [2, 2], points: [0, 0, 300, 0, 300, 0, 0, 0] },
  // runs: [value, count, ...]: AB's lanes at 16 m/s, BA's at 10
  lanes: { length: [270, 6], max_speed: [16, 3, 10, 3], width: [4, 6], exceptions: [] },
  intersections: { count: 2, id: ['A', 'B'], virtual: [0, 1], point: [0, 0, 300, 0], width: [20, 0],
    movement_count: [3, 0], phase_count: [3, 0] },
  // A's movements, all from BA: left, straight, right
  movements: { from: [1, 1, 1], to: [0, 0, 0], type: 'LSR' },
  // hex masks: {0, 2} = 0b101 = '5', {1, 2} = '6', {2} = '4'
  phases: { time: [30, 30, 5], movements: ['5', '6', '4'] },
  signals: { count: 1, intersection: [0], yellow_phase: [2], green_count: [2], greens: [0, 1] },
};
const net = buildNetwork(NET);

test('geometry: roads trimmed at the junction box and shifted to their side', () => {
  // A's box: half-size max(20 / 2, 12 m of road) = 12; B is virtual: 0.
  eq(net.ihalf[0], 12, 'A half-size');
  eq(net.ihalf[1], 0, 'B half-size');
  // AB (eastbound): starts 12 m into the road, 6 m south (its right side).
  eq([...net.pts.slice(0, 4)], [12, -6, 300, -6], 'AB points');
  // BA (westbound): ends 12 m before A, 6 m north.
  eq([...net.pts.slice(4, 8)], [300, 6, 12, 6], 'BA points');
  eq([...net.bbox.slice(0, 4)], [6, -12, 306, 0], 'AB bounding box (line +- 6 m)');
  eq([...net.mid.slice(0, 2)], [156, -6], 'AB middle');
  eq([...net.laneRoad], [0, 0, 0, 1, 1, 1], 'lane -> road');
  eq([...net.laneLimit], [16, 16, 16, 10, 10, 10], 'lane limits from their runs');
  eq([net.roadWidth[0], net.roadFrom[1], net.roadTo[1]], [12, 1, 0], 'AB 3 x 4 m wide; BA from B to A');
  eq(net.roadLimit[1], 10, 'BA limit');
  eq([...net.bounds], [0, -12, 306, 12], 'network bounds');
});

test('signal heads and phase names', () => {
  const s = siteDetail(net, 0);
  // one head per turn of BA, inside (left) to outside (right)
  eq(s.heads.map((x) => [x.road, x.turn, x.slot, x.slots]), [[1, 0, 0, 3], [1, 1, 1, 3], [1, 2, 2, 3]], 'heads');
  eq(s.phaseMask.map((m) => [...m]), [[1, 0, 1], [0, 1, 1], [0, 0, 1]], 'phase masks');
  // BA travels west, so it arrives from the east
  eq(s.phaseText, ['left from E', 'straight from E', 'right turns only'], 'phase names');
});

test('a bent road: shifted along the normal averaged at its bend', () => {
  // one 4 m lane from boundary junction P east 100 m, then north 100 m to Q
  const bent = buildNetwork({
    format: 'columns', lane_count: 1,
    roads: { id: ['PQ'], from: [0], to: [1], length: [200], first_lane: [0], lanes: [1], point_count: [3], points: [0, 0, 100, 0, 100, 100] },
    lanes: { max_speed: [10, 1], width: [4, 1] },
    intersections: { id: ['P', 'Q'], virtual: [1, 1], point: [0, 0, 100, 100], width: [0, 0], movement_count: [0, 0], phase_count: [0, 0] },
    signals: {},
  });
  const h = 2 / Math.SQRT2;      // 2 m along the bend's normal (1, -1) / sqrt 2
  eq([...bent.pts], [0, -2, 100 + h, -h, 102, 100], 'points 2 m to the right of travel', 1e-9);
  eq(bent.sites.length, 0, 'no signals');
});

test('phase masks: hex digits, least significant movements first', () => {
  // '5' = bits 0, 2; 'a' = bits 1, 3 of the second digit: movements 5, 7
  eq(phaseMovements('5a', 8), [0, 2, 5, 7], 'two digits');
  eq(phaseMovements('f', 3), [0, 1, 2], 'bits past the movement count ignored');
  eq(phaseMovements('', 0), [], 'no movements');
  eq(net.sites[0].greens, [0, 1], 'greens cut by green_count');
});

test('an answer in the old per-object form is refused, not misdrawn', () => {
  let msg = '';
  try { buildNetwork({ roads: [], intersections: [] }); } catch (e) { msg = e.message; }
  eq(msg.includes('columns'), true, 'error names the format');
});

test('live frame: per-road figures and speed classes', () => {
  const f = frameFromState(net, {
    time: '2026-01-01T00:00:10Z', sim_time: 10, speed: 1, kpis: {},
    lanes: { count: [2, 1, 0, 0, 0, 0], stopped: [0, 0, 0, 0, 0, 0], speed: [10, 4, 0, 0, 0, 0], occupancy: [0.2, 0.1, 0, 0, 0, 0] },
    signals: [{ intersection: 'A', phase: 1, green: 1, state: 'green', plan: 'fixedtime' }],
  });
  eq(Number.isNaN(f.lanes.speed[2]), true, 'an empty lane has no speed (the twin says 0)');
  const st = roadStats(net, f);
  eq(st.count[0], 3, 'AB vehicles');
  eq(st.speed[0], (2 * 10 + 1 * 4) / 3, 'AB count-weighted mean speed', 1e-6);
  eq(st.ratio[0], 8 / 16, 'AB share of the limit', 1e-6);
  eq(st.occ[0], 0.1, 'AB mean occupancy', 1e-6);
  eq(Number.isNaN(st.speed[1]), true, 'BA: nothing to measure');
  // 0.5 of the limit: classes >= 0.8, >= 0.6, >= 0.4 ... -> the third
  eq([...roadClasses(net, st, 'speed')], [3, 0], 'speed classes');
  // occupancy 0.1: < 0.05, < 0.1, < 0.2 -> the third; BA empty -> 0
  eq([...roadClasses(net, st, 'occupancy')], [3, 0], 'occupancy classes');
  // lane 1 alone: 4 / 16 = 0.25, in [0.25, 0.4): the fourth class
  eq(laneClass(net, f, 1, 'speed'), 4, 'lane class');
  eq(f.signals[0].phase, 1, 'signal by site');
  eq(f.time, Date.parse('2026-01-01T00:00:10Z'), 'frame time');
});

test('colour class bounds', () => {
  eq([0.04, 0.05, 0.099, 0.1, 0.35, 0.6].map((v) => METRICS.occupancy.classOf(v)), [1, 2, 2, 3, 5, 6], 'occupancy');
  eq([1, 0.8, 0.79, 0.1, 0.09, 0].map((v) => METRICS.speed.classOf(v)), [1, 1, 2, 5, 6, 6], 'speed');
});

test('history frame: latest observation per lane, decision in force', () => {
  const t = Date.parse('2026-01-01T00:10:00Z');
  const obs = (lane, from, kmh, occ) => ({
    id: `x${lane}${from}`, type: 'TrafficFlowObserved', refRoadSegment: 'urn:ngsi-ld:RoadSegment:AB', laneId: lane,
    dateObservedFrom: from, dateObservedTo: from, averageVehicleSpeed: kmh, occupancy: occ, intensity: 3,
  });
  const f = frameFromHistory(net, t, [
    obs(0, '2026-01-01T00:08:00Z', 18, 0.3),
    obs(0, '2026-01-01T00:09:00Z', 36, 0.1),     // later: wins
    obs(2, '2026-01-01T00:09:00Z', undefined, 0),
    { refRoadSegment: { type: 'Relationship', object: 'urn:ngsi-ld:RoadSegment:BA' }, laneId: { type: 'Property', value: 1 },
      dateObservedFrom: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-01-01T00:09:00Z' } },
      averageVehicleSpeed: { type: 'Property', value: 7.2, unitCode: 'KMH' }, occupancy: { type: 'Property', value: 0.5 } },
  ], [
    { time: '2026-01-01T00:05:00Z', intersection: 'A', phase: 0, source: 'fixedtime' },
    { time: '2026-01-01T00:09:30Z', intersection: 'A', phase: 1, source: 'override' },
    { time: '2026-01-01T00:10:30Z', intersection: 'A', phase: 0, source: 'fixedtime' },   // after t
  ]);
  eq(f.lanes.speed[0], 10, 'lane 0: 36 km/h = 10 m/s', 1e-6);
  eq(f.lanes.occ[0], 0.1, 'lane 0 occupancy', 1e-6);
  eq(Number.isNaN(f.lanes.speed[2]) && f.lanes.count[2] === 1, true, 'lane 2: observed, no speed');
  eq(f.lanes.speed[4], 2, 'normalized entity: BA lane 1 = 7.2 km/h', 1e-6);
  eq(f.lanes.count[1], -1, 'lane 1 never observed');
  eq([f.signals[0].phase, f.signals[0].plan], [1, 'override'], 'the decision in force at t');
});

test('emergency layer input', () => {
  const f = frameFromState(net, {
    time: '2026-01-01T00:00:10Z', lanes: { count: [0, 0, 0, 0, 0, 0] }, signals: [],
    emergency: [{ id: 7, route: ['AB', 'nope', 'BA'], road: 'AB', offset: 144, preempted: ['A', 'Z'] }],
  });
  eq(f.emergency.length, 1, 'one vehicle');
  const v = f.emergency[0];
  eq([v.id, v.route, v.preempted], ['7', [0, 1], [0]], 'route and preempted junctions (unknown ids dropped)');
  // 144 m of 288: half way along AB's drawn line (12,-6)-(300,-6)
  eq([v.pos.x, v.pos.y], [156, -6], 'position');
  eq(pointAlong(net, 1, 1), { x: 12, y: 6 }, 'end of BA');
  const g = frameFromState(net, { time: '2026-01-01T00:00:10Z', lanes: { count: [] }, signals: [{ intersection: 'A', plan: 'preempt', phase: 0 }] });
  eq(g.emergency.map((e) => e.preempted), [[0]], 'a preempted signal alone');
});

test('emergency vehicles from GET /api/v1/emergency', () => {
  const trips = [
    { emergency: 0, origin: 'AB', destination: 'BA', state: 'en route', road: 'AB' },
    { emergency: 1, origin: 'AB', destination: 'BA', state: 'arrived' },
    { emergency: 2, origin: 'AB', destination: 'BA', state: 'scheduled' },
  ];
  const held = [{ intersection: 'A', phase: 1, plan: 'override', override_remaining: 2 }];
  const ev = emergencyFromTrips(net, trips, held, 1);
  eq(ev.length, 1, 'only the vehicle under way');
  eq([ev[0].id, ev[0].route], ['EV 0', [0, 1]], 'its road and its destination');
  eq([ev[0].pos.x, ev[0].pos.y], [156, -6], 'on the middle of its road');
  eq([ev[0].dest.x, ev[0].dest.y], [12, 6], 'the end of its destination');
  eq(ev[0].preempted, [0], 'a lapsing override is its hold');
  // an operator's override (minutes left) is not a preemption
  eq(emergencyFromTrips(net, trips, [{ intersection: 'A', phase: 1, plan: 'override', override_remaining: 90 }], 1)[0].preempted, [], 'operator override');
  eq(emergencyFromTrips(net, trips.slice(1), held, 1), [], 'nobody under way: no layer');
});

process.stderr.write(`${ran} cases, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
