// map.js -- the city map on a 2D canvas: roads coloured by the chosen
// metric, signal heads, alerts, emergency routes, selection; pan and zoom;
// hover and click hit tests.
//
// Speed is the design constraint (10,000 junctions, 40,000 roads, redrawn
// every second): roads are batched by colour class and width into one path
// each, so a frame is a few dozen stroke calls whatever the city's size;
// roads outside the view are skipped by their bounding boxes; detail
// (lanes, signal heads, labels) appears only when the zoom makes it
// visible.  Hover and selection are drawn on a second canvas so that
// moving the mouse never redraws the roads.

import { THEME, RAMP, N_CLASSES, classColor } from './colors.js';
import { roadStats, roadClasses, laneClass } from './live.js';
import { fitCanvas, uiScale } from './dom.js';
import { siteDetail } from './network.js';

const MAX_LANES_BUCKET = 8;

export class CityMap {
  constructor(canvas, overlay, host) {
    this.canvas = canvas;
    this.overlay = overlay;
    this.host = host;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.octx = overlay.getContext('2d');
    this.net = null;
    this.frame = null;
    this.stats = null;
    this.classes = null;
    this.metric = 'speed';
    this.layers = { signals: true, alerts: true, emergency: true };
    this.alerts = [];
    this.view = { cx: 0, cy: 0, scale: 1 };       // scale: CSS px per metre
    this.hover = null;                              // {kind: 'road'|'inter', i}
    this.selected = null;
    this.lastGreen = null;                          // per site: last green phase shown
    this.pending = false;
    this.onHover = () => {};
    this.onSelect = () => {};
    this.onDraw = () => {};
    this.drawMs = 0;
    this.bindInput();
    new ResizeObserver(() => this.resize()).observe(host);
  }

  /*--- data -------------------------------------------------------------*/

  setNetwork(net) {
    this.net = net;
    this.lastGreen = new Int16Array(net.sites.length).fill(-1);
    this.frame = null;
    this.stats = null;
    this.classes = null;
    this.resize(true);
    this.fit();
  }

  setFrame(frame, now = false) {
    this.frame = frame;
    if (frame.signals && this.lastGreen) {
      frame.signals.forEach((g, k) => {
        if (g && g.state === 'green' && g.phase >= 0) this.lastGreen[k] = g.phase;
      });
    }
    this.stats = roadStats(this.net, frame);
    this.classes = roadClasses(this.net, this.stats, this.metric);
    if (now) this.draw();
    else this.requestDraw();
  }

  setMetric(m) {
    this.metric = m;
    if (this.stats) this.classes = roadClasses(this.net, this.stats, m);
    this.requestDraw();
  }

  setAlerts(list) {
    this.alerts = list;
    this.requestDraw();
  }

  setLayer(name, on) {
    this.layers[name] = on;
    this.requestDraw();
  }

  select(sel) {
    this.selected = sel;
    this.drawOverlay();
  }

  /*--- view -------------------------------------------------------------*/

  // A new size keeps the whole city in view unless the operator has
  // zoomed or panned since (a wall switching resolution stays fitted).
  resize(quiet) {
    const a = fitCanvas(this.canvas), b = fitCanvas(this.overlay);
    if ((a || b) && !quiet) {
      if (this.fitted) this.fit();
      else this.requestDraw();
    }
  }

  cssSize() {
    const r = this.canvas.getBoundingClientRect();
    return { w: r.width || 1, h: r.height || 1 };
  }

  fit() {
    if (!this.net) return;
    const [x0, y0, x1, y1] = this.net.bounds;
    const { w, h } = this.cssSize();
    const pad = 0.06;
    this.view.cx = (x0 + x1) / 2;
    this.view.cy = (y0 + y1) / 2;
    this.view.scale = Math.min(w / ((x1 - x0) * (1 + 2 * pad) || 1), h / ((y1 - y0) * (1 + 2 * pad) || 1));
    this.minScale = this.view.scale / 4;
    this.fitted = true;
    this.requestDraw();
  }

