// kpis.js -- the city's indicators: an hour of history (GET /kpis, every
// kpi_period of field time) continued by the live state at 1 Hz, shown as
// four tiles and three charts (travel time, throughput, queues).
//
// Throughput is derived here: vehicles finished per hour over the last
// five minutes, from the cumulative "finished" counter.  The twin's demand
// restarts every loop_seconds (the counter drops to zero), so a drop
// starts a new run rather than giving a negative rate.

import { $, h } from './dom.js';
import { TimeChart, lowerBound } from './charts.js';
import { fmtNum, KMH, fmtDuration } from './format.js';

const WINDOW = 3600e3;
const RATE_SPAN = 300e3;

export class Kpis {
  constructor() {
    this.t = [];
    this.c = { att: [], published_att: [], finished: [], running: [], waiting: [], queue: [], mean_speed: [], throughput: [] };
    this.cursor = null;
    this.tiles = {};
    const tiles = $('kpi-tiles');
    const tile = (key, label, unit, good) => {
      const value = h('span', { class: 'num' }, '—');
      const delta = h('div', { class: 'tile-delta' }, ' ');
      tiles.append(h('div', { class: 'tile', dataset: { kpi: key } }, h('div', { class: 'tile-label' }, label),
        h('div', { class: 'tile-value' }, value, h('small', null, unit)), delta));
      this.tiles[key] = { value, delta, good };
    };
    tile('att', 'Average travel time', 's', 'down');
    tile('throughput', 'Throughput', 'veh/h', 'up');
    tile('queue', 'Queued vehicles', 'veh', 'down');
    tile('mean_speed', 'Mean speed', 'km/h', 'up');
    const charts = $('charts');
    this.charts = [
      new TimeChart(charts, { key: 'att', title: 'Travel time', unit: 's', fmt: (v) => (Number.isFinite(v) ? `${fmtNum(v)} s` : '—'),
        series: [{ key: 'att', label: 'all vehicles', color: '#38bdf8' }, { key: 'published_att', label: 'finished trips', color: '#a78bfa' }] }),
      new TimeChart(charts, { key: 'throughput', title: 'Throughput', unit: 'veh/h', fmt: (v) => (Number.isFinite(v) ? `${fmtNum(v)} veh/h` : '—'),
        series: [{ key: 'throughput', label: '', color: '#22c55e' }] }),
      new TimeChart(charts, { key: 'queue', title: 'Queues', unit: 'veh', fmt: (v) => (Number.isFinite(v) ? `${fmtNum(v)} veh` : '—'),
        series: [{ key: 'queue', label: 'stopped', color: '#f59e0b' }, { key: 'waiting', label: 'waiting to enter', color: '#ef4444' }] }),
    ];
    this.updates = 0;
  }

  reset() {
    this.t = [];
    for (const k of Object.keys(this.c)) this.c[k] = [];
  }

  // Rows of GET /kpis (oldest first).
  loadHistory(rows) {
    this.reset();
    for (const r of rows) this.push(Date.parse(r.time), r, false);
    this.render();
  }

  // One live state's KPIs.
  live(timeMs, k) {
    if (!k || !Number.isFinite(timeMs)) return;
    this.push(timeMs, k, true);
    this.updates++;
    this.render();
  }

  push(t, k, live) {
    const n = this.t.length;
    if (n && t <= this.t[n - 1]) {
      if (t === this.t[n - 1] || !live) return;
      // The field's clock went back (a new server on an old database):
      // start the series again.
      this.reset();
    }
    this.t.push(t);
    this.c.att.push(num(k.att));
    this.c.published_att.push(num(k.published_att) || NaN);
    this.c.finished.push(num(k.finished));
    this.c.running.push(num(k.running));
    this.c.waiting.push(num(k.waiting));
    this.c.queue.push(num(k.queue));
    this.c.mean_speed.push(num(k.mean_speed) * KMH);
    this.c.throughput.push(this.rateAt(this.t.length - 1));
    // keep a little more than the window
    const cut = lowerBound(this.t, t - WINDOW - 120e3);
    if (cut > 0) {
      this.t.splice(0, cut);
      for (const key of Object.keys(this.c)) this.c[key].splice(0, cut);
    }
  }

  rateAt(i) {
    const t = this.t, f = this.c.finished;
    let j = lowerBound(t, t[i] - RATE_SPAN);
    // not across a restart of the demand
    for (let q = i; q > j; q--) if (f[q] < f[q - 1]) { j = q; break; }
    if (j >= i || t[i] - t[j] < 20e3) return NaN;
    return ((f[i] - f[j]) / (t[i] - t[j])) * 3600e3;
  }

  // Index of the row at or just before time t.
  indexAt(t) {
    const i = lowerBound(this.t, t + 1) - 1;
    return i;
  }

  setCursor(t) {
    this.cursor = t;
    for (const c of this.charts) c.setCursor(t);
    this.renderTiles();
    $('kpi-note').textContent = t === null ? 'live' : 'replay';
  }

  render() {
    const n = this.t.length;
    if (!n) return;
    const t1 = this.t[n - 1], t0 = t1 - WINDOW;
    for (const c of this.charts) c.setData(this.t, this.c, t0, t1);
    this.renderTiles();
  }

  renderTiles() {
    const n = this.t.length;
    if (!n) return;
    const i = this.cursor === null ? n - 1 : Math.max(0, this.indexAt(this.cursor));
    const back = Math.max(0, this.indexAt(this.t[i] - 300e3));
    for (const [key, tl] of Object.entries(this.tiles)) {
      const v = this.c[key][i], v0 = this.c[key][back];
      tl.value.textContent = fmtNum(v, key === 'mean_speed' ? 1 : 0);
      if (key === 'att' && Number.isFinite(v)) tl.value.title = fmtDuration(v);
      const d = v - v0;
      if (this.t[i] - this.t[back] < 240e3) {
        tl.delta.textContent = 'trend after 5 min';
        tl.delta.className = 'tile-delta';
      } else if (Number.isFinite(d) && Math.abs(d) >= (key === 'mean_speed' ? 0.05 : 0.5)) {
        const up = d > 0;
        tl.delta.textContent = `${up ? '▲' : '▼'} ${fmtNum(Math.abs(d), key === 'mean_speed' ? 1 : 0)} in 5 min`;
        tl.delta.className = `tile-delta ${up ? 'up' : 'down'}-${(up ? 'up' : 'down') === tl.good ? 'good' : 'bad'}`;
      } else {
        tl.delta.textContent = 'steady over 5 min';
        tl.delta.className = 'tile-delta';
      }
    }
  }

  get lastTime() { return this.t.length ? this.t[this.t.length - 1] : NaN; }
}

const num = (x) => (typeof x === 'number' ? x : NaN);
