/* ctl_int.h -- what the controllers of src/control share: the definition
 * table every controller fills, the per-run context, and small helpers over
 * a site's observations.
 *
 * Rule of this folder: a controller sees a cb_site (the detector layout)
 * and a cb_site_obs (what the detectors and its own signal report) and
 * nothing else.  No file here includes an engine header or calls a
 * cb_engine_* function (tests/test_control_isolation.c checks it), so the
 * same code runs unchanged on a live feed. */
#ifndef CB_CTL_INT_H
#define CB_CTL_INT_H

#include "citybrain.h"

/* A numeric parameter of a controller. */
typedef struct ctl_param_def {
    const char *name;         /* NULL ends a table */
    double dflt, lo, hi;
    const char *help;         /* one line */
} ctl_param_def;

#define CTL_MAX_PARAMS 16

/* One run of a controller. */
typedef struct ctl_ctx {
    const cb_site *sites;     /* borrowed from the caller of create */
    size_t n_sites;
    double interval;          /* decision_interval, s */
    double p[CTL_MAX_PARAMS]; /* parameter values, in the def's table order */
    void *shared;             /* the controller's own run-wide data (init) */
    uint32_t n_zones;         /* advance zones wanted (init may set) */
    double zone_m[CB_ZONES_MAX]; /* their lengths, m */
} ctl_ctx;

typedef struct ctl_def {
    const char *name;
    const char *summary;
    bool uses_interval;       /* decides at multiples of the interval */
    int phase_set;            /* default candidate set (CB_PHASES_*) */
    const ctl_param_def *params;
    size_t site_state_size;   /* bytes of zeroed state per site */
    /* Optional: run-wide setup after the parameters are read. */
    int (*init)(ctl_ctx *c, cb_error *err);
    void (*decide)(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *obs, cb_decision *out);
    /* Optional: release c->shared. */
    void (*fini)(ctl_ctx *c);
} ctl_def;

extern const ctl_def ctl_fixedtime, ctl_maxpressure, ctl_mp1s, ctl_sotl, ctl_best, ctl_best_1s;

/*--- helpers over observations ------------------------------------------------*/

/* Sum of a lane field over the lanes a movement starts from / ends on. */
static inline double ctl_sum_in(const cb_site *s, const cb_site_movement *m, const cb_site_obs *o, bool stopped)
{
    double v = 0;
    for (uint32_t j = 0; j < m->n_in; j++) {
        const cb_lane_obs *l = &o->lanes[s->lane_refs[m->first_in + j]];
        v += stopped ? l->stopped : l->count;
    }
    return v;
}

static inline double ctl_sum_out(const cb_site *s, const cb_site_movement *m, const cb_site_obs *o, bool stopped)
{
    double v = 0;
    for (uint32_t j = 0; j < m->n_out; j++) {
        const cb_lane_obs *l = &o->lanes[s->lane_refs[m->first_out + j]];
        v += stopped ? l->stopped : l->count;
    }
    return v;
}

/* Sum over all lanes of a road. */
static inline double ctl_sum_road(const cb_site *s, uint32_t road, const cb_site_obs *o, bool stopped)
{
    const cb_site_road *r = &s->roads[road];
    double v = 0;
    for (uint32_t j = 0; j < r->n_lanes; j++) {
        const cb_lane_obs *l = &o->lanes[r->first_lane + j];
        v += stopped ? l->stopped : l->count;
    }
    return v;
}

static inline bool ctl_allows(const cb_site *s, int phase, uint32_t k)
{
    return s->allows[(size_t)phase * s->n_movements + k] != 0;
}

/* Steps are whole seconds in every benchmark; a decision "every I seconds"
 * is rounded so that t = 0, I, 2I ... land on steps. */
static inline double ctl_next_multiple(double now, double interval)
{
    double k = now / interval;
    double next = (double)((long long)(k + 1e-9) + 1) * interval;
    return next - now;
}

#endif
