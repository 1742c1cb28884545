// alerts.js -- the alert list and the alerts on the map.  The list is
// GET /alerts (all alerts of the last hours, active or cleared), refreshed
// when the stream announces an alert; what is shown is what was active at
// the time on screen (now, or the replay time), newest first.

import { $, h } from './dom.js';
import { alertName, fmtClock, fmtAgo } from './format.js';
import { pointAlong } from './live.js';

export class Alerts {
  constructor(api, net, hooks) {
    this.api = api;
    this.net = net;
    this.hooks = hooks;       // {focus(alert), clear(alert), changed(list)}
    this.all = [];
    this.at = null;           // null: now; else a replay time (ms)
    this.now = Date.now();
    this.selected = null;
    this.timer = null;
  }

  setNetwork(net) { this.net = net; }

  async refresh() {
    const j = await this.api.get('/api/v1/alerts?limit=500&from=' + encodeURIComponent(new Date(0).toISOString()));
    this.all = (j.alerts || []).map((a) => this.place(a));
    this.render();
  }

  // Debounced: a burst of alert events triggers one request.
  soon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), 250);
  }

  place(a) {
    const net = this.net;
    const out = {
      id: a.alert, sub: a.subCategory, category: a.category, severity: a.severity, description: a.description,
      issued: Date.parse(a.dateIssued), cleared: a.cleared ? Date.parse(a.cleared) : null, source: a.source,
      road: -1, roadId: null, lane: a.laneId, x: NaN, y: NaN,
    };
    if (a.refRoadSegment && net) {
      const id = a.refRoadSegment.slice(a.refRoadSegment.lastIndexOf(':') + 1);
      const r = net.roadIndex.get(id);
      if (r !== undefined) {
        out.road = r;
        out.roadId = id;
        const p = pointAlong(net, r, 0.5);
        out.x = p.x;
        out.y = p.y;
      }
    }
    if (out.road < 0 && a.location && Array.isArray(a.location.coordinates)) {
      [out.x, out.y] = a.location.coordinates;
    }
    return out;
  }

  setTime(at, nowMs) {
    this.at = at;
    if (nowMs) this.now = nowMs;
    this.render();
  }

  active() {
    const t = this.at;
    return this.all.filter((a) => (t === null ? a.cleared === null : a.issued <= t && (a.cleared === null || a.cleared > t)));
  }

  render() {
    const list = this.active();
    const ol = $('alert-list');
    ol.replaceChildren(...list.map((a) => {
      const li = h('li', { class: 'alert' + (this.selected === a.id ? ' selected' : ''), dataset: { alert: a.id }, tabindex: '0',
        onclick: () => this.focus(a), onkeydown: (e) => { if (e.key === 'Enter') this.focus(a); } },
        h('span', { class: 'alert-sev', dataset: { sev: a.severity }, title: `severity: ${a.severity}` }),
        h('span', { class: 'alert-title' }, alertName(a.sub)),
        h('span', { class: 'alert-time', title: new Date(a.issued).toISOString() }, fmtClock(a.issued, false)),
        h('span', { class: 'alert-meta', title: a.description || '' },
          [a.roadId || (Number.isFinite(a.x) ? `${a.x.toFixed(0)}, ${a.y.toFixed(0)}` : 'no place'), a.severity,
            this.at === null ? fmtAgo(a.issued, this.now) : null, a.description].filter(Boolean).join(' · ')),
        this.at === null && this.hooks.canClear()
          ? h('button', { class: 'btn', type: 'button', title: 'Clear this alert', onclick: (e) => { e.stopPropagation(); this.hooks.clear(a); } }, 'Clear…')
          : h('span'));
      return li;
    }));
    const badge = $('alert-count');
    badge.textContent = String(list.length);
    badge.classList.toggle('badge-hot', list.some((a) => a.severity === 'high' || a.severity === 'critical'));
    this.hooks.changed(list.filter((a) => Number.isFinite(a.x)));
  }

  focus(a) {
    this.selected = a.id;
    this.render();
    this.hooks.focus(a);
  }
}
