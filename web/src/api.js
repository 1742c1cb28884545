// api.js -- talking to `citybrain serve` (docs/api.md): JSON requests with
// the operator's bearer token, and the live stream.
//
// The token lives in sessionStorage (this tab only) and goes only to this
// origin.  Reads carry it only when the server needs one: on a loopback
// listener reads are open, and a token of a role that may not read (a
// sensor's) would turn an open read into a 403.
//
// The stream is read with fetch() rather than EventSource, because
// EventSource cannot send an Authorization header (needed for reads on a
// non-loopback listener).  It reconnects by itself with a growing delay,
// and reports its state (connecting / live / stale / reconnecting) so the
// page can say what the operator is looking at.

const TOKEN_KEY = 'citybrain.token';

export class ApiError extends Error {
  constructor(status, body, fallback) {
    const msg = (body && (body.message || body.error)) || fallback || `HTTP ${status}`;
    super(msg);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
    this.body = body;
  }
}

export class Api {
  constructor() {
    this.token = sessionStorage.getItem(TOKEN_KEY) || '';
    this.role = 'none';
    this.who = '';
    this.loopback = true;
  }

  setToken(t) {
    this.token = t || '';
    if (this.token) sessionStorage.setItem(TOKEN_KEY, this.token);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  get canOperate() { return this.role === 'operator' || this.role === 'admin'; }
  get canRead() { return this.loopback || ['viewer', 'operator', 'admin'].includes(this.role); }

  headers(write) {
    const hd = {};
    if (this.token && (write || !this.loopback)) hd.Authorization = `Bearer ${this.token}`;
    return hd;
  }

  async request(method, path, body, opts = {}) {
    const write = method !== 'GET';
    const init = { method, headers: this.headers(write), signal: opts.signal, cache: 'no-store' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, null, 'the server cannot be reached');
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the status */ }
    if (!res.ok) throw new ApiError(res.status, json, `HTTP ${res.status}`);
    return json;
  }

  get(path, opts) { return this.request('GET', path, undefined, opts); }
  post(path, body) { return this.request('POST', path, body); }
  del(path) { return this.request('DELETE', path); }

  // Who the server says we are, with the token we hold (whoami is public).
  async whoami(token = this.token) {
    const res = await fetch('/api/v1/whoami', {
      headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store',
    });
    const j = await res.json().catch(() => null);
    if (!res.ok || !j) throw new ApiError(res.status, j, 'the token is not valid');
    return j;
  }

  async refreshIdentity() {
    const me = await this.whoami();
    this.role = me.role || 'none';
    this.who = me.who || '';
    this.loopback = !!me.loopback;
    if (this.token && this.role === 'none') this.setToken('');   // revoked or wrong server
    return me;
  }
}

// The live stream.  handlers: {event(type, data, rawLength), status(state, detail)}
export class Stream {
  constructor(api, handlers) {
    this.api = api;
    this.h = handlers;
    this.ctrl = null;
    this.running = false;
    this.retry = 1000;
    this.lastEvent = 0;
    this.state = 'idle';
    this.watchdog = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop();
    // A state arrives every second; three silent seconds mean trouble even
    // if the socket still looks open (a stopped server behind a proxy).
    this.watchdog = setInterval(() => {
      if (this.state === 'live' && performance.now() - this.lastEvent > 4000) {
        this.setState('stale');
        if (this.ctrl) this.ctrl.abort();
      }
    }, 1000);
  }

  // Reconnect now (after a sign-in), without waiting for the back-off.
  kick() {
    this.retry = 0;
    if (this.ctrl) this.ctrl.abort();
    if (this.wake) this.wake();
  }

  stop() {
    this.running = false;
    clearInterval(this.watchdog);
    if (this.ctrl) this.ctrl.abort();
  }

  setState(s, detail) {
    if (s === this.state && !detail) return;
    this.state = s;
    this.h.status(s, detail);
  }

  async loop() {
    let first = true;
    while (this.running) {
      this.setState(first ? 'connecting' : 'reconnecting');
      first = false;
      this.ctrl = new AbortController();
      try {
        const res = await fetch('/api/v1/stream', { headers: this.api.headers(false), signal: this.ctrl.signal, cache: 'no-store' });
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          throw new ApiError(res.status, body);
        }
        await this.read(res.body.getReader());
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) this.h.status('denied', e.message);
      }
      if (!this.running) break;
      await new Promise((r) => { this.wake = r; setTimeout(r, this.retry); });
      this.wake = null;
      this.retry = Math.min(Math.max(this.retry, 1000) * 1.6, 5000);
    }
  }

  async read(reader) {
    const dec = new TextDecoder();
    let buf = '', scan = 0;
    let type = 'message', data = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      // Dispatch every complete line; keep the partial tail.  `scan` avoids
      // re-searching a long (multi-megabyte) state line chunk after chunk.
      let nl;
      let start = 0;
      while ((nl = buf.indexOf('\n', Math.max(start, scan))) >= 0) {
        let line = buf.slice(start, nl);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        start = nl + 1;
        scan = start;
        if (line === '') {
          if (data.length) {
            const text = data.length === 1 ? data[0] : data.join('\n');
            this.lastEvent = performance.now();
            if (this.state !== 'live') {
              this.retry = 1000;
              this.setState('live');
            }
            this.h.event(type, text);
          }
          type = 'message';
          data = [];
        } else if (line[0] === ':') {
          this.lastEvent = performance.now();     // keep-alive
        } else {
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          let val = c < 0 ? '' : line.slice(c + 1);
          if (val[0] === ' ') val = val.slice(1);
          if (field === 'event') type = val;
          else if (field === 'data') data.push(val);
          else if (field === 'retry' && /^\d+$/.test(val)) this.retry = Math.max(500, Math.min(+val, 5000));
        }
      }
      buf = buf.slice(start);
      scan = buf.length;
    }
  }
}
