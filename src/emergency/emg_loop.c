/* emg_loop.c -- cb_opsloop: the closed loop of an offline run with field
 * operations.  It is cb_control's loop (src/signal/sig_loop.c: observe,
 * decide, make safe, step) with the operations layer around the step and
 * one change in deciding: a site that an emergency vehicle needs is held
 * on that green through the safety layer instead of asking its controller,
 * and the controller is asked again at the step the hold ends.
 *
 * Why a loop of its own: cb_control offers no way to put a request before
 * its controller's (docs/emergency.md; a cb_control hook would make this
 * file a thin wrapper).  The observation adapter below therefore mirrors
 * sig_loop.c's exactly -- the same detector zones, the same order within a
 * step -- so that without an emergency vehicle both loops produce the same
 * run (tests/test_emergency_loop.c checks the digests).
 *
 * Order within a step:
 *   1. cb_signals_update: clearances whose time is up end;
 *   2. due sites observe and decide; held sites request their hold;
 *   3. cb_signals_update again: the engine shows what the layer allows;
 *   4. cb_engine_step; 5. cb_signals_tick;
 *   6. cb_ops_update: loops read, incidents, EVs (holds for the next step). */
#include "emg_int.h"
#include "../signal/sig_int.h"
#include "../util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cb_opsloop {
    cb_engine *e;
    cb_ops *ops;
    char name[32];            /* resolved controller name */
    cb_signals *sig;          /* NULL: the engine's own plans ("fixed") */
    cb_controller *ctl;       /* NULL with sig */
    double zone;              /* detection zone, m (0: whole lane) */
    int64_t step;             /* steps taken through this loop */
    bool primed;              /* cb_ops_update ran before the first step */
    int64_t *next_step;       /* per site: step of its next decision */
    int *hold;                /* per site: the green held for an EV, -1 */
    uint8_t *held;            /* per site: held at the last step */
    int64_t held_steps;
    cb_lane_obs *lanes;       /* scratch: one site's observations */
    cb_lane_obs *zones;       /* scratch: advance zones, n_zones x lanes */
    uint32_t n_zones;
    const double *zone_m;     /* borrowed from the controller */
    double *published;        /* CB_PUBLISH_N per site */
    cb_control_stats stats;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Signalized intersections: what mean_queue is averaged over. */
static void count_sites(cb_opsloop *l)
{
    const cb_engine *e = l->e;
    size_t n_inters = cb_engine_intersection_count(e);
    for (size_t i = 0; i < n_inters; i++)
        l->stats.sites += !cb_engine_intersection_virtual(e, i) && cb_engine_phase_count(e, i) > 0 &&
                          cb_engine_movement_count(e, i) > 0;
}

/* The protocol keys, as cb_control reads them. */
static int read_protocol(cb_params *params, int default_set, cb_signal_config *cfg, double *zone, cb_error *err)
{
    cb_signal_config_init(cfg);
    cfg->phase_set = default_set;
    int rc;
    if ((rc = cb_params_number(params, "yellow", cfg->yellow, 0, 600, &cfg->yellow, err)) ||
        (rc = cb_params_number(params, "all_red", cfg->all_red, 0, 600, &cfg->all_red, err)) ||
        (rc = cb_params_number(params, "min_green", cfg->min_green, 0, 3600, &cfg->min_green, err)) ||
        (rc = cb_params_number(params, "zone", 0, 0, 1e6, zone, err)))
        return rc;
    const char *set = cb_params_string(params, "phases", NULL);
    if (set) {
        if (strcmp(set, "papers") == 0) cfg->phase_set = CB_PHASES_PAPERS;
        else if (strcmp(set, "all") == 0) cfg->phase_set = CB_PHASES_ALL;
        else return cbu_err(err, CB_EINVAL, "parameter phases: '%s' is neither 'papers' nor 'all'", set);
    }
    return CB_OK;
}

int cb_opsloop_open(cb_engine *e, const char *controller, cb_params *params, const cb_ops_config *cfg,
                    cb_opsloop **out, cb_error *err)
{
    *out = NULL;
    cb_opsloop *l = calloc(1, sizeof *l);
    if (!l) return cbu_err_nomem(err);
    l->e = e;
    int rc = CB_OK;
    count_sites(l);
    if (strcmp(controller, "fixed") == 0) {
        if (cb_engine_external_signals(e)) {
            rc = cbu_err(err, CB_ESTATE, "controller 'fixed' runs the roadnet's own plans; open the engine "
                         "without external signals");
            goto fail;
        }
        snprintf(l->name, sizeof l->name, "fixed");
    } else {
        const char *name = strcmp(controller, "auto") == 0 ? cb_controller_auto() : controller;
        cb_controller_info info;
        size_t k = 0;
        for (; k < cb_controller_count(); k++)
            if (cb_controller_info_get(k, &info) == CB_OK && strcmp(info.name, name) == 0) break;
        if (k == cb_controller_count()) {
            cb_controller *probe;     /* for the message listing the names */
            rc = cb_controller_create(controller, NULL, 0, NULL, &probe, err);
            if (rc == CB_OK) {
                cb_controller_destroy(probe);
                rc = cbu_err(err, CB_ENOTFOUND, "unknown controller '%s'", controller);
            }
            goto fail;
        }
        snprintf(l->name, sizeof l->name, "%s", info.name);
        cb_signal_config sc;
        if ((rc = read_protocol(params, info.phase_set, &sc, &l->zone, err)) ||
            (rc = cb_signals_open(e, &sc, &l->sig, err)))
            goto fail;
        size_t n = cb_signals_site_count(l->sig);
        if ((rc = cb_controller_create(info.name, cb_signals_sites(l->sig), n, params, &l->ctl, err))) goto fail;
        l->next_step = calloc(n + 1, sizeof *l->next_step);
        l->hold = malloc((n + 1) * sizeof *l->hold);
        l->held = calloc(n + 1, sizeof *l->held);
        l->lanes = calloc(l->sig->max_lanes + 1, sizeof *l->lanes);
        l->n_zones = cb_controller_zones(l->ctl, &l->zone_m);
        if (l->n_zones > CB_ZONES_MAX) l->n_zones = CB_ZONES_MAX;
        if (l->n_zones && !(l->zones = calloc((size_t)l->n_zones * l->sig->max_lanes + 1, sizeof *l->zones))) {
            rc = cbu_err_nomem(err);
            goto fail;
        }
        l->published = calloc(n * CB_PUBLISH_N + 1, sizeof *l->published);
        if (!l->next_step || !l->hold || !l->held || !l->lanes || !l->published) {
            rc = cbu_err_nomem(err);
            goto fail;
        }
        for (size_t i = 0; i < n; i++) l->hold[i] = -1;
    }
    const char *unused = cb_params_unused(params);
    if (unused) {
        rc = cbu_err(err, CB_EINVAL, "controller '%s' has no parameter '%s' (see citybrain run --help)", l->name,
                     unused);
        goto fail;
    }
    if ((rc = cb_ops_open(e, cfg, &l->ops, err))) goto fail;
    *out = l;
    return CB_OK;
fail:
    cb_opsloop_close(l);
    return rc;
}

