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

const TURN = { turn_left: 0, go_straight: 1, turn_right: 2, u_turn: 0, unknown: 1 };
export const LANE_WIDTH = 4;

export function buildNetwork(j) {
  const roads = j.roads || [], inters = j.intersections || [];
  const nR = roads.length, nI = inters.length;
  const interIndex = new Map();
  const ix = new Float64Array(nI), iy = new Float64Array(nI), iw = new Float32Array(nI);
  const iVirtual = new Uint8Array(nI), iHasPoint = new Uint8Array(nI);
  for (let i = 0; i < nI; i++) {
    const it = inters[i];
    interIndex.set(it.id, i);
    if (it.point) { ix[i] = it.point[0]; iy[i] = it.point[1]; iHasPoint[i] = 1; }
    iw[i] = it.width || 0;
    iVirtual[i] = it.virtual ? 1 : 0;
  }

  const roadIndex = new Map();
  const roadFirstLane = new Uint32Array(nR), roadLanes = new Uint8Array(nR);
  const roadWidth = new Float32Array(nR), roadLength = new Float32Array(nR), roadLimit = new Float32Array(nR);
  const roadFrom = new Int32Array(nR), roadTo = new Int32Array(nR);
  const ptStart = new Uint32Array(nR + 1);
  let nPts = 0;
  for (let r = 0; r < nR; r++) nPts += Math.max(2, (roads[r].points || []).length);
  const pts = new Float64Array(2 * nPts);
  const bbox = new Float64Array(4 * nR);
  const mid = new Float64Array(2 * nR);
  const laneCount = j.lane_count || 0;
  const laneRoad = new Int32Array(laneCount).fill(-1), laneLimit = new Float32Array(laneCount);
  let p = 0, maxWidth = 0;
  const b = [Infinity, Infinity, -Infinity, -Infinity];

  // First pass: what each road is (lanes, width, ends).
  for (let r = 0; r < nR; r++) {
    const rd = roads[r];
    roadIndex.set(rd.id, r);
    const lanes = rd.lanes || [];
    roadFirstLane[r] = rd.first_lane;
    roadLanes[r] = lanes.length;
    let w = 0, lim = 0;
    for (let k = 0; k < lanes.length; k++) {
      w += lanes[k].width || LANE_WIDTH;
      lim = Math.max(lim, lanes[k].max_speed || 0);
      const l = rd.first_lane + k;
      if (l < laneCount) { laneRoad[l] = r; laneLimit[l] = lanes[k].max_speed || 0; }
    }
    roadWidth[r] = w || LANE_WIDTH;
    maxWidth = Math.max(maxWidth, roadWidth[r]);
    roadLength[r] = rd.length || 0;
    roadLimit[r] = lim;
    roadFrom[r] = interIndex.has(rd.from) ? interIndex.get(rd.from) : -1;
    roadTo[r] = interIndex.has(rd.to) ? interIndex.get(rd.to) : -1;
  }
  // A junction's box on the map: its own width, but at least as wide as the
  // streets that cross it, so that roads stop at its edge instead of
  // overlapping each other (a CityFlow junction is often narrower than
  // two opposite roads side by side).  Boundary (virtual) junctions: none.
  const ihalf = new Float32Array(nI);
  for (let i = 0; i < nI; i++) ihalf[i] = iVirtual[i] ? 0 : iw[i] / 2;
  for (let r = 0; r < nR; r++) {
    for (const i of [roadFrom[r], roadTo[r]]) if (i >= 0 && !iVirtual[i]) ihalf[i] = Math.max(ihalf[i], roadWidth[r]);
  }
  // Second pass: where each road is drawn.
  for (let r = 0; r < nR; r++) {
    const rd = roads[r];
    ptStart[r] = p;
    let src = rd.points || [];
    if (src.length < 2) {
      // No geometry: draw it between its junctions' centres if known.
      const a = roadFrom[r], z = roadTo[r];
      src = a >= 0 && z >= 0 && iHasPoint[a] && iHasPoint[z] ? [[ix[a], iy[a]], [ix[z], iy[z]]] : [[0, 0], [0, 0]];
    }
    p = placeRoad(src, roadWidth[r] / 2, trimOf(ihalf, roadFrom[r]), trimOf(ihalf, roadTo[r]), pts, p, bbox, 4 * r, mid, 2 * r);
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
  const signals = j.signals || [];
  const siteOf = new Int32Array(nI).fill(-1);
  const sites = signals.map((s, k) => {
    const i = interIndex.has(s.intersection) ? interIndex.get(s.intersection) : -1;
    if (i >= 0) siteOf[i] = k;
    // heads, phaseMask, phaseText: filled by siteDetail() when first needed
    // (10,000 junctions would otherwise cost a quarter of a second at load)
    return { id: s.intersection, inter: i, greens: s.greens || [], yellow: s.yellow_phase, heads: null, phaseMask: null, phaseText: null };
  });
  // The side a road arrives from, for phase names ("straight from W, E").
  const approach = (r) => {
    const q = ptStart[r + 1] - 1;
    const dx = pts[2 * q] - pts[2 * q - 2], dy = pts[2 * q + 1] - pts[2 * q - 1];
    const a = Math.atan2(dy, dx) * 180 / Math.PI;
    return a > -45 && a <= 45 ? 'W' : a > 45 && a <= 135 ? 'S' : a > -135 && a <= -45 ? 'N' : 'E';
  };
  return {
    city: j.city || 'city', interval: j.interval || 1,
    nRoads: nR, nInters: nI, laneCount,
    roadIds: roads.map((r) => r.id), roadIndex, roadFirstLane, roadLanes, roadWidth, roadLength, roadLimit,
    roadFrom, roadTo, ptStart, pts, bbox, mid, maxWidth,
    laneRoad, laneLimit,
    interIds: inters.map((i) => i.id), interIndex, ix, iy, iw, ihalf, iVirtual, iHasPoint,
    inters, sites, siteOf, siteIndex: new Map(sites.map((s, k) => [s.id, k])), approach,
    bounds: b,
    grid: buildGrid(nR, nI, bbox, ix, iy, iHasPoint, iVirtual, b),
  };
}

const trimOf = (half, i) => (i >= 0 ? half[i] : 0);

// Site k with its signal heads and phase names (built on first use).
export function siteDetail(net, k) {
  const site = net.sites[k];
  if (!site.heads) {
    site.heads = [];
    site.phaseMask = [];
    site.phaseText = [];
    if (site.inter >= 0) buildHeads(site, net.inters[site.inter], net.roadIndex, net.approach);
  }
  return site;
}

// Copy a polyline, trimmed by t0 / t1 metres at its ends and shifted `off`
// metres to the right of its direction of travel (the y axis points north),
// into pts at point index p.  Returns the next point index.
function placeRoad(src, off, t0, t1, pts, p, bbox, bo, mid, mo) {
  const n = src.length;
  if (n === 2) {
    // A straight road (nearly all of them): no temporary arrays.
    let ax = src[0][0], ay = src[0][1], bx = src[1][0], by = src[1][1];
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
  let len = 0;
  for (let k = 1; k < n; k++) len += Math.hypot(src[k][0] - src[k - 1][0], src[k][1] - src[k - 1][1]);
  // Never trim a short road away entirely.
  const scale = t0 + t1 > 0.8 * len ? (0.8 * len) / (t0 + t1 || 1) : 1;
  t0 *= scale; t1 *= scale;
  const xs = src.map((q) => q[0]), ys = src.map((q) => q[1]);
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
// each phase which heads it lets go.
function buildHeads(site, it, roadIndex, approach) {
  const mv = it.movements || [];
  const byRoad = new Map();
  const headOf = mv.map((m) => {
    const r = roadIndex.get(m.from);
    if (r === undefined) return -1;
    if (!byRoad.has(r)) byRoad.set(r, new Map());
    const turns = byRoad.get(r);
    const t = TURN[m.type] ?? 1;
    if (!turns.has(t)) turns.set(t, -1);
    return [r, t];
  });
  for (const [r, turns] of byRoad) {
    const ts = [...turns.keys()].sort();
    ts.forEach((t, k) => {
      turns.set(t, site.heads.length);
      site.heads.push({ road: r, turn: t, slot: k, slots: ts.length });
    });
  }
  const mvHead = headOf.map((x) => (x === -1 ? -1 : byRoad.get(x[0]).get(x[1])));
  site.phaseMask = (it.phases || []).map((ph) => {
    const on = new Uint8Array(site.heads.length);
    for (const k of ph.movements || []) if (mvHead[k] >= 0) on[mvHead[k]] = 1;
    return on;
  });
  site.phaseText = (it.phases || []).map((ph) => describePhase(ph, mv, roadIndex, approach));
}

// "straight from W, E" style names for the phase menu (right turns, which
// most phases allow, are left out).
function describePhase(ph, mv, roadIndex, approach) {
  const parts = new Map();
  for (const k of ph.movements || []) {
    const m = mv[k];
    if (!m || m.type === 'turn_right') continue;
    const r = roadIndex.get(m.from);
    const t = m.type === 'go_straight' ? 'straight' : m.type === 'turn_left' ? 'left' : m.type.replace('_', '-');
    if (!parts.has(t)) parts.set(t, new Set());
    parts.get(t).add(r === undefined ? '?' : approach(r));
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
