/* ctl_sotl.c -- SOTL, self-organizing traffic lights (Gershenson 2005;
 * the variant used as a baseline by the CoLight family of papers).
 *
 * Every second, once the green has shown `hold` seconds: if at most
 * `mu` vehicles are within `range` metres of the stop line on the lanes
 * the green serves (no platoon about to pass) and at least `theta`
 * vehicles are stopped on the lanes it does not serve, move on to the next
 * candidate green (in cyclic order).  No pressure, no look at exits: the
 * demand on red simply "asks" for the light, and a busy green keeps it. */
#include "ctl_int.h"

enum { P_MIN_GREEN, P_MU, P_THETA, P_RANGE };

static const ctl_param_def params[] = {
    { "hold", 10, 1, 3600, "seconds a green holds before it may end" },
    { "mu", 3, 0, 1e6, "a green with more vehicles than this on its lanes keeps going" },
    { "theta", 6, 0, 1e6, "stopped vehicles on red lanes that ask for a change" },
    { "range", 80, 1, 1e5, "metres before the stop line where green traffic counts" },
    { NULL, 0, 0, 0, NULL }
};

static int init(ctl_ctx *c, cb_error *err)
{
    (void)err;
    c->n_zones = 1;                  /* the approach zone, for green traffic */
    c->zone_m[0] = c->p[P_RANGE];
    return CB_OK;
}

static void decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    out->next = 1;
    if (s->n_candidates == 0) { out->next = 3600; return; }
    if (o->state == CB_SIG_START) {
        out->phase = s->candidates[0];
        return;
    }
    if (o->state != CB_SIG_GREEN) return;
    if (o->state_time + 1e-9 < c->p[P_MIN_GREEN]) {
        out->next = c->p[P_MIN_GREEN] - o->state_time;
        return;
    }
    double on_green = 0, on_red = 0;
    for (uint32_t k = 0; k < s->n_movements; k++) {
        const cb_site_movement *m = &s->movements[k];
        if (m->type == 1) continue;               /* right turns go on every phase */
        if (ctl_allows(s, o->green, k))
            for (uint32_t j = 0; j < m->n_in; j++)
                on_green += o->n_zones ? o->zones[s->lane_refs[m->first_in + j]].count
                                       : o->lanes[s->lane_refs[m->first_in + j]].count;
        else on_red += ctl_sum_in(s, m, o, true);
    }
    if (on_green > c->p[P_MU] || on_red < c->p[P_THETA]) return;
    uint32_t at = 0;
    while (at < s->n_candidates && s->candidates[at] != o->green) at++;
    out->phase = s->candidates[at < s->n_candidates ? (at + 1) % s->n_candidates : 0];
    out->next = s->yellow + s->all_red + c->p[P_MIN_GREEN];
}

const ctl_def ctl_sotl = {
    .name = "sotl",
    .summary = "self-organizing traffic lights: switch when red demand waits and the green is idle",
    .uses_interval = false,
    .params = params,
    .init = init,
    .decide = decide,
};
