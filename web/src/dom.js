// dom.js -- the few DOM helpers the panels share: find by id, build an
// element with text (never innerHTML with server data, so ids and messages
// from the API cannot inject markup).

export const $ = (id) => document.getElementById(id);

// h('div', {class: 'x', onclick: f}, 'text', child, ...)
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const kid of kids.flat()) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

// The root font size in CSS pixels: canvases scale their text and strokes
// with it so that the wall display stays as readable as the laptop.
export function uiScale() {
  const px = parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
  return px / 15;
}

// Size a canvas to its CSS box at the device's pixel ratio; returns true
// when the backing store changed.
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const r = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(r.width * dpr)), hh = Math.max(1, Math.round(r.height * dpr));
  if (canvas.width === w && canvas.height === hh) return false;
  canvas.width = w;
  canvas.height = hh;
  return true;
}
