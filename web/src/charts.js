// charts.js -- a time-series chart on a canvas: labelled axes with units,
// one or more lines, a hover read-out, and a cursor for the replay time.
// Small on purpose: the dashboard needs three of these, always over the
// last hour of field time, and nothing else.

import { h, fitCanvas, uiScale } from './dom.js';
import { fmtClock, fmtCompact } from './format.js';

export class TimeChart {
  // opts: {title, unit, series: [{key, label, color}], fmt: v => text}
  constructor(parent, opts) {
    this.o = opts;
    this.value = h('b', null, '—');
    const keys = opts.series.length > 1
      ? h('span', { class: 'chart-keys' }, opts.series.map((s) => h('span', null, h('i', { style: `background:${s.color}` }), s.label)))
      : null;
    this.canvas = h('canvas', { 'aria-label': `${opts.title} chart` });
    this.el = h('div', { class: 'chart', dataset: { chart: opts.key || '' } },
      h('div', { class: 'chart-h' }, h('span', null, `${opts.title} `, h('span', { class: 'unit' }, `(${opts.unit})`)), keys || this.value),
      this.canvas);
    parent.append(this.el);
    this.data = null;
    this.cursor = null;
    this.hoverX = null;
    this.t0 = 0;
    this.t1 = 1;
    this.canvas.addEventListener('pointermove', (e) => {
      const r = this.canvas.getBoundingClientRect();
      this.hoverX = e.clientX - r.left;
      this.draw();
    });
    this.canvas.addEventListener('pointerleave', () => { this.hoverX = null; this.draw(); });
    new ResizeObserver(() => { fitCanvas(this.canvas); this.draw(); }).observe(this.canvas);
  }

  // t: array of ms; cols: {key: array}.  [t0, t1]: the window shown.
  setData(t, cols, t0, t1) {
    this.data = { t, cols };
    this.t0 = t0;
    this.t1 = t1;
    const s0 = this.o.series[0];
    const v = cols[s0.key];
    if (this.o.series.length === 1) this.value.textContent = v && v.length ? this.o.fmt(v[v.length - 1]) : '—';
    this.draw();
  }

  setCursor(t) {
    this.cursor = t;
    this.draw();
  }

  draw() {
    const c = this.canvas, ctx = c.getContext('2d');
    const dpr = window.devicePixelRatio || 1, ui = uiScale() * dpr;
    const W = c.width, H = c.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, W, H);
    if (!this.data) return;
    const { t, cols } = this.data;
    const font = `${Math.round(10.5 * ui)}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.font = font;
    const padL = 34 * ui, padR = 6 * ui, padT = 6 * ui, padB = 16 * ui;
    const pw = W - padL - padR, ph = H - padT - padB;
    // y range over the visible window, from 0 (all these figures are >= 0).
    let ymax = 0;
    for (const s of this.o.series) {
      const v = cols[s.key] || [];
      for (let i = 0; i < v.length; i++) if (t[i] >= this.t0 && v[i] > ymax) ymax = v[i];
    }
    const step = niceStep(ymax / 3 || 1);
    ymax = Math.max(step, Math.ceil((ymax * 1.08) / step) * step);
    const X = (tt) => padL + ((tt - this.t0) / (this.t1 - this.t0 || 1)) * pw;
    const Y = (v) => padT + ph - (v / ymax) * ph;
    // grid and axes
    ctx.strokeStyle = '#22314b';
    ctx.fillStyle = '#8fa0ba';
    ctx.lineWidth = Math.max(1, 0.8 * ui);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = 0; v <= ymax + 1e-9; v += step) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(padL, y); ctx.lineTo(W - padR, y); ctx.stroke();
      ctx.fillText(fmtCompact(v), padL - 5 * ui, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const span = this.t1 - this.t0;
    const tick = span > 2 * 3600e3 ? 30 * 60e3 : span > 40 * 60e3 ? 15 * 60e3 : span > 10 * 60e3 ? 5 * 60e3 : 60e3;
    for (let tt = Math.ceil(this.t0 / tick) * tick; tt <= this.t1; tt += tick) {
      const x = X(tt);
      if (x < padL + 12 * ui || x > W - padR - 12 * ui) continue;
      ctx.fillText(fmtClock(tt, false), x, padT + ph + 3 * ui);
    }
    // series
    ctx.save();
    ctx.beginPath();
    ctx.rect(padL, padT - 2 * ui, pw, ph + 4 * ui);
    ctx.clip();
    this.o.series.forEach((s, si) => {
      const v = cols[s.key] || [];
      ctx.beginPath();
      let pen = false, lastX = 0, firstX = null;
      for (let i = 0; i < v.length; i++) {
        if (t[i] < this.t0 - 60e3 || !Number.isFinite(v[i])) { pen = false; continue; }
        const x = X(t[i]), y = Y(v[i]);
        if (pen) ctx.lineTo(x, y);
        else { ctx.moveTo(x, y); if (firstX === null) firstX = x; }
        pen = true;
        lastX = x;
      }
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.8 * ui;
      ctx.lineJoin = 'round';
      ctx.stroke();
      if (si === 0 && firstX !== null) {
        ctx.lineTo(lastX, padT + ph);
        ctx.lineTo(firstX, padT + ph);
        ctx.closePath();
        const g = ctx.createLinearGradient(0, padT, 0, padT + ph);
        g.addColorStop(0, hexA(s.color, 0.28));
        g.addColorStop(1, hexA(s.color, 0));
        ctx.fillStyle = g;
        ctx.fill();
      }
    });
    ctx.restore();
    // replay cursor
    if (this.cursor !== null && this.cursor >= this.t0 && this.cursor <= this.t1) {
      const x = Math.round(X(this.cursor)) + 0.5;
      ctx.strokeStyle = '#38bdf8';
      ctx.lineWidth = 1.5 * ui;
      ctx.beginPath(); ctx.moveTo(x, padT); ctx.lineTo(x, padT + ph); ctx.stroke();
    }
    // hover read-out
    if (this.hoverX !== null && t.length) {
      const hx = this.hoverX * dpr;
      const tt = this.t0 + ((hx - padL) / pw) * (this.t1 - this.t0);
      let i = lowerBound(t, tt);
      if (i >= t.length) i = t.length - 1;
      if (i > 0 && Math.abs(t[i - 1] - tt) < Math.abs(t[i] - tt)) i--;
      const x = X(t[i]);
      ctx.strokeStyle = 'rgba(226,233,243,0.4)';
      ctx.lineWidth = 1 * ui;
      ctx.beginPath(); ctx.moveTo(x, padT); ctx.lineTo(x, padT + ph); ctx.stroke();
      const lines = [fmtClock(t[i])].concat(this.o.series.map((s) => `${s.label ? s.label + ': ' : ''}${this.o.fmt((cols[s.key] || [])[i])}`));
      ctx.font = font;
      const bw = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 12 * ui, bh = lines.length * 13 * ui + 8 * ui;
      const bx = Math.min(Math.max(padL, x + 8 * ui), W - bw - 2), by = padT;
      ctx.fillStyle = 'rgba(10,16,28,0.92)';
      ctx.fillRect(bx, by, bw, bh);
      ctx.fillStyle = '#e2e9f3';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      lines.forEach((l, k) => ctx.fillText(l, bx + 6 * ui, by + 4 * ui + k * 13 * ui));
    }
  }
}

function niceStep(x) {
  const e = Math.pow(10, Math.floor(Math.log10(x)));
  const f = x / e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
}

export function lowerBound(a, v) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function hexA(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}
