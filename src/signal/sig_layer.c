/* sig_layer.c -- the signal safety layer: controllers request greens, this
 * file decides when the engine may show them.
 *
 * Per site a small state machine (sig_int.h):
 *
 *     START --request p--> GREEN(p)
 *     GREEN(p) --request q != p, green shown >= min--> YELLOW(q)
 *     GREEN(p) --request q != p, green too young---> GREEN(p), pending q
 *     YELLOW(q) --yellow time up--> ALLRED(q) --all-red time up--> GREEN(q)
 *                                  (or straight to GREEN(q) when all_red = 0)
 *
 * The safety rules, tagged where they are enforced and tested by
 * tests/test_signal_safety.c:
 *   SAFETY-CANDIDATE   only candidate greens are ever shown as green; a
 *                      request for anything else (the yellow, an unknown or
 *                      conflicting phase) is refused and changes nothing;
 *   SAFETY-MIN-GREEN   a green shows at least min_green before its yellow;
 *   SAFETY-YELLOW-FULL every change of green shows the yellow phase for the
 *                      full yellow time, then the all-red for all_red; a
 *                      request during a clearance only retargets it;
 *   SAFETY-START       at the start nothing has been green, so the first
 *                      green owes no clearance (the protocols start so). */
#include "sig_int.h"
#include "../util/err.h"

#include <stdlib.h>
#include <string.h>

void cb_signal_config_init(cb_signal_config *c)
{
    c->min_green = 5;
    c->yellow = 5;
    c->all_red = 0;
    c->phase_set = CB_PHASES_PAPERS;
}

int cb_signals_open(cb_engine *e, const cb_signal_config *cfg, cb_signals **out, cb_error *err)
{
    *out = NULL;
    if (!cb_engine_external_signals(e))
        return cbu_err(err, CB_ESTATE, "the engine runs its own fixed-time plans; open it with external signals "
                       "(cb_options.external_signals = 1) to control them");
    if (!(cfg->min_green >= 0 && cfg->min_green <= 3600) || !(cfg->yellow >= 0 && cfg->yellow <= 3600) ||
        !(cfg->all_red >= 0 && cfg->all_red <= 3600))
        return cbu_err(err, CB_EINVAL, "signal timings must lie in [0, 3600] s (min_green %g, yellow %g, all_red %g)",
                       cfg->min_green, cfg->yellow, cfg->all_red);
    if (cfg->phase_set != CB_PHASES_PAPERS && cfg->phase_set != CB_PHASES_ALL)
        return cbu_err(err, CB_EINVAL, "unknown phase set %d", cfg->phase_set);
    cb_signals *s = calloc(1, sizeof *s);
    if (!s) return cbu_err_nomem(err);
    cbu_arena_init(&s->arena);
    s->cfg = *cfg;
    int rc = sig_sites_build(s, e, err);
    if (rc) {
        cb_signals_close(s);
        return rc;
    }
    for (size_t i = 0; i < s->n_sites; i++)
        s->st[i] = (sig_state){ .state = CB_SIG_START, .green = -1, .pending = -1, .shown = -1, .steps = 0 };
    *out = s;
    return CB_OK;
}

void cb_signals_close(cb_signals *s)
{
    if (!s) return;
    cbu_arena_free(&s->arena);
    free(s);
}

size_t cb_signals_site_count(const cb_signals *s) { return s->n_sites; }
const cb_site *cb_signals_sites(const cb_signals *s) { return s->sites; }
size_t cb_signals_site_intersection(const cb_signals *s, size_t site)
{
    return site < s->n_sites ? s->inter[site] : (size_t)-1;
}

const uint32_t *cb_signals_site_lanes(const cb_signals *s, size_t site)
{
    return site < s->n_sites ? s->lane_global[site] : NULL;
}

bool cb_signals_conflict(const cb_signals *s, size_t site, size_t a, size_t b)
{
    if (site >= s->n_sites) return false;
    size_t n = s->sites[site].n_movements;
    return a < n && b < n && s->conflict[site][a * n + b];
}

