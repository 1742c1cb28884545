/* ctl_fixedtime.c -- the papers' FixedTime baseline: the candidate greens in
 * order (phases 1, 2, 3, 4 in the benchmark data), each for `green`
 * seconds, with the safety layer's yellow between them.
 *
 * Protocol fixedtime_4phase_25g5y of ../shared/docs/control-protocol.md:
 * t = 0 starts in the first green directly (the layer's START state owes
 * no clearance), each green lasts 25 s, then 5 s of yellow.  It ignores
 * the detectors and the decision interval: it asks again exactly when its
 * green is due to end.  `offset` (0 in the protocol) lengthens the first
 * green, which shifts the whole cycle: the offset of coordinated plans. */
#include "ctl_int.h"

enum { P_GREEN, P_OFFSET };

static const ctl_param_def params[] = {
    { "green", 25, 1, 3600, "seconds of each green" },
    { "offset", 0, 0, 3600, "seconds the first green lasts longer (shifts the cycle)" },
    { NULL, 0, 0, 0, NULL }
};

static int position(const cb_site *s, int phase)
{
    for (uint32_t i = 0; i < s->n_candidates; i++)
        if (s->candidates[i] == phase) return (int)i;
    return -1;
}

static void decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    double green = c->p[P_GREEN];
    if (s->n_candidates == 0) { out->next = 3600; return; }
    if (o->state == CB_SIG_START) {
        out->phase = s->candidates[0];
        out->next = green + c->p[P_OFFSET];
        return;
    }
    if (o->state != CB_SIG_GREEN) {          /* a clearance is running: look again when it ends */
        out->next = 1;
        return;
    }
    /* the first green, shown since t = 0, lasts `offset` seconds longer */
    double due = green + (o->time - o->state_time < 1e-9 ? c->p[P_OFFSET] : 0);
    if (o->state_time + 1e-9 < due) {
        out->next = due - o->state_time;
        return;
    }
    int at = position(s, o->green);
    out->phase = s->candidates[at < 0 ? 0 : (uint32_t)(at + 1) % s->n_candidates];
    out->next = s->yellow + s->all_red + green;
}

const ctl_def ctl_fixedtime = {
    .name = "fixedtime",
    .summary = "the papers' FixedTime: candidate greens in turn, 25 s each, yellow between",
    .uses_interval = false,
    .params = params,
    .decide = decide,
};
