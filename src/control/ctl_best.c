/* ctl_best.c -- placeholder */
#include "ctl_int.h"

static void decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    out->next = ctl_next_multiple(o->time, c->interval);
    int best = -1;
    double best_p = 0;
    for (uint32_t i = 0; i < s->n_candidates; i++) {
        int ph = s->candidates[i];
        double p = 0;
        for (uint32_t k = 0; k < s->n_movements; k++) {
            const cb_site_movement *m = &s->movements[k];
            if (m->type == 1 || !ctl_allows(s, ph, k)) continue;
            p += ctl_sum_in(s, m, o, true) - ctl_sum_road(s, m->out_road, o, true);
        }
        if (best < 0 || p > best_p) { best = ph; best_p = p; }
    }
    out->phase = best;
}

const ctl_def ctl_best = {
    .name = "best",
    .summary = "placeholder",
    .uses_interval = true,
    .decide = decide,
};