static bool is_candidate(const cb_site *st, int phase)
{
    for (uint32_t i = 0; i < st->n_candidates; i++)
        if (st->candidates[i] == phase) return true;
    return false;
}

static void begin(cb_signals *s, sig_state *g, cb_sig_state state, int green)
{
    s->greens += state == CB_SIG_GREEN;
    g->state = (uint8_t)state;
    g->green = (int16_t)green;
    g->pending = -1;
    g->steps = 0;
}

int cb_signals_request(cb_signals *s, size_t site, int phase, cb_error *err)
{
    if (site >= s->n_sites)
        return cbu_err(err, CB_EINVAL, "site %zu out of range (%zu sites)", site, s->n_sites);
    const cb_site *st = &s->sites[site];
    /* SAFETY-CANDIDATE */
    if (!is_candidate(st, phase))
        return cbu_err(err, CB_EINVAL, "intersection %s: phase %d is not a green a controller may request", st->id,
                       phase);
    sig_state *g = &s->st[site];
    switch (g->state) {
    case CB_SIG_START:
        begin(s, g, CB_SIG_GREEN, phase);                         /* SAFETY-START */
        break;
    case CB_SIG_GREEN:
        if (phase == g->green) g->pending = -1;                /* keep it: forget an older request */
        else if (g->steps >= s->min_green_steps) begin(s, g, CB_SIG_YELLOW, phase);
        else g->pending = (int16_t)phase;                      /* SAFETY-MIN-GREEN */
        break;
    default:
        g->green = (int16_t)phase;                             /* SAFETY-YELLOW-FULL: retarget only */
        break;
    }
    return CB_OK;
}

int sig_shown_phase(const cb_signals *s, size_t site)
{
    const cb_site *st = &s->sites[site];
    const sig_state *g = &s->st[site];
    switch (g->state) {
    case CB_SIG_GREEN: return g->green;
    case CB_SIG_YELLOW: return st->yellow_phase;
    case CB_SIG_ALLRED: return st->allred_phase >= 0 ? st->allred_phase : st->yellow_phase;
    default: return st->yellow_phase;     /* START: show the clearance until the first green */
    }
}

int cb_signals_update(cb_signals *s, cb_engine *e, cb_error *err)
{
    for (size_t i = 0; i < s->n_sites; i++) {
        sig_state *g = &s->st[i];
        /* Clearances end only when their full time is up (SAFETY-YELLOW-FULL). */
        if (g->state == CB_SIG_YELLOW && g->steps >= s->yellow_steps)
            begin(s, g, s->allred_steps > 0 ? CB_SIG_ALLRED : CB_SIG_GREEN, g->green);
        if (g->state == CB_SIG_ALLRED && g->steps >= s->allred_steps) begin(s, g, CB_SIG_GREEN, g->green);
        /* A request that waited for the minimum green (SAFETY-MIN-GREEN). */
        if (g->state == CB_SIG_GREEN && g->pending >= 0 && g->steps >= s->min_green_steps)
            begin(s, g, CB_SIG_YELLOW, g->pending);
        int want = sig_shown_phase(s, i);
        if (want >= 0 && want != g->shown) {
            int rc = cb_engine_set_phase(e, s->inter[i], want, err);
            if (rc) return rc;
            g->shown = (int16_t)want;
        }
    }
    return CB_OK;
}

void cb_signals_tick(cb_signals *s)
{
    for (size_t i = 0; i < s->n_sites; i++)
        if (s->st[i].steps < INT32_MAX) s->st[i].steps++;
}

void cb_signals_status(const cb_signals *s, size_t site, cb_site_obs *out)
{
    const sig_state *g = &s->st[site];
    out->state = (cb_sig_state)g->state;
    out->phase = g->shown;
    out->green = g->green;
    out->pending = g->pending;
    out->state_time = g->steps * s->dt;
}
