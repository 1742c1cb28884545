// format.js -- numbers, units and times as the operator reads them.  Speeds
// arrive in m/s (state) or km/h (observations); the screen always shows
// km/h.  Field time is shown in UTC, the zone the API speaks.

export const KMH = 3.6;

export function fmtNum(v, digits = 0) {
  if (v == null || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// 12 345 -> "12.3k" for tight places (chart axes).
export function fmtCompact(v) {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(0) + 'k';
  if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
  if (a >= 100 || Number.isInteger(v)) return v.toFixed(0);
  return v.toFixed(a >= 10 ? 0 : 1);
}

const pad = (n) => String(n).padStart(2, '0');

export function fmtClock(ms, seconds = true) {
  if (!Number.isFinite(ms)) return '--:--:--';
  const d = new Date(ms);
  const s = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return seconds ? `${s}:${pad(d.getUTCSeconds())}` : s;
}

export function fmtAgo(ms, nowMs) {
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
}

export function fmtDuration(s) {
  if (!Number.isFinite(s)) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${pad(Math.round(s % 60))} s`;
}

export const iso = (ms) => new Date(ms).toISOString();

// Words for the FIWARE alert sub-categories.
const SUB = {
  trafficJam: 'Traffic jam', carAccident: 'Accident', carWrongDirection: 'Wrong-way vehicle', carStopped: 'Stopped vehicle',
  pothole: 'Pothole', roadClosed: 'Road closed', roadWorks: 'Road works', hazardOnRoad: 'Hazard on road',
  injuredBiker: 'Injured cyclist', incident: 'Incident', airPollution: 'Air pollution', noisePollution: 'Noise',
  flood: 'Flood', fog: 'Fog', ice: 'Ice', snow: 'Snow', wind: 'Wind', rainfall: 'Heavy rain',
};
export const alertName = (sub) => SUB[sub] || (sub ? sub.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()) : 'Alert');