/* Observe and decide for every site whose decision is due; held sites
 * request their hold instead. */
static void decide_due(cb_opsloop *l)
{
    cb_signals *s = l->sig;
    const double dt = cb_engine_interval(l->e), t = cb_engine_time(l->e);
    int64_t due = 0;
    double t0 = 0;
    bool any_hold = false;
    for (size_t i = 0; i < s->n_sites; i++) {
        if (l->hold[i] >= 0) {
            any_hold = true;
            if (cb_signals_request(s, i, l->hold[i], NULL)) l->stats.rejected++;
            l->held[i] = 1;
            continue;
        }
        if (l->held[i]) {         /* the hold ended: the controller takes over now */
            l->held[i] = 0;
            l->next_step[i] = l->step;
        }
        if (l->next_step[i] > l->step) continue;
        if (!due++) t0 = now_seconds();
        const cb_site *st = &s->sites[i];
        const uint32_t *lanes = s->lane_global[i];
        for (uint32_t j = 0; j < st->n_lanes; j++) cb_engine_lane_observe(l->e, lanes[j], l->zone, &l->lanes[j], NULL);
        for (uint32_t z = 0; z < l->n_zones; z++)
            for (uint32_t j = 0; j < st->n_lanes; j++) {
                cb_lane_obs *zo = &l->zones[z * st->n_lanes + j];
                if (st->roads[st->lanes[j].road].incoming) cb_engine_lane_observe(l->e, lanes[j], l->zone_m[z], zo, NULL);
                else memset(zo, 0, sizeof *zo);
            }
        cb_site_obs obs;
        cb_signals_status(s, i, &obs);
        obs.time = t;
        obs.lanes = l->lanes;
        obs.n_zones = l->n_zones;
        obs.zone_m = l->zone_m;
        obs.zones = l->zones;
        obs.published = l->published;
        cb_decision d;
        cb_controller_decide(l->ctl, i, &obs, &d);
        memcpy(l->published + i * CB_PUBLISH_N, d.publish, sizeof d.publish);
        if (d.phase >= 0 && cb_signals_request(s, i, d.phase, NULL)) l->stats.rejected++;
        int64_t k = (int64_t)(d.next / dt + 0.5);
        l->next_step[i] = l->step + (k < 1 ? 1 : k);
    }
    if (due) {
        l->stats.decide_seconds += now_seconds() - t0;
        l->stats.decisions += due;
    }
    l->held_steps += any_hold;
}

int cb_opsloop_step(cb_opsloop *l, cb_error *err)
{
    int rc;
    if (!l->primed) {             /* EVs due at t = 0 are pushed before the first step */
        if ((rc = cb_ops_update(l->ops, l->sig, err))) return rc;
        l->primed = true;
    }
    if (l->sig) {
        cb_ops_holds(l->ops, l->hold);
        if ((rc = cb_signals_update(l->sig, l->e, err))) return rc;
        decide_due(l);
        if ((rc = cb_signals_update(l->sig, l->e, err))) return rc;
    }
    if ((rc = cb_engine_step(l->e, err))) return rc;
    if (l->sig) cb_signals_tick(l->sig);
    l->step++;
    return cb_ops_update(l->ops, l->sig, err);
}

cb_ops *cb_opsloop_ops(cb_opsloop *l) { return l->ops; }
const cb_signals *cb_opsloop_signals(const cb_opsloop *l) { return l->sig; }
const char *cb_opsloop_name(const cb_opsloop *l) { return l->name; }
int64_t cb_opsloop_held_steps(const cb_opsloop *l) { return l->held_steps; }

void cb_opsloop_stats(const cb_opsloop *l, cb_control_stats *out)
{
    *out = l->stats;
    if (l->sig) out->switches = l->sig->greens;
    cb_metrics m;
    cb_engine_metrics(l->e, &m);
    out->mean_queue = m.steps && l->stats.sites ? (double)m.queue_sum / (double)m.steps / (double)l->stats.sites : 0;
}

void cb_opsloop_close(cb_opsloop *l)
{
    if (!l) return;
    cb_ops_close(l->ops);
    cb_controller_destroy(l->ctl);
    cb_signals_close(l->sig);
    free(l->next_step);
    free(l->hold);
    free(l->held);
    free(l->lanes);
    free(l->zones);
    free(l->published);
    free(l);
}
