// actions.js -- what an operator can do: override a signal, change the
// signal plan, declare an incident, clear an alert.  Every action names
// exactly what it will do in a confirmation dialog first, then shows the
// server's answer (accepted, or refused with the server's reason) in the
// panel and in the action log.  The server decides who may act: the page
// sends the token and reports a 401/403 as it comes, it does not guess.

import { $, h } from './dom.js';
import { ApiError } from './api.js';
import { fmtClock, alertName } from './format.js';
import { siteDetail } from './network.js';

export class Actions {
  constructor(api, hooks) {
    this.api = api;
    this.hooks = hooks;          // {net(), signalOf(site), identityChanged()}
    this.controllers = [];
    this.bindTabs();
    this.bindForms();
    this.bindEmergency();
    this.bindSignIn();
  }

  /*--- confirmation ------------------------------------------------------*/

  confirm(title, text, details, okLabel) {
    const dlg = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-details').replaceChildren(...details.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, String(v))]));
    $('confirm-ok').textContent = okLabel || 'Confirm';
    dlg.returnValue = '';
    return new Promise((resolve) => {
      dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
      dlg.showModal();
      $('confirm-ok').focus();
    });
  }

  async run(what, call, describe) {
    const started = Date.now();
    this.result(null, `${what}: sending…`, '');
    try {
      const res = await call();
      this.result(true, `${what}: done`, describe(res));
      this.log(true, what, describe(res), started);
      return res;
    } catch (e) {
      const msg = e instanceof ApiError
        ? `${e.status ? `HTTP ${e.status}` : 'no answer'}${e.code ? ` ${e.code}` : ''}: ${e.message}`
        : String(e.message || e);
      const hint = e.status === 401 ? ' Sign in with an operator token.' : e.status === 403 ? ' Your token\u2019s role may not do this.' : '';
      this.result(false, `${what}: refused`, msg + hint);
      this.log(false, what, msg, started);
      return null;
    }
  }

  result(ok, title, text) {
    const el = $('action-result');
    el.hidden = false;
    el.dataset.ok = ok === null ? 'pending' : String(ok);
    el.replaceChildren(h('b', null, title), text);
  }

  log(ok, what, text, t) {
    this.append(h('li', null, h('span', { class: ok ? 'ok' : 'bad' }, ok ? '✔ ' : '✖ '),
      h('b', null, what), ` · ${fmtClock(t)} · ${text}`));
  }

  // Newest first; a wall screen runs for days, so keep the last 200.
  append(li) {
    const ol = $('action-log');
    ol.prepend(li);
    while (ol.childElementCount > 200) ol.lastElementChild.remove();
  }

  // Someone (perhaps at another desk) acted: the stream's "action" event.
  remote(data) {
    let d;
    try { d = JSON.parse(data); } catch { return; }
    const what = d.emergency !== undefined ? `emergency vehicle ${d.emergency} ${d.state || d.status || ''} (${d.origin || '?'} → ${d.destination || '?'})`
      : d.phase !== undefined ? `override ${d.intersection} → phase ${d.phase} for ${d.duration} s`
      : d.controller ? `plan ${d.controller} at ${d.intersection || 'all intersections'}` : 'action';
    this.append(h('li', null, h('span', { class: 'ok' }, '● '), h('b', null, 'On the server'), ` · ${fmtClock(Date.now())} · ${what}`));
  }

  /*--- the forms ----------------------------------------------------------*/

  bindTabs() {
    for (const tab of document.querySelectorAll('.tab')) {
      tab.addEventListener('click', () => this.showTab(tab.dataset.tab));
    }
  }

  showTab(name) {
    for (const tab of document.querySelectorAll('.tab')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const pane of document.querySelectorAll('[data-pane]')) pane.hidden = pane.dataset.pane !== name;
  }

  // A junction picked on the map (or typed).
  pickIntersection(id) {
    $('f-inter').value = id;
    $('f-plan-inter').value = id;
    this.fillPhases();
    if (!$('form-incident').hidden || !$('pane-log').hidden) this.showTab('signal');
  }

  // A road picked on the map: for the emergency form when it is open (the
  // field last focused, else origin then destination), else an incident.
  pickRoad(id) {
    if (!$('form-emergency').hidden) {
      const from = $('f-ev-from'), to = $('f-ev-to');
      const f = this.evField || (from.value ? to : from);
      f.value = id;
      this.evField = f === from ? to : null;
      return;
    }
    $('f-road').value = id;
    this.showTab('incident');
  }

