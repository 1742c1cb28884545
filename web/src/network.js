// network.js -- GET /api/v1/network turned into what the map draws: flat
// typed arrays of road polylines (already shifted to their side of the
// street and trimmed at the junctions), lane -> road tables for the live
// arrays of /state, and the signal heads of every signalized junction.
//
// Invariants (relied on by map.js and live.js):
//   - roads are in the API's order, which is engine order; lanes of road r
//     are roadFirstLane[r] .. roadFirstLane[r] + roadLanes[r] - 1, the same
//     indices as the per-lane arrays of /state;
//   - road r's drawing points are pts[2*ptStart[r] .. 2*ptStart[r+1]-1];
//   - bbox[4r..4r+3] is road r's drawn extent (minX, minY, maxX, maxY),
//     widened by its width, for culling and hit tests.

// A movement's type letter (GET /network's movements.type) -> the head it
// belongs to: 0 left (and U-turns), 1 straight, 2 right.
const TURN = { L: 0, S: 1, R: 2, U: 0 };
const TURN_NAME = { L: 'left', S: 'straight', R: 'right', U: 'u-turn' };
export const LANE_WIDTH = 4;

// Expand a run-length column ([value, count, value, count, ...]) into out.
function runs(col, out) {
  let k = 0;
  for (let i = 0; i + 1 < (col || []).length; i += 2) {
    const v = col[i] ?? NaN, n = col[i + 1];
    for (let q = 0; q < n && k < out.length; q++) out[k++] = v;
  }
  return out;
}

// Start of each item's slice in a flattened list, from its count column.
function starts(counts, n) {
  const a = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) a[i + 1] = a[i] + (counts[i] || 0);
  return a;
}

