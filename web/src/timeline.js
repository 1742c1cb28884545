// timeline.js -- the scrubber under the map: the last hour of field time,
// with the alerts marked on it.  Dragging it (or pressing play) replays
// stored history on the map: the observations of each lane and the signal
// decisions at that time, fetched from the history routes.  "Live" goes
// back to the stream.
//
// Observations are stored once per observation period (60 s of field time
// by default), so replay moves in those steps.  A city too large for one
// answer (more than the API's row limit) is fetched in tiles of the
// visible area (the bbox filter), split until each answer is complete.

import { $, fitCanvas, uiScale } from './dom.js';
import { fmtClock, iso } from './format.js';
import { frameFromHistory } from './live.js';

const WINDOW = 3600e3;
const LOOKBACK = 180e3;         // how far back a lane's last observation may be
const ROW_LIMIT = 100000;

export class Timeline {
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;           // {net(), view(), showFrame(frame), enter(t), leave(), alerts()}
    this.now = NaN;               // field time of the latest live state
    this.t = null;                // replay time, or null when live
    this.playing = false;
    this.loading = 0;
    this.seq = 0;
    this.canvas = $('tl-canvas');
    this.track = $('tl-track');
    this.bind();
    new ResizeObserver(() => { fitCanvas(this.canvas); this.draw(); }).observe(this.track);
  }

  get live() { return this.t === null; }

  setNow(ms) {
    this.now = ms;
    this.draw();
  }

  bind() {
    const at = (e) => {
      const r = this.track.getBoundingClientRect();
      const f = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
      return this.now - WINDOW + f * WINDOW;
    };
    let dragging = false;
    this.track.addEventListener('pointerdown', (e) => {
      if (!Number.isFinite(this.now)) return;
      dragging = true;
      this.track.setPointerCapture(e.pointerId);
      this.pause();
      this.scrub(at(e), false);
    });
    this.track.addEventListener('pointermove', (e) => { if (dragging) this.scrub(at(e), false); });
    this.track.addEventListener('pointerup', (e) => {
      if (!dragging) return;
      dragging = false;
      this.scrub(at(e), true);
    });
    this.track.addEventListener('keydown', (e) => {
      if (!Number.isFinite(this.now)) return;
      const step = e.shiftKey ? 600e3 : 60e3;
      if (e.key === 'ArrowLeft') this.scrub((this.t ?? this.now) - step, true);
      else if (e.key === 'ArrowRight') this.scrub((this.t ?? this.now) + step, true);
      else if (e.key === 'End') this.goLive();
      else return;
      e.preventDefault();
    });
    $('tl-live').addEventListener('click', () => this.goLive());
    $('tl-play').addEventListener('click', () => (this.playing ? this.pause() : this.play()));
  }

  // Move the replay time to t; fetch (and draw) when `load` or when idle.
  scrub(t, load) {
    if (t >= this.now - 1000) return this.goLive();
    t = Math.max(this.now - WINDOW, t);
    const entering = this.t === null;
    this.t = t;
    if (entering) this.hooks.enter(t);
    this.hooks.moved(t);
    this.draw();
    if (load || !this.loading) this.load(t);
  }

  goLive() {
    this.pause();
    if (this.t === null) return;
    this.t = null;
    this.seq++;
    this.hooks.leave();
    this.draw();
  }

  play() {
    if (!Number.isFinite(this.now)) return;
    if (this.t === null) this.scrub(this.now - WINDOW / 4, true);
    this.playing = true;
    $('tl-play').textContent = '❚❚';
    $('tl-play').setAttribute('aria-label', 'Pause');
    const tick = async () => {
      if (!this.playing) return;
      const rate = Number($('tl-rate').value) || 60;
      const next = this.t + rate * 1000;
      if (next >= this.now) return this.goLive();
      this.t = next;
      this.hooks.moved(next);
      this.draw();
      await this.load(next);
      if (this.playing) this.timer = setTimeout(tick, 1000);
    };
    this.timer = setTimeout(tick, 1000);
  }

  pause() {
    this.playing = false;
    clearTimeout(this.timer);
    $('tl-play').textContent = '▶';
    $('tl-play').setAttribute('aria-label', 'Play');
  }

  async load(t) {
    const seq = ++this.seq;
    const net = this.hooks.net();
    this.loading++;
    this.hooks.loading(true);
    try {
      const range = `from=${encodeURIComponent(iso(t - LOOKBACK))}&to=${encodeURIComponent(iso(t + 1))}`;
      const big = net.laneCount * 2 > ROW_LIMIT;
      const [entities, decisions] = await Promise.all([
        this.observations(range, big ? this.hooks.view() : null, 0),
        this.api.get(`/api/v1/decisions?from=${encodeURIComponent(iso(t - 600e3))}&to=${encodeURIComponent(iso(t + 1))}&limit=${ROW_LIMIT}`)
          .then((j) => j.decisions || []),
      ]);
      if (seq !== this.seq) return;
      const frame = frameFromHistory(net, t, entities, decisions);
      frame.complete = !entities.truncated;
      this.hooks.showFrame(frame);
    } catch (e) {
      if (seq === this.seq) this.hooks.error(e);
    } finally {
      this.loading--;
      this.hooks.loading(this.loading > 0);
    }
  }

  // Observations in range, for the bbox (or everything), in tiles when
  // one answer would be cut.
  async observations(range, box, depth) {
    const bb = box ? `&bbox=${box.map((v) => v.toFixed(1)).join(',')}` : '';
    const j = await this.api.get(`/api/v1/observations?${range}&options=keyValues&limit=${ROW_LIMIT}${bb}`);
    const rows = j.entities || [];
    if (!j.truncated || !box || depth >= 3) {
      if (j.truncated) rows.truncated = true;
      return rows;
    }
    const [x0, y0, x1, y1] = box, mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
    const parts = [[x0, y0, mx, my], [mx, y0, x1, my], [x0, my, mx, y1], [mx, my, x1, y1]];
    const out = [];
    for (const p of parts) {
      const r = await this.observations(range, p, depth + 1);
      for (const e of r) out.push(e);
      if (r.truncated) out.truncated = true;
    }
    return out;
  }

  draw() {
    const c = this.canvas, ctx = c.getContext('2d');
    const dpr = window.devicePixelRatio || 1, ui = uiScale() * dpr;
    const W = c.width, H = c.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const now = this.now;
    $('tl-time').textContent = this.t === null ? (Number.isFinite(now) ? fmtClock(now) : 'live') : fmtClock(this.t);
    $('tl-live').setAttribute('aria-pressed', String(this.t === null));
    if (!Number.isFinite(now)) return;
    const t0 = now - WINDOW;
    const X = (t) => ((t - t0) / WINDOW) * W;
    const mid = H * 0.42;
    // track
    ctx.fillStyle = '#17233a';
    ctx.fillRect(0, mid - 3 * ui, W, 6 * ui);
    // recorded span (the KPIs we hold tell where history starts)
    const first = this.hooks.historyStart();
    if (Number.isFinite(first)) {
      ctx.fillStyle = '#22405f';
      ctx.fillRect(X(Math.max(first, t0)), mid - 3 * ui, W - X(Math.max(first, t0)), 6 * ui);
    }
    // ticks every 10 minutes
    ctx.font = `${Math.round(10.5 * ui)}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.fillStyle = '#8fa0ba';
    ctx.strokeStyle = '#2d3f5e';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const tick = 600e3;
    for (let t = Math.ceil(t0 / tick) * tick; t <= now; t += tick) {
      const x = X(t);
      ctx.beginPath(); ctx.moveTo(x, mid + 5 * ui); ctx.lineTo(x, mid + 9 * ui); ctx.stroke();
      if (x > 18 * ui && x < W - 18 * ui) ctx.fillText(fmtClock(t, false), x, mid + 10 * ui);
    }
    // alerts issued in the window
    for (const a of this.hooks.alerts()) {
      if (a.issued < t0) continue;
      const x = X(a.issued);
      ctx.fillStyle = a.severity === 'high' || a.severity === 'critical' ? '#ef4444' : '#f59e0b';
      ctx.beginPath();
      ctx.moveTo(x, mid - 5 * ui); ctx.lineTo(x + 4 * ui, mid - 11 * ui); ctx.lineTo(x - 4 * ui, mid - 11 * ui);
      ctx.closePath();
      ctx.fill();
    }
    // the handle
    const ht = this.t === null ? now : this.t;
    const hx = Math.max(6 * ui, Math.min(W - 6 * ui, X(ht)));
    ctx.fillStyle = this.t === null ? '#22c55e' : '#38bdf8';
    if (this.t !== null) ctx.fillRect(hx, mid - 3 * ui, W - hx, 6 * ui);
    ctx.beginPath();
    ctx.arc(hx, mid, 7 * ui, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#0a101c';
    ctx.lineWidth = 2 * ui;
    ctx.stroke();
    this.track.setAttribute('aria-valuenow', String(Math.round((ht - t0) / 1000)));
    this.track.setAttribute('aria-valuetext', fmtClock(ht));
  }
}