  zoomAt(factor, sx, sy) {
    const v = this.view;
    const { w, h } = this.cssSize();
    if (sx === undefined) { sx = w / 2; sy = h / 2; }
    const before = this.toWorld(sx, sy);
    v.scale = Math.max(this.minScale || 1e-6, Math.min(v.scale * factor, 60));
    const after = this.toWorld(sx, sy);
    v.cx += before.x - after.x;
    v.cy += before.y - after.y;
    this.fitted = false;
    this.requestDraw();
  }

  centerOn(x, y, minScale) {
    this.view.cx = x;
    this.view.cy = y;
    if (minScale && this.view.scale < minScale) this.view.scale = minScale;
    this.fitted = false;
    this.requestDraw();
  }

  toWorld(sx, sy) {
    const { w, h } = this.cssSize();
    return { x: this.view.cx + (sx - w / 2) / this.view.scale, y: this.view.cy - (sy - h / 2) / this.view.scale };
  }

  toScreen(x, y) {
    const { w, h } = this.cssSize();
    return { x: (x - this.view.cx) * this.view.scale + w / 2, y: h / 2 - (y - this.view.cy) * this.view.scale };
  }

  // Visible world rectangle, in the network's coordinates.
  viewBox(margin = 0) {
    const a = this.toWorld(-margin, -margin);
    const { w, h } = this.cssSize();
    const b = this.toWorld(w + margin, h + margin);
    return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
  }

  /*--- drawing ----------------------------------------------------------*/

  requestDraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const t0 = performance.now();
    const ctx = this.ctx, net = this.net;
    const W = this.canvas.width, H = this.canvas.height;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = THEME.bg;
    ctx.fillRect(0, 0, W, H);
    if (!net) return;
    const k = this.view.scale * dpr;                  // device px per metre
    const ui = uiScale() * dpr;
    ctx.setTransform(k, 0, 0, -k, W / 2 - this.view.cx * k, H / 2 + this.view.cy * k);
    ctx.lineJoin = 'round';
    const box = this.viewBox(40);
    const vis = this.visibleRoads(box);

    // Junction pads, once they are a few pixels wide.
    const padPx = (net.maxWidth * 2) * k;          // a junction box's size on screen
    if (padPx >= 5) this.drawPads(ctx, box, k);

    const laneMode = (4 * k) >= 7 && this.frame;      // a lane is 7 device px or more
    if (laneMode) this.drawLanes(ctx, vis, k, ui);
    else this.drawRoads(ctx, vis, k, ui);