// j: the "columns" form of GET /api/v1/network (docs/api.md).
export function buildNetwork(j) {
  if (!j || j.format !== 'columns') throw new Error('the network answer is not in the "columns" format');
  const R = j.roads || {}, I = j.intersections || {}, S = j.signals || {}, L = j.lanes || {};
  const roadIds = R.id || [], interIds = I.id || [];
  const nR = roadIds.length, nI = interIds.length;
  const ix = new Float64Array(nI), iy = new Float64Array(nI), iw = new Float32Array(nI);
  const iVirtual = new Uint8Array(nI), iHasPoint = new Uint8Array(nI);
  const ipt = I.point || [], iwid = I.width || [], ivirt = I.virtual || [];
  for (let i = 0; i < nI; i++) {
    const x = ipt[2 * i], y = ipt[2 * i + 1];
    if (typeof x === 'number' && typeof y === 'number') { ix[i] = x; iy[i] = y; iHasPoint[i] = 1; }
    iw[i] = iwid[i] || 0;
    iVirtual[i] = ivirt[i] ? 1 : 0;
  }

  const roadFirstLane = Uint32Array.from(R.first_lane || []), roadLanes = Uint8Array.from(R.lanes || []);
  const roadWidth = new Float32Array(nR), roadLength = Float32Array.from(R.length || []), roadLimit = new Float32Array(nR);
  const roadFrom = Int32Array.from(R.from || []), roadTo = Int32Array.from(R.to || []);
  const srcStart = starts(R.point_count || [], nR), src = R.points || [];
  const ptStart = new Uint32Array(nR + 1);
  let nPts = 0;
  for (let r = 0; r < nR; r++) nPts += Math.max(2, srcStart[r + 1] - srcStart[r]);
  const pts = new Float64Array(2 * nPts);
  const bbox = new Float64Array(4 * nR);
  const mid = new Float64Array(2 * nR);
  const laneCount = j.lane_count || 0;
  const laneRoad = new Int32Array(laneCount).fill(-1);
  const laneLimit = runs(L.max_speed, new Float32Array(laneCount)), laneWidth = runs(L.width, new Float32Array(laneCount));
  let p = 0, maxWidth = 0;
  const b = [Infinity, Infinity, -Infinity, -Infinity];

  // First pass: what each road is (lanes, width, ends).
  for (let r = 0; r < nR; r++) {
    let w = 0, lim = 0;
    for (let k = 0, l = roadFirstLane[r]; k < roadLanes[r]; k++, l++) {
      if (l >= laneCount) { w += LANE_WIDTH; continue; }
      w += laneWidth[l] || LANE_WIDTH;
      lim = Math.max(lim, laneLimit[l] || 0);
      laneRoad[l] = r;
    }
    roadWidth[r] = w || LANE_WIDTH;
    maxWidth = Math.max(maxWidth, roadWidth[r]);
    roadLimit[r] = lim;
    if (!(roadFrom[r] < nI)) roadFrom[r] = -1;
    if (!(roadTo[r] < nI)) roadTo[r] = -1;
  }
  // A junction's box on the map: its own width, but at least as wide as the
  // streets that cross it, so that roads stop at its edge instead of
  // overlapping each other (a CityFlow junction is often narrower than
  // two opposite roads side by side).  Boundary (virtual) junctions: none.
  const ihalf = new Float32Array(nI);
  for (let i = 0; i < nI; i++) ihalf[i] = iVirtual[i] ? 0 : iw[i] / 2;
  for (let r = 0; r < nR; r++) {
    const a = roadFrom[r], z = roadTo[r];
    if (a >= 0 && !iVirtual[a]) ihalf[a] = Math.max(ihalf[a], roadWidth[r]);
    if (z >= 0 && !iVirtual[z]) ihalf[z] = Math.max(ihalf[z], roadWidth[r]);
  }
  // Second pass: where each road is drawn.
  const ends = new Float64Array(4);
  for (let r = 0; r < nR; r++) {
    ptStart[r] = p;
    let line = src, at = srcStart[r], n = srcStart[r + 1] - srcStart[r];
    if (n < 2) {
      // No geometry: draw it between its junctions' centres if known.
      const a = roadFrom[r], z = roadTo[r];
      if (a >= 0 && z >= 0 && iHasPoint[a] && iHasPoint[z]) { ends[0] = ix[a]; ends[1] = iy[a]; ends[2] = ix[z]; ends[3] = iy[z]; } else ends.fill(0);
      line = ends; at = 0; n = 2;
    }
    p = placeRoad(line, at, n, roadWidth[r] / 2, trimOf(ihalf, roadFrom[r]), trimOf(ihalf, roadTo[r]), pts, p, bbox, 4 * r, mid, 2 * r);
    b[0] = Math.min(b[0], bbox[4 * r]); b[1] = Math.min(b[1], bbox[4 * r + 1]);
    b[2] = Math.max(b[2], bbox[4 * r + 2]); b[3] = Math.max(b[3], bbox[4 * r + 3]);
  }
  ptStart[nR] = p;
  for (let i = 0; i < nI; i++) {
    if (!iHasPoint[i]) continue;
    b[0] = Math.min(b[0], ix[i]); b[1] = Math.min(b[1], iy[i]);
    b[2] = Math.max(b[2], ix[i]); b[3] = Math.max(b[3], iy[i]);
  }
  if (!Number.isFinite(b[0])) { b[0] = b[1] = 0; b[2] = b[3] = 1; }

  // Signalized junctions: the sites of the signal layer, in /state order.
  const nS = (S.intersection || []).length, gStart = starts(S.green_count || [], nS), greens = S.greens || [];
  const siteOf = new Int32Array(nI).fill(-1);
  const sites = new Array(nS);
  for (let k = 0; k < nS; k++) {
    const i = S.intersection[k] >= 0 && S.intersection[k] < nI ? S.intersection[k] : -1;
    if (i >= 0) siteOf[i] = k;
    // heads, phaseMask, phaseText: filled by siteDetail() when first needed
    // (10,000 junctions would otherwise cost a quarter of a second at load)
    sites[k] = { id: i >= 0 ? interIds[i] : '?', inter: i, greens: greens.slice(gStart[k], gStart[k + 1]),
      yellow: (S.yellow_phase || [])[k], heads: null, phaseMask: null, phaseText: null };
  }
  // The side a road arrives from, for phase names ("straight from W, E").
  const approach = (r) => {
    const q = ptStart[r + 1] - 1;
    const dx = pts[2 * q] - pts[2 * q - 2], dy = pts[2 * q + 1] - pts[2 * q - 1];
    const a = Math.atan2(dy, dx) * 180 / Math.PI;
    return a > -45 && a <= 45 ? 'W' : a > 45 && a <= 135 ? 'S' : a > -135 && a <= -45 ? 'N' : 'E';
  };
  // Id -> index maps and the hit-test grid are built on first use: on the
  // 100x100 grid they cost some 50 ms that the first map need not wait for.
  const lazy = {};
  const once = (key, make) => lazy[key] ?? (lazy[key] = make());
  return {
    city: j.city || 'city', interval: j.interval || 1,
    nRoads: nR, nInters: nI, laneCount,
    roadIds, get roadIndex() { return once('road', () => indexOf(roadIds)); }, roadFirstLane, roadLanes, roadWidth, roadLength, roadLimit,
    roadFrom, roadTo, ptStart, pts, bbox, mid, maxWidth,
    laneRoad, laneLimit,
    interIds, get interIndex() { return once('inter', () => indexOf(interIds)); }, ix, iy, iw, ihalf, iVirtual, iHasPoint,
    movements: j.movements || {}, phases: j.phases || {},
    mvStart: starts(I.movement_count || [], nI), phStart: starts(I.phase_count || [], nI),
    sites, siteOf, get siteIndex() { return once('site', () => indexOf(sites.map((x) => x.id))); }, approach,
    bounds: b,
    get grid() { return once('grid', () => buildGrid(nR, nI, bbox, ix, iy, iHasPoint, iVirtual, b)); },
  };
}

