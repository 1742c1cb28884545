// colors.js -- the colour scales of the map and their legend.
//
// Roads are drawn in a few colour classes rather than a continuous ramp:
// one canvas path per class keeps a 40,000-road city at a handful of
// stroke calls per frame, and discrete classes read better on a wall.
// Class 0 is "no vehicles" (nothing to measure: drawn quietly); the others
// go from free flow to standstill and are drawn in that order, so that a
// jam is never hidden under a free road.

export const THEME = {
  bg: '#0a101c',
  empty: '#2b3a52',
  emptyZoomed: '#33445f',
  inter: '#1c2940',
  interEdge: '#2d3f5e',
  label: '#8fa0ba',
  green: '#22c55e',
  amber: '#f59e0b',
  red: '#ef4444',
  override: '#a78bfa',
  emergency: '#f472b6',
  alert: '#ef4444',
  select: '#38bdf8',
  hover: '#e2e9f3',
};

// Free flow -> standstill.
export const RAMP = ['#22c55e', '#a3e635', '#facc15', '#fb923c', '#ef4444', '#991b1b'];

// metric: 'speed' (mean speed as a share of the lane's limit) or
// 'occupancy' (share of the lane covered by vehicles).  classOf maps a
// value to 1..RAMP.length; 0 means no data.
export const METRICS = {
  speed: {
    title: 'Mean speed, % of the speed limit',
    // bounds between classes, from free to stopped
    bounds: [0.8, 0.6, 0.4, 0.25, 0.1],
    ticks: ['100', '80', '60', '40', '25', '10', '0 %'],
    classOf(v) {
      const b = this.bounds;
      for (let i = 0; i < b.length; i++) if (v >= b[i]) return i + 1;
      return b.length + 1;
    },
    fmt: (v) => `${Math.round(v * 100)} % of limit`,
  },
  occupancy: {
    title: 'Occupancy, % of lane length',
    bounds: [0.05, 0.1, 0.2, 0.35, 0.5],
    ticks: ['0', '5', '10', '20', '35', '50', '100 %'],
    classOf(v) {
      const b = this.bounds;
      for (let i = 0; i < b.length; i++) if (v < b[i]) return i + 1;
      return b.length + 1;
    },
    fmt: (v) => `${(v * 100).toFixed(1)} %`,
  },
};

export const N_CLASSES = RAMP.length + 1;
export const classColor = (k, zoomed) => (k === 0 ? (zoomed ? THEME.emptyZoomed : THEME.empty) : RAMP[k - 1]);