  noEmergency() {
    document.querySelector('.tab[data-tab="emergency"]').hidden = true;
    if (!$('form-emergency').hidden) this.showTab('signal');
  }

  fillPhases() {
    const net = this.hooks.net();
    const sel = $('f-phase');
    const k = net ? net.siteIndex.get($('f-inter').value.trim()) : undefined;
    const prev = sel.value;
    if (k === undefined) {
      sel.replaceChildren(h('option', { value: '' }, net && $('f-inter').value ? 'not a signalized junction' : 'pick a junction first'));
      sel.disabled = true;
      return;
    }
    const site = siteDetail(net, k);
    sel.disabled = false;
    sel.replaceChildren(...site.greens.map((p) => h('option', { value: String(p) }, `${p} · ${site.phaseText[p] || ''}`)));
    if (site.greens.includes(+prev)) sel.value = prev;
  }

  setControllers(list) {
    this.controllers = list;
    const sel = $('f-controller');
    sel.replaceChildren(...list.map((c) => h('option', { value: c.name }, c.name)));
    const help = () => {
      const c = list.find((x) => x.name === sel.value);
      $('f-controller-help').textContent = c ? c.summary : '';
    };
    sel.onchange = help;
    help();
  }

  bindForms() {
    $('f-inter').addEventListener('input', () => this.fillPhases());
    $('f-inter').addEventListener('change', () => this.hooks.focusIntersection($('f-inter').value.trim()));
    $('f-scope').addEventListener('change', () => { $('f-plan-inter-l').hidden = $('f-scope').value !== 'one'; });

    $('form-signal').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      const inter = String(f.get('intersection')).trim(), phase = Number(f.get('phase')), duration = Number(f.get('duration'));
      const reason = String(f.get('reason') || '').trim();
      const net = this.hooks.net();
      const k = net.siteIndex.get(inter);
      if (k === undefined) return this.result(false, 'Signal override', `"${inter}" is not a signalized junction of this city.`);
      const ok = await this.confirm('Override a signal?',
        `The junction will hold this green for ${duration} s, then return to its plan. Safety clearances (yellow, all-red) still apply.`,
        [['Junction', inter], ['Green phase', `${phase} · ${siteDetail(net, k).phaseText[phase] || ''}`], ['Duration', `${duration} s`], ['Reason', reason || '—']],
        'Override signal');
      if (!ok) return;
      const body = { intersection: inter, phase, duration };
      if (reason) body.reason = reason;
      await this.run('Signal override', () => this.api.post('/api/v1/actions/override', body),
        (r) => `${r.intersection} holds phase ${r.phase} for ${r.duration} s (${r.status}).`);
    });

    $('f-cancel-override').addEventListener('click', async () => {
      const inter = $('f-inter').value.trim();
      if (!inter) return this.result(false, 'End override', 'Pick a junction first.');
      const ok = await this.confirm('End the override?', 'The junction returns to its signal plan now.', [['Junction', inter]], 'End override');
      if (!ok) return;
      await this.run('End override', () => this.api.del(`/api/v1/actions/override/${encodeURIComponent(inter)}`),
        () => `${inter} is back on its plan.`);
    });

    $('form-plan').addEventListener('submit', async (e) => {
      e.preventDefault();
      const one = $('f-scope').value === 'one';
      const inter = $('f-plan-inter').value.trim();
      const controller = $('f-controller').value;
      const net = this.hooks.net();
      if (one && net.siteIndex.get(inter) === undefined) return this.result(false, 'Plan change', `"${inter}" is not a signalized junction of this city.`);
      const c = this.controllers.find((x) => x.name === controller);
      const ok = await this.confirm('Change the signal plan?',
        one ? `Junction ${inter} will be run by the ${controller} controller.` : `Every signalized junction (${net.sites.length}) will be run by the ${controller} controller.`,
        [['Scope', one ? inter : `all ${net.sites.length} junctions`], ['Controller', controller], ['What it does', c ? c.summary : '—']],
        'Change plan');
      if (!ok) return;
      const body = { controller };
      if (one) body.intersection = inter;
      await this.run('Plan change', () => this.api.post('/api/v1/actions/plan', body),
        (r) => `${r.intersection || 'All junctions'} now run ${r.controller} (${r.status}).`);
    });

    $('form-incident').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(e.target);
      const road = String(f.get('road')).trim(), sub = String(f.get('subCategory')), severity = String(f.get('severity'));
      const description = String(f.get('description') || '').trim();
      const net = this.hooks.net();
      if (!net.roadIndex.has(road)) return this.result(false, 'Declare incident', `"${road}" is not a road of this city.`);
      const ok = await this.confirm('Declare an incident?',
        'An alert is stored and shown to every operator until someone clears it.',
        [['Road', road], ['Type', alertName(sub)], ['Severity', severity], ['Description', description || '—']], 'Declare incident');
      if (!ok) return;
      const body = { road, subCategory: sub, severity };
      if (description) body.description = description;
      const res = await this.run('Declare incident', () => this.api.post('/api/v1/actions/incident', body),
        (r) => `Alert ${r.alert} on ${road} (${r.status}).`);
      if (res) this.hooks.alertsChanged();
    });
  }

  bindEmergency() {
    for (const id of ['f-ev-from', 'f-ev-to']) $(id).addEventListener('focus', () => { this.evField = $(id); });
    $('form-emergency').addEventListener('submit', async (e) => {
      e.preventDefault();
      const origin = $('f-ev-from').value.trim(), destination = $('f-ev-to').value.trim();
      const net = this.hooks.net();
      for (const [k, v] of [['Start road', origin], ['Destination road', destination]]) {
        if (!net.roadIndex.has(v)) return this.result(false, 'Emergency vehicle', `${k}: "${v}" is not a road of this city.`);
      }
      const ok = await this.confirm('Dispatch an emergency vehicle?',
        'citybrain routes it on live travel times and holds the signals on its way green, never cutting a yellow or a minimum green.',
        [['From', origin], ['To', destination], ['When', 'now']], 'Dispatch');
      if (!ok) return;
      await this.run('Emergency vehicle', () => this.api.post('/api/v1/emergency', { origin, destination }),
        (r) => `Vehicle ${r.emergency} ${r.status}, leaving ${fmtClock(Date.parse(r.dispatch))} UTC from ${origin} to ${destination}.`);
      this.hooks.emergencyChanged();
    });
  }

  async clearAlert(a) {
    const ok = await this.confirm('Clear this alert?', 'It leaves the list of active alerts (history keeps it).',
      [['Alert', `${a.id} · ${alertName(a.sub)}`], ['Where', a.roadId || '—'], ['Severity', a.severity]], 'Clear alert');
    if (!ok) return;
    const res = await this.run('Clear alert', () => this.api.post(`/api/v1/alerts/${a.id}/clear`, {}), (r) => `Alert ${r.alert} ${r.status}.`);
    if (res) this.hooks.alertsChanged();
  }

  /*--- identity -----------------------------------------------------------*/

  bindSignIn() {
    const dlg = $('signin-dialog');
    $('signin').addEventListener('click', () => {
      $('token-input').value = '';
      $('signin-error').hidden = true;
      $('signout').hidden = !this.api.token;
      dlg.showModal();
    });
    $('signin-form').addEventListener('submit', async (e) => {
      const v = e.submitter ? e.submitter.value : 'ok';
      if (v === 'cancel') return;
      if (v === 'signout') {
        this.api.setToken('');
        await this.hooks.identityChanged();
        return;
      }
      e.preventDefault();
      const tok = $('token-input').value.trim();
      try {
        const me = await this.api.whoami(tok);
        if (!me.role || me.role === 'none') throw new Error('the server does not know this token');
        this.api.setToken(tok);
        dlg.close('ok');
        await this.hooks.identityChanged();
      } catch (err) {
        $('signin-error').textContent = `Not signed in: ${err.message}`;
        $('signin-error').hidden = false;
      }
    });
  }

  showIdentity() {
    const role = this.api.role;
    const chip = $('role');
    const label = role === 'none' ? (this.api.loopback ? 'viewer (local)' : 'signed out') : role;
    chip.textContent = label;
    chip.className = `chip ${role === 'operator' || role === 'admin' ? `chip-role-${role}` : 'chip-muted'}`;
    chip.title = this.api.who || 'no token: reads only';
    $('signin').textContent = this.api.token ? 'Account' : 'Sign in';
    $('actions-note').textContent = this.api.canOperate ? `signed in as ${role}` : 'sign in as operator to act';
  }
}