const trimOf = (half, i) => (i >= 0 ? half[i] : 0);
const indexOf = (ids) => new Map(ids.map((id, k) => [id, k]));

// Site k with its signal heads and phase names (built on first use).
export function siteDetail(net, k) {
  const site = net.sites[k];
  if (!site.heads) {
    site.heads = [];
    site.phaseMask = [];
    site.phaseText = [];
    if (site.inter >= 0) buildHeads(site, net, site.inter);
  }
  return site;
}

// Copy a polyline (n points of the flat x, y list `line` from point `at`),
// trimmed by t0 / t1 metres at its ends and shifted `off` metres to the
// right of its direction of travel (the y axis points north), into pts at
// point index p.  Returns the next point index.
function placeRoad(line, at, n, off, t0, t1, pts, p, bbox, bo, mid, mo) {
  if (n === 2) {
    // A straight road (nearly all of them): no temporary arrays.
    let ax = line[2 * at], ay = line[2 * at + 1], bx = line[2 * at + 2], by = line[2 * at + 3];
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const k = t0 + t1 > 0.8 * len ? (0.8 * len) / (t0 + t1) : 1;
    const ux = (bx - ax) / len, uy = (by - ay) / len;
    ax += ux * t0 * k; ay += uy * t0 * k; bx -= ux * t1 * k; by -= uy * t1 * k;
    ax += uy * off; ay -= ux * off; bx += uy * off; by -= ux * off;
    pts[2 * p] = ax; pts[2 * p + 1] = ay; pts[2 * p + 2] = bx; pts[2 * p + 3] = by;
    bbox[bo] = Math.min(ax, bx) - off; bbox[bo + 1] = Math.min(ay, by) - off;
    bbox[bo + 2] = Math.max(ax, bx) + off; bbox[bo + 3] = Math.max(ay, by) + off;
    mid[mo] = (ax + bx) / 2; mid[mo + 1] = (ay + by) / 2;
    return p + 2;
  }
  const xs = new Array(n), ys = new Array(n);
  for (let k = 0; k < n; k++) { xs[k] = line[2 * (at + k)]; ys[k] = line[2 * (at + k) + 1]; }
  let len = 0;
  for (let k = 1; k < n; k++) len += Math.hypot(xs[k] - xs[k - 1], ys[k] - ys[k - 1]);
  // Never trim a short road away entirely.
  const scale = t0 + t1 > 0.8 * len ? (0.8 * len) / (t0 + t1 || 1) : 1;
  t0 *= scale; t1 *= scale;
  trimStart(xs, ys, t0);
  xs.reverse(); ys.reverse();
  trimStart(xs, ys, t1);
  xs.reverse(); ys.reverse();
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k < n; k++) {
    // Normal of the segment(s) around point k, averaged at bends.
    let dx = 0, dy = 0;
    if (k > 0) { const l = Math.hypot(xs[k] - xs[k - 1], ys[k] - ys[k - 1]) || 1; dx += (xs[k] - xs[k - 1]) / l; dy += (ys[k] - ys[k - 1]) / l; }
    if (k < n - 1) { const l = Math.hypot(xs[k + 1] - xs[k], ys[k + 1] - ys[k]) || 1; dx += (xs[k + 1] - xs[k]) / l; dy += (ys[k + 1] - ys[k]) / l; }
    const l = Math.hypot(dx, dy) || 1;
    const x = xs[k] + (dy / l) * off, y = ys[k] - (dx / l) * off;
    pts[2 * p] = x;
    pts[2 * p + 1] = y;
    p++;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  bbox[bo] = x0 - off; bbox[bo + 1] = y0 - off; bbox[bo + 2] = x1 + off; bbox[bo + 3] = y1 + off;
  const m = Math.floor((n - 1) / 2);
  mid[mo] = (pts[2 * (p - n + m)] + pts[2 * (p - n + m + 1)]) / 2;
  mid[mo + 1] = (pts[2 * (p - n + m) + 1] + pts[2 * (p - n + m + 1) + 1]) / 2;
  return p;
}

// Move the first point t metres along the polyline (in place).
function trimStart(xs, ys, t) {
  for (let k = 0; k + 1 < xs.length && t > 0; k++) {
    const l = Math.hypot(xs[k + 1] - xs[k], ys[k + 1] - ys[k]);
    if (l > t || k + 2 === xs.length) {
      const f = Math.min(t / (l || 1), 1);
      xs[k] += (xs[k + 1] - xs[k]) * f;
      ys[k] += (ys[k + 1] - ys[k]) * f;
      for (let q = 0; q < k; q++) { xs[q] = xs[k]; ys[q] = ys[k]; }
      return;
    }
    t -= l;
  }
}