    if (this.layers.emergency) this.drawEmergency(ctx, k, ui, 'route');
    if (this.layers.signals && this.frame) {
      if (4 * k >= 4.5) this.drawHeads(ctx, box, k);
      else if (net.maxWidth * 2 * k >= 6) this.drawApproaches(ctx, box, k, ui);
    }
    this.drawSiteRings(ctx, box, k, ui);
    if (this.layers.alerts) this.drawAlerts(ctx, k, ui);
    if (this.layers.emergency) this.drawEmergency(ctx, k, ui, 'marks');
    if (net.maxWidth * 2 * k >= 70) this.drawLabels(ctx, box, k, ui);
    this.drawScaleBar(ctx, k, ui, W, H);
    this.drawOverlay();
    this.drawMs = performance.now() - t0;
    this.onDraw(this.drawMs);
  }

  visibleRoads(box) {
    const net = this.net, bb = net.bbox, out = new Int32Array(net.nRoads);
    let n = 0;
    for (let r = 0; r < net.nRoads; r++) {
      if (bb[4 * r + 2] < box[0] || bb[4 * r] > box[2] || bb[4 * r + 3] < box[1] || bb[4 * r + 1] > box[3]) continue;
      out[n++] = r;
    }
    return out.subarray(0, n);
  }

  drawPads(ctx, box, k) {
    const net = this.net;
    ctx.fillStyle = THEME.inter;
    ctx.beginPath();
    for (let i = 0; i < net.nInters; i++) {
      if (net.iVirtual[i] || !net.iHasPoint[i]) continue;
      const x = net.ix[i], y = net.iy[i], s = net.ihalf[i];
      if (x + s < box[0] || x - s > box[2] || y + s < box[1] || y - s > box[3]) continue;
      ctx.rect(x - s, y - s, 2 * s, 2 * s);
    }
    ctx.fill();
  }

  // One path per (colour class, lane count): a handful of strokes.
  drawRoads(ctx, vis, k, ui) {
    const net = this.net, cls = this.classes;
    const nb = N_CLASSES * (MAX_LANES_BUCKET + 1);
    const counts = new Int32Array(nb + 1);
    const key = (r) => (cls ? cls[r] : 0) * (MAX_LANES_BUCKET + 1) + Math.min(net.roadLanes[r], MAX_LANES_BUCKET);
    for (let q = 0; q < vis.length; q++) counts[key(vis[q]) + 1]++;
    for (let b = 0; b < nb; b++) counts[b + 1] += counts[b];
    const order = new Int32Array(vis.length), fill = counts.slice();
    for (let q = 0; q < vis.length; q++) order[fill[key(vis[q])]++] = vis[q];
    // Width on screen, in device pixels.  Thin roads are drawn as 1-pixel
    // "hairlines" in device coordinates, once per pixel of width: Skia
    // rasterizes a hairline several times faster than a stroke of 1.6 px
    // (on the 100x100 grid: ~7 ms against ~100 ms for 40,000 roads).
    const minPx = Math.max(1, Math.round(ui * 0.9));
    const pts = net.pts, ps = net.ptStart;
    const ox = this.canvas.width / 2 - this.view.cx * k, oy = this.canvas.height / 2 + this.view.cy * k;
    ctx.lineCap = 'butt';
    for (let b = 0; b < nb; b++) {
      const a = counts[b], z = counts[b + 1];
      if (a === z) continue;
      const c = Math.floor(b / (MAX_LANES_BUCKET + 1)), lanes = b % (MAX_LANES_BUCKET + 1);
      const devW = Math.max((lanes || 1) * 4 * 0.92 * k, minPx);
      ctx.strokeStyle = classColor(c, false);
      if (devW <= 4.5) {
        const passes = Math.max(1, Math.round(devW));
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.lineWidth = 1;
        for (let pass = 0; pass < passes; pass++) {
          const sh = pass - (passes - 1) / 2;
          ctx.beginPath();
          for (let q = a; q < z; q++) {
            const r = order[q];
            const p0 = ps[r], p1 = ps[r + 1] - 1;
            // shift across the road's overall direction (one normal per road
            // is enough at this size)
            let nx = 0, ny = 0;
            if (sh) {
              const dx = pts[2 * p1] - pts[2 * p0], dy = pts[2 * p1 + 1] - pts[2 * p0 + 1];
              const l = Math.hypot(dx, dy) || 1;
              nx = (dy / l) * sh; ny = (dx / l) * sh;
            }
            ctx.moveTo(ox + pts[2 * p0] * k + nx, oy - pts[2 * p0 + 1] * k + ny);
            for (let p = p0 + 1; p <= p1; p++) ctx.lineTo(ox + pts[2 * p] * k + nx, oy - pts[2 * p + 1] * k + ny);
          }
          ctx.stroke();
        }
        ctx.restore();
      } else {
        ctx.beginPath();
        for (let q = a; q < z; q++) {
          const r = order[q];
          let p = ps[r];
          ctx.moveTo(pts[2 * p], pts[2 * p + 1]);
          for (p++; p < ps[r + 1]; p++) ctx.lineTo(pts[2 * p], pts[2 * p + 1]);
        }
        ctx.lineWidth = devW / k;
        ctx.stroke();
      }
    }
  }

  // Close up: every lane in its own colour, with a gap between lanes.
  drawLanes(ctx, vis, k, ui) {
    const net = this.net, f = this.frame, metric = this.metric;
    const paths = Array.from({ length: N_CLASSES }, () => new Path2D());
    const pts = net.pts, ps = net.ptStart;
    for (let q = 0; q < vis.length; q++) {
      const r = vis[q], w = net.roadWidth[r], n = net.roadLanes[r] || 1, lw = w / n;
      const a = ps[r], z = ps[r + 1];
      for (let j = 0; j < n; j++) {
        const off = (j + 0.5) * lw - w / 2;           // right of the drawn line
        const c = laneClass(net, f, net.roadFirstLane[r] + j, metric);
        const path = paths[c];
        for (let p = a; p < z; p++) {
          let dx = 0, dy = 0;
          if (p > a) { dx += pts[2 * p] - pts[2 * p - 2]; dy += pts[2 * p + 1] - pts[2 * p - 1]; }
          if (p < z - 1) { dx += pts[2 * p + 2] - pts[2 * p]; dy += pts[2 * p + 3] - pts[2 * p + 1]; }
          const l = Math.hypot(dx, dy) || 1;
          const x = pts[2 * p] + (dy / l) * off, y = pts[2 * p + 1] - (dx / l) * off;
          if (p === a) path.moveTo(x, y);
          else path.lineTo(x, y);
        }
      }
    }
    ctx.lineCap = 'butt';
    ctx.lineWidth = 4 * 0.78;
    for (let c = 0; c < N_CLASSES; c++) {
      ctx.strokeStyle = classColor(c, true);
      ctx.stroke(paths[c]);
    }
    void ui;
  }

  // The overview: junctions a few pixels wide get one signal lamp per
  // approach, on its stop line: green when any of its through or left
  // movements may go, amber while clearing, red otherwise, so a whole
  // district's phases read at a glance.  A dark rim tells a lamp from a
  // road of the same colour.  Sizes are in screen pixels.
  drawApproaches(ctx, box, k, ui) {
    const net = this.net, f = this.frame, pts = net.pts, ps = net.ptStart;
    const paths = [new Path2D(), new Path2D(), new Path2D()];
    const rad = 3.4 * ui / k;
    for (let s = 0; s < net.sites.length; s++) {
      const st = f.signals[s], i = net.sites[s].inter;
      if (!st || i < 0) continue;
      const x = net.ix[i], y = net.iy[i], reach = net.ihalf[i] + 2 * rad;
      if (x + reach < box[0] || x - reach > box[2] || y + reach < box[1] || y - reach > box[3]) continue;
      const site = siteDetail(net, s);
      const now = site.phaseMask[st.phase] || null;
      const prev = st.state !== 'green' && this.lastGreen[s] >= 0 ? site.phaseMask[this.lastGreen[s]] : null;
      const state = new Map();                          // road -> 2 go, 1 clearing, 0 stop
      for (let hI = 0; hI < site.heads.length; hI++) {
        const hd = site.heads[hI];
        if (hd.turn === 2 && hd.slots > 1) continue;    // right turns run in most phases
        const v = now && now[hI] ? 2 : prev && prev[hI] ? 1 : 0;
        state.set(hd.road, Math.max(state.get(hd.road) || 0, v));
      }
      for (const [r, v] of state) {
        const z = ps[r + 1] - 1;
        let dx = pts[2 * z] - pts[2 * z - 2], dy = pts[2 * z + 1] - pts[2 * z - 1];
        const l = Math.hypot(dx, dy) || 1;
        dx /= l; dy /= l;
        const cx = pts[2 * z] - dx * rad, cy = pts[2 * z + 1] - dy * rad;
        paths[v].moveTo(cx + rad, cy);
        paths[v].arc(cx, cy, rad, 0, 2 * Math.PI);
      }
    }
    ctx.lineWidth = 1.6 * ui / k;
    ctx.strokeStyle = '#05080f';
    const colors = [THEME.red, THEME.amber, THEME.green];
    for (let v = 0; v < 3; v++) {
      ctx.fillStyle = colors[v];
      ctx.fill(paths[v]);
      ctx.stroke(paths[v]);
    }
  }

  // Signal heads at each stop line: one bar per turn (left, straight,
  // right from the inside out), green when the showing phase lets it go,
  // amber while the green it had is clearing, red otherwise.
  drawHeads(ctx, box, k) {
    const net = this.net, f = this.frame, pts = net.pts, ps = net.ptStart;
    const paths = { g: new Path2D(), a: new Path2D(), r: new Path2D() };
    for (let s = 0; s < net.sites.length; s++) {
      const st = f.signals[s], i = net.sites[s].inter;
      if (!st || i < 0) continue;
      const x = net.ix[i], y = net.iy[i], reach = net.ihalf[i] + 60;
      if (x + reach < box[0] || x - reach > box[2] || y + reach < box[1] || y - reach > box[3]) continue;
      const site = siteDetail(net, s);
      const now = site.phaseMask[st.phase] || null;
      const prev = st.state !== 'green' && this.lastGreen[s] >= 0 ? site.phaseMask[this.lastGreen[s]] : null;
      for (let hI = 0; hI < site.heads.length; hI++) {
        const hd = site.heads[hI], r = hd.road;
        const z = ps[r + 1] - 1;
        const ex = pts[2 * z], ey = pts[2 * z + 1];
        let dx = ex - pts[2 * z - 2], dy = ey - pts[2 * z - 1];
        const l = Math.hypot(dx, dy) || 1;
        dx /= l; dy /= l;
        const nx = dy, ny = -dx;                      // right of travel
        const w = net.roadWidth[r], sw = w / hd.slots;
        const o0 = -w / 2 + hd.slot * sw + sw * 0.12, o1 = -w / 2 + (hd.slot + 1) * sw - sw * 0.12;
        const on = now && now[hI], was = prev && prev[hI];
        const path = on ? paths.g : was ? paths.a : paths.r;
        // just inside the junction box, on its dark ground: a head never
        // blends into a lane of the same colour
        const bx = ex + dx * 1.5, by = ey + dy * 1.5;
        path.moveTo(bx + nx * o0, by + ny * o0);
        path.lineTo(bx + nx * o1, by + ny * o1);
      }
    }
    ctx.lineCap = 'butt';
    ctx.lineWidth = Math.max(2.2, 2.5 / k);
    ctx.strokeStyle = THEME.red; ctx.stroke(paths.r);
    ctx.strokeStyle = THEME.amber; ctx.stroke(paths.a);
    ctx.strokeStyle = THEME.green; ctx.stroke(paths.g);
  }

  // Overridden junctions get a violet ring at every zoom: an operator's
  // hand on the signals must never be invisible.
  drawSiteRings(ctx, box, k, ui) {
    const net = this.net, f = this.frame;
    if (!f || !f.signals) return;
    const path = new Path2D();
    let any = false;
    for (let s = 0; s < net.sites.length; s++) {
      const st = f.signals[s];
      if (!st || st.plan !== 'override') continue;
      const i = net.sites[s].inter;
      if (i < 0) continue;
      const x = net.ix[i], y = net.iy[i], rad = Math.max(net.ihalf[i] * 1.55, 8 * ui / k);
      if (x + rad < box[0] || x - rad > box[2] || y + rad < box[1] || y - rad > box[3]) continue;
      path.moveTo(x + rad, y);
      path.arc(x, y, rad, 0, 2 * Math.PI);
      any = true;
    }
    if (!any) return;
    ctx.lineWidth = 2.5 * ui / k;
    ctx.strokeStyle = THEME.override;
    ctx.stroke(path);
  }

  drawAlerts(ctx, k, ui) {
    const net = this.net;
    if (!this.alerts.length) return;
    const glow = new Path2D();
    for (const a of this.alerts) {
      if (a.road < 0) continue;
      const r = a.road, ps = net.ptStart, pts = net.pts;
      glow.moveTo(pts[2 * ps[r]], pts[2 * ps[r] + 1]);
      for (let p = ps[r] + 1; p < ps[r + 1]; p++) glow.lineTo(pts[2 * p], pts[2 * p + 1]);
    }
    ctx.lineCap = 'round';
    ctx.strokeStyle = 'rgba(239, 68, 68, 0.35)';
    ctx.lineWidth = Math.max(net.maxWidth * 2.2, 9 * ui / k);
    ctx.stroke(glow);
    // Markers in screen space so they keep their size.
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const dpr = window.devicePixelRatio || 1;
    const s = 8 * ui;
    for (const a of this.alerts) {
      const p = this.toScreen(a.x, a.y);
      const x = p.x * dpr, y = p.y * dpr;
      if (x < -s || y < -s || x > this.canvas.width + s || y > this.canvas.height + s) continue;
      ctx.beginPath();
      ctx.moveTo(x, y - s * 1.25);
      ctx.lineTo(x + s * 1.15, y + s * 0.85);
      ctx.lineTo(x - s * 1.15, y + s * 0.85);
      ctx.closePath();
      ctx.fillStyle = a.severity === 'low' || a.severity === 'informational' ? '#38bdf8' : a.severity === 'medium' ? THEME.amber : THEME.alert;
      ctx.strokeStyle = '#0a101c';
      ctx.lineWidth = 2 * ui;
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = '#0a101c';
      ctx.font = `700 ${Math.round(s * 1.3)}px ${getComputedStyle(document.body).fontFamily}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('!', x, y + s * 0.12);
    }
    ctx.restore();
  }

  drawEmergency(ctx, k, ui, part) {
    const f = this.frame, net = this.net;
    if (!f || !f.emergency || !f.emergency.length) return;
    const dpr = window.devicePixelRatio || 1;
    for (const ev of f.emergency) {
      if (part === 'route' && ev.route.length) {
        const path = new Path2D();
        for (const r of ev.route) {
          const ps = net.ptStart, pts = net.pts;
          path.moveTo(pts[2 * ps[r]], pts[2 * ps[r] + 1]);
          for (let p = ps[r] + 1; p < ps[r + 1]; p++) path.lineTo(pts[2 * p], pts[2 * p + 1]);
        }
        ctx.lineCap = 'round';
        ctx.strokeStyle = 'rgba(244, 114, 182, 0.3)';
        ctx.lineWidth = Math.max(net.maxWidth * 2.5, 12 * ui / k);
        ctx.stroke(path);
        ctx.strokeStyle = THEME.emergency;
        ctx.lineWidth = Math.max(net.maxWidth * 0.6, 3 * ui / k);
        ctx.setLineDash([8 * ui / k, 6 * ui / k]);
        ctx.stroke(path);
        ctx.setLineDash([]);
      }
      if (part === 'marks') {
        const ring = new Path2D();
        for (const i of ev.preempted) {
          const rad = Math.max(net.ihalf[i] * 1.8, 10 * ui / k);
          ring.moveTo(net.ix[i] + rad, net.iy[i]);
          ring.arc(net.ix[i], net.iy[i], rad, 0, 2 * Math.PI);
        }
        ctx.strokeStyle = THEME.emergency;
        ctx.lineWidth = 3 * ui / k;
        ctx.stroke(ring);
        if (ev.dest) {
          // where it is going: a hollow diamond at the end of its destination
          ctx.save();
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          const q = this.toScreen(ev.dest.x, ev.dest.y), d = 7 * ui;
          ctx.beginPath();
          ctx.moveTo(q.x * dpr, q.y * dpr - d); ctx.lineTo(q.x * dpr + d, q.y * dpr);
          ctx.lineTo(q.x * dpr, q.y * dpr + d); ctx.lineTo(q.x * dpr - d, q.y * dpr);
          ctx.closePath();
          ctx.lineWidth = 3 * ui;
          ctx.strokeStyle = THEME.emergency;
          ctx.stroke();
          ctx.restore();
        }
        if (ev.pos) {
          ctx.save();
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          const p = this.toScreen(ev.pos.x, ev.pos.y);
          ctx.beginPath();
          ctx.arc(p.x * dpr, p.y * dpr, 7 * ui, 0, 2 * Math.PI);
          ctx.fillStyle = '#ffffff';
          ctx.fill();
          ctx.lineWidth = 3.5 * ui;
          ctx.strokeStyle = THEME.emergency;
          ctx.stroke();
          ctx.restore();
        }
      }
    }
  }

  // Junction names beside their boxes (upper left, outside the roads),
  // when the boxes are large enough to need no hover to identify.
  drawLabels(ctx, box, k, ui) {
    const net = this.net;
    const dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const fs = Math.round(11 * ui);
    ctx.font = `600 ${fs}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    let n = 0;
    for (let i = 0; i < net.nInters && n < 400; i++) {
      if (net.iVirtual[i] || !net.iHasPoint[i]) continue;
      const x = net.ix[i], y = net.iy[i];
      if (x < box[0] || x > box[2] || y < box[1] || y > box[3]) continue;
      const off = net.ihalf[i] * 1.1;
      const p = this.toScreen(x - off, y + off);
      const tx = p.x * dpr, ty = p.y * dpr, tw = ctx.measureText(net.interIds[i]).width;
      ctx.fillStyle = 'rgba(10, 16, 28, 0.8)';
      ctx.fillRect(tx - tw - 5 * ui, ty - fs - 4 * ui, tw + 8 * ui, fs + 6 * ui);
      ctx.fillStyle = THEME.label;
      ctx.fillText(net.interIds[i], tx, ty);
      n++;
    }
    ctx.restore();
  }

  drawScaleBar(ctx, k, ui, W, H) {
    const target = 110 * ui;                           // device px
    const m = target / k;
    const nice = [1, 2, 5].flatMap((d) => [1, 10, 100, 1000, 10000].map((e) => d * e)).sort((a, b) => a - b);
    let len = nice[0];
    for (const n of nice) if (n <= m) len = n;
    const px = len * k;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const x = W - px - 18 * ui, y = H - 18 * ui;
    ctx.strokeStyle = THEME.label;
    ctx.lineWidth = 1.5 * ui;
    ctx.beginPath();
    ctx.moveTo(x, y - 5 * ui); ctx.lineTo(x, y); ctx.lineTo(x + px, y); ctx.lineTo(x + px, y - 5 * ui);
    ctx.stroke();
    ctx.fillStyle = THEME.label;
    ctx.font = `500 ${Math.round(11 * ui)}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(len >= 1000 ? `${len / 1000} km` : `${len} m`, x + px / 2, y - 6 * ui);
    ctx.restore();
  }

  // Hover and selection outlines, on the overlay canvas.
  drawOverlay() {
    const ctx = this.octx, net = this.net;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!net) return;
    const dpr = window.devicePixelRatio || 1, k = this.view.scale * dpr, ui = uiScale() * dpr;
    const W = this.overlay.width, H = this.overlay.height;
    ctx.setTransform(k, 0, 0, -k, W / 2 - this.view.cx * k, H / 2 + this.view.cy * k);
    const mark = (sel, color, width) => {
      if (!sel) return;
      ctx.strokeStyle = color;
      if (sel.kind === 'road') {
        const r = sel.i, ps = net.ptStart, pts = net.pts;
        ctx.beginPath();
        ctx.moveTo(pts[2 * ps[r]], pts[2 * ps[r] + 1]);
        for (let p = ps[r] + 1; p < ps[r + 1]; p++) ctx.lineTo(pts[2 * p], pts[2 * p + 1]);
        ctx.lineCap = 'round';
        ctx.lineWidth = Math.max(net.roadWidth[sel.i] + 2 * width / k, 2 * width / k + 2 * ui / k);
        ctx.globalAlpha = 0.9;
        ctx.stroke();
        ctx.globalAlpha = 1;
      } else {
        const i = sel.i, rad = Math.max(net.ihalf[i] * 1.25, 7 * ui / k);
        ctx.beginPath();
        ctx.arc(net.ix[i], net.iy[i], rad, 0, 2 * Math.PI);
        ctx.lineWidth = width / k;
        ctx.stroke();
      }
    };
    mark(this.selected, THEME.select, 3 * ui);
    if (this.hover && !(this.selected && this.hover.kind === this.selected.kind && this.hover.i === this.selected.i))
      mark(this.hover, 'rgba(226, 233, 243, 0.55)', 2 * ui);
  }

  /*--- hit tests --------------------------------------------------------*/

  hitTest(sx, sy) {
    const net = this.net;
    if (!net) return null;
    const p = this.toWorld(sx, sy);
    const g = net.grid, ui = uiScale();
    const cx = g.cx(p.x), cy = g.cy(p.y);
    const tolI = 8 * ui / this.view.scale, tolR = 5 * ui / this.view.scale;
    let best = null, bestD = Infinity;
    const span = Math.max(1, Math.ceil(Math.max(tolI, net.maxWidth * 2) / g.cw));
    for (let yy = Math.max(0, cy - span); yy <= Math.min(g.rows - 1, cy + span); yy++) {
      for (let xx = Math.max(0, cx - span); xx <= Math.min(g.cols - 1, cx + span); xx++) {
        for (const i of g.inters[yy * g.cols + xx]) {
          const d = Math.hypot(net.ix[i] - p.x, net.iy[i] - p.y);
          const lim = Math.max(net.ihalf[i], tolI);
          if (d <= lim && d < bestD) { best = { kind: 'inter', i }; bestD = d; }
        }
      }
    }
    if (best) return best;
    for (let yy = Math.max(0, cy - 1); yy <= Math.min(g.rows - 1, cy + 1); yy++) {
      for (let xx = Math.max(0, cx - 1); xx <= Math.min(g.cols - 1, cx + 1); xx++) {
        for (const r of g.roads[yy * g.cols + xx]) {
          const d = distToRoad(net, r, p.x, p.y);
          const lim = Math.max(net.roadWidth[r] / 2, tolR);
          if (d <= lim && d < bestD) { best = { kind: 'road', i: r }; bestD = d; }
        }
      }
    }
    return best;
  }

  /*--- input ------------------------------------------------------------*/

  bindInput() {
    const el = this.host;
    let drag = null, moved = false;
    const local = (e) => {
      const r = this.canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    el.addEventListener('wheel', (e) => {
      if (e.target !== this.canvas && e.target !== el) return;
      e.preventDefault();
      const p = local(e);
      this.zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), p.x, p.y);
    }, { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { ...local(e), cx: this.view.cx, cy: this.view.cy };
      moved = false;
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      const p = local(e);
      if (drag) {
        const dx = p.x - drag.x, dy = p.y - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
        if (moved) {
          el.classList.add('dragging');
          this.view.cx = drag.cx - dx / this.view.scale;
          this.view.cy = drag.cy + dy / this.view.scale;
          this.fitted = false;
          this.requestDraw();
        }
        return;
      }
      const hit = this.hitTest(p.x, p.y);
      const same = hit && this.hover && hit.kind === this.hover.kind && hit.i === this.hover.i;
      if (!same && (hit || this.hover)) {
        this.hover = hit;
        this.drawOverlay();
      }
      this.onHover(hit, p);
    });
    this.canvas.addEventListener('pointerup', (e) => {
      const p = local(e);
      if (drag && !moved) this.onSelect(this.hitTest(p.x, p.y));
      drag = null;
      el.classList.remove('dragging');
    });
    this.canvas.addEventListener('pointerleave', () => {
      if (this.hover) { this.hover = null; this.drawOverlay(); }
      this.onHover(null);
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const p = local(e);
      this.zoomAt(2, p.x, p.y);
    });
  }
}

function distToRoad(net, r, x, y) {
  const pts = net.pts;
  let best = Infinity;
  for (let p = net.ptStart[r] + 1; p < net.ptStart[r + 1]; p++) {
    const ax = pts[2 * p - 2], ay = pts[2 * p - 1], bx = pts[2 * p], by = pts[2 * p + 1];
    const dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    const t = l2 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
    best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
  }
  return best;
}

export { RAMP };
