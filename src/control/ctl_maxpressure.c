/* ctl_maxpressure.c -- MaxPressure, the reference adaptive controller, in
 * the two settings of ../shared/docs/control-protocol.md.
 *
 * maxpressure (protocol maxpressure_15s): at t = 0, I, 2I ... pick the
 * candidate phase with the largest pressure,
 *     pressure(p) = sum over p's non-right movements m of
 *                   [ stopped on m's start lanes - stopped on all lanes of
 *                     m's exit road ],
 * the lowest phase on a tie.  The safety layer turns a change into 5 s of
 * yellow followed by the new green (so it shows for I - 5 s).
 *
 * mp1s (protocol maxpressure_every_1s_min10): once the green has shown
 * `hold` seconds (10), decide every second with
 *     pressure(p) = sum over p's non-right movements m of
 *                   [ vehicles on m's start lanes - vehicles on m's end lanes ],
 * keeping the current green on a tie. */
#include "ctl_int.h"

static double pressure_waiting(const cb_site *s, int phase, const cb_site_obs *o)
{
    double p = 0;
    for (uint32_t k = 0; k < s->n_movements; k++) {
        const cb_site_movement *m = &s->movements[k];
        if (m->type == 1 || !ctl_allows(s, phase, k)) continue;
        p += ctl_sum_in(s, m, o, true) - ctl_sum_road(s, m->out_road, o, true);
    }
    return p;
}

static double pressure_count(const cb_site *s, int phase, const cb_site_obs *o)
{
    double p = 0;
    for (uint32_t k = 0; k < s->n_movements; k++) {
        const cb_site_movement *m = &s->movements[k];
        if (m->type == 1 || !ctl_allows(s, phase, k)) continue;
        p += ctl_sum_in(s, m, o, false) - ctl_sum_out(s, m, o, false);
    }
    return p;
}

static void mp_decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    out->next = ctl_next_multiple(o->time, c->interval);
    int best = -1;
    double best_p = 0;
    for (uint32_t i = 0; i < s->n_candidates; i++) {
        double p = pressure_waiting(s, s->candidates[i], o);
        if (best < 0 || p > best_p) { best = s->candidates[i]; best_p = p; }   /* ties: lowest */
    }
    out->phase = best;
}

const ctl_def ctl_maxpressure = {
    .name = "maxpressure",
    .summary = "MaxPressure on stopped vehicles, a decision every interval (protocol maxpressure_15s)",
    .uses_interval = true,
    .decide = mp_decide,
};

enum { P_MIN_GREEN };

static const ctl_param_def mp1s_params[] = {
    { "hold", 10, 1, 3600, "seconds a green holds before decisions resume" },
    { NULL, 0, 0, 0, NULL }
};

static void mp1s_decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    double min_green = c->p[P_MIN_GREEN];
    out->next = 1;
    if (s->n_candidates == 0) { out->next = 3600; return; }
    if (o->state == CB_SIG_YELLOW || o->state == CB_SIG_ALLRED) return;
    if (o->state == CB_SIG_GREEN && o->state_time + 1e-9 < min_green) {
        out->next = min_green - o->state_time;
        return;
    }
    int best = o->state == CB_SIG_GREEN ? o->green : -1;
    double best_p = best >= 0 ? pressure_count(s, best, o) : 0;
    for (uint32_t i = 0; i < s->n_candidates; i++) {
        int ph = s->candidates[i];
        if (ph == best) continue;
        double p = pressure_count(s, ph, o);
        if (best < 0 || p > best_p) { best = ph; best_p = p; }    /* ties keep the current green */
    }
    if (o->state == CB_SIG_GREEN && best == o->green) return;
    out->phase = best;
    out->next = (o->state == CB_SIG_START ? 0 : s->yellow + s->all_red) + min_green;
}

const ctl_def ctl_mp1s = {
    .name = "mp1s",
    .summary = "MaxPressure on vehicle counts, every second after a 10 s minimum green "
               "(protocol maxpressure_every_1s_min10)",
    .uses_interval = false,
    .params = mp1s_params,
    .decide = mp1s_decide,
};