// Signal heads: for each road entering the junction, one head per turn
// (left, straight, right, inner to outer, as lanes usually are), and for
// each phase which heads it lets go.  Junction i's movements are
// net.movements[...][mvStart[i] .. mvStart[i+1]-1], its phases
// net.phases[...][phStart[i] .. phStart[i+1]-1].
function buildHeads(site, net, i) {
  const M = net.movements, m0 = net.mvStart[i], nm = net.mvStart[i + 1] - m0;
  const from = M.from || [], types = M.type || '';
  const byRoad = new Map();
  const headOf = [];
  for (let k = 0; k < nm; k++) {
    const r = from[m0 + k];
    if (!(r >= 0 && r < net.nRoads)) { headOf.push(-1); continue; }
    if (!byRoad.has(r)) byRoad.set(r, new Map());
    const turns = byRoad.get(r);
    const t = TURN[types[m0 + k]] ?? 1;
    if (!turns.has(t)) turns.set(t, -1);
    headOf.push([r, t]);
  }
  for (const [r, turns] of byRoad) {
    const ts = [...turns.keys()].sort();
    ts.forEach((t, k) => {
      turns.set(t, site.heads.length);
      site.heads.push({ road: r, turn: t, slot: k, slots: ts.length });
    });
  }
  const mvHead = headOf.map((x) => (x === -1 ? -1 : byRoad.get(x[0]).get(x[1])));
  const masks = (net.phases || {}).movements || [];
  for (let p = net.phStart[i]; p < net.phStart[i + 1]; p++) {
    const on = new Uint8Array(site.heads.length), allowed = phaseMovements(masks[p], nm);
    for (const k of allowed) if (mvHead[k] >= 0) on[mvHead[k]] = 1;
    site.phaseMask.push(on);
    site.phaseText.push(describePhase(allowed, net, m0));
  }
}

// The movements (junction-local indices) a phase's hex mask lets go:
// digit d holds movements 4d..4d+3, bit j movement 4d+j (docs/api.md).
export function phaseMovements(mask, nm) {
  const out = [];
  for (let d = 0; d < (mask || '').length; d++) {
    const v = parseInt(mask[d], 16) || 0;
    for (let j = 0; j < 4; j++) if (v & (1 << j) && 4 * d + j < nm) out.push(4 * d + j);
  }
  return out;
}

// "straight from W, E" style names for the phase menu (right turns, which
// most phases allow, are left out).
function describePhase(allowed, net, m0) {
  const parts = new Map();
  const from = net.movements.from || [], types = net.movements.type || '';
  for (const k of allowed) {
    const ty = types[m0 + k];
    if (ty === 'R') continue;
    const r = from[m0 + k];
    const t = TURN_NAME[ty] || 'unknown';
    if (!parts.has(t)) parts.set(t, new Set());
    parts.get(t).add(r >= 0 && r < net.nRoads ? net.approach(r) : '?');
  }
  if (!parts.size) return 'right turns only';
  return [...parts].map(([t, from]) => `${t} from ${[...from].sort().join(', ')}`).join('; ');
}

// A uniform grid over the bounds: cell -> road and junction indices whose
// box touches it.  Hit tests look at one cell and its neighbours.
function buildGrid(nR, nI, bbox, ix, iy, iHasPoint, iVirtual, b) {
  const w = b[2] - b[0] || 1, hgt = b[3] - b[1] || 1;
  const n = Math.max(1, Math.min(512, Math.round(Math.sqrt(nR / 4))));
  const cw = Math.max(w, hgt) / n;
  const cols = Math.max(1, Math.ceil(w / cw)), rows = Math.max(1, Math.ceil(hgt / cw));
  const roads = Array.from({ length: cols * rows }, () => []);
  const inters = Array.from({ length: cols * rows }, () => []);
  const cx = (x) => Math.min(cols - 1, Math.max(0, Math.floor((x - b[0]) / cw)));
  const cy = (y) => Math.min(rows - 1, Math.max(0, Math.floor((y - b[1]) / cw)));
  for (let r = 0; r < nR; r++) {
    const c0 = cx(bbox[4 * r]), c1 = cx(bbox[4 * r + 2]), r0 = cy(bbox[4 * r + 1]), r1 = cy(bbox[4 * r + 3]);
    for (let yy = r0; yy <= r1; yy++) for (let xx = c0; xx <= c1; xx++) roads[yy * cols + xx].push(r);
  }
  for (let i = 0; i < nI; i++) if (iHasPoint[i] && !iVirtual[i]) inters[cy(iy[i]) * cols + cx(ix[i])].push(i);
  return { cols, rows, cw, x0: b[0], y0: b[1], roads, inters, cx, cy };
}
