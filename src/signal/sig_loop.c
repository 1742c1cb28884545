/* sig_loop.c -- cb_control, the closed loop on the twin: at each step the
 * sites whose decision is due observe their detectors, their controller
 * decides, the safety layer makes the requests safe, and the engine steps.
 *
 * This is the observation adapter: it fills cb_site_obs from the engine's
 * detector view (cb_engine_lane_observe) exactly as a live feed would fill
 * it from field detectors.  The controller never receives anything else.
 *
 * Order within a step (control-protocol.md: "one decision per intersection
 * at the start of a step, before the step is simulated"):
 *   1. cb_signals_update: clearances whose time is up end;
 *   2. due sites observe and decide; requests go to the layer;
 *   3. cb_signals_update again: the engine shows what the layer allows;
 *   4. cb_engine_step; 5. cb_signals_tick.
 *
 * Holds (cb_control_set_holds, for emergency preemption) take a site out
 * of step 2: it requests the held phase through the same safety layer,
 * and its controller is asked again at the step the hold ends.  Without
 * holds nothing else differs, so a run with operations and no emergency
 * vehicle is the same run as one without (tests/test_emergency_preempt.c).
 *
 * Also measured here: decision time (observing + deciding, as CPU time of
 * the deciding thread, so that other processes on a busy machine do not
 * inflate it) and
 * mean_queue, the number of stopped vehicles (< 0.1 m/s) on the approach
 * lanes of signalized intersections, per intersection, averaged over the
 * states after every step (docs/control.md); the engine keeps that count
 * during its step (cb_metrics.queue_sum). */
#include "sig_int.h"
#include "../util/err.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cb_control {
    cb_engine *e;
    char name[32];            /* resolved controller name */
    cb_signals *sig;          /* NULL: the engine's own plans ("fixed") */
    cb_controller *ctl;       /* NULL with sig */
    double zone;              /* detection zone, m (0: whole lane) */
    int64_t step;             /* steps taken through this loop */
    int64_t *next_step;       /* per site: step of its next decision */
    cb_lane_obs *lanes;       /* scratch: one site's observations */
    cb_lane_obs *zones;       /* scratch: the advance zones, n_zones x lanes */
    uint32_t n_zones;
    const double *zone_m;     /* borrowed from the controller */
    double *published;        /* CB_PUBLISH_N per site */
    const int *hold;          /* borrowed, per site: phase held, -1; or NULL */
    uint8_t *held;            /* per site: held at the last step */
    int64_t held_steps;       /* steps at which any site was held */
    cb_control_stats stats;
};

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Signalized intersections: what mean_queue is averaged over. */
static void count_sites(cb_control *c)
{
    const cb_engine *e = c->e;
    size_t n_inters = cb_engine_intersection_count(e);
    for (size_t i = 0; i < n_inters; i++)
        c->stats.sites += !cb_engine_intersection_virtual(e, i) && cb_engine_phase_count(e, i) > 0 &&
                          cb_engine_movement_count(e, i) > 0;
}

static int info_by_name(const char *name, cb_controller_info *out)
{
    if (strcmp(name, "auto") == 0) name = cb_controller_auto();
    for (size_t k = 0; k < cb_controller_count(); k++)
        if (cb_controller_info_get(k, out) == CB_OK && strcmp(out->name, name) == 0) return CB_OK;
    return CB_ENOTFOUND;
}

/* The protocol keys: the layer's timings, the candidate set, the zone. */
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

int cb_control_open(cb_engine *e, const char *controller, cb_params *params, cb_control **out, cb_error *err)
{
    *out = NULL;
    cb_control *c = calloc(1, sizeof *c);
    if (!c) return cbu_err_nomem(err);
    c->e = e;
    count_sites(c);
    int rc;
    if (strcmp(controller, "fixed") == 0) {
        if (cb_engine_external_signals(e)) {
            rc = cbu_err(err, CB_ESTATE, "controller 'fixed' runs the roadnet's own plans; open the engine "
                         "without external signals");
            goto fail;
        }
        snprintf(c->name, sizeof c->name, "fixed");
    } else {
        cb_controller_info info;
        if (info_by_name(controller, &info)) {
            cb_controller *probe;     /* for the message listing the names */
            rc = cb_controller_create(controller, NULL, 0, NULL, &probe, err);
            if (rc == CB_OK) { cb_controller_destroy(probe); rc = CB_ENOTFOUND; }
            goto fail;
        }
        snprintf(c->name, sizeof c->name, "%s", info.name);
        cb_signal_config cfg;
        if ((rc = read_protocol(params, info.phase_set, &cfg, &c->zone, err)) ||
            (rc = cb_signals_open(e, &cfg, &c->sig, err)))
            goto fail;
        size_t n = cb_signals_site_count(c->sig);
        if ((rc = cb_controller_create(info.name, cb_signals_sites(c->sig), n, params, &c->ctl, err))) goto fail;
        c->next_step = calloc(n + 1, sizeof *c->next_step);
        c->lanes = calloc(c->sig->max_lanes + 1, sizeof *c->lanes);
        c->n_zones = cb_controller_zones(c->ctl, &c->zone_m);
        if (c->n_zones > CB_ZONES_MAX) c->n_zones = CB_ZONES_MAX;
        if (c->n_zones && !(c->zones = calloc((size_t)c->n_zones * c->sig->max_lanes + 1, sizeof *c->zones))) {
            rc = cbu_err_nomem(err);
            goto fail;
        }
        c->published = calloc(n * CB_PUBLISH_N + 1, sizeof *c->published);
        if (!c->next_step || !c->lanes || !c->published) { rc = cbu_err_nomem(err); goto fail; }
    }
    const char *unused = cb_params_unused(params);
    if (unused) {
        rc = cbu_err(err, CB_EINVAL, "controller '%s' has no parameter '%s' (see citybrain run --help)", c->name,
                     unused);
        goto fail;
    }
    *out = c;
    return CB_OK;
fail:
    cb_control_close(c);
    return rc;
}

/* Observe and decide for every site whose decision is due. */
static int decide_due(cb_control *c, cb_error *err)
{
    cb_signals *s = c->sig;
    const double dt = cb_engine_interval(c->e), t = cb_engine_time(c->e);
    int64_t due = 0;
    double t0 = 0;
    bool any_hold = false;
    for (size_t i = 0; i < s->n_sites; i++) {
        if (c->hold && c->hold[i] >= 0) {
            any_hold = true;
            if (cb_signals_request(s, i, c->hold[i], NULL)) c->stats.rejected++;
            c->held[i] = 1;
            continue;
        }
        if (c->held && c->held[i]) {  /* the hold ended: the controller takes over now */
            c->held[i] = 0;
            c->next_step[i] = c->step;
        }
        if (c->next_step[i] > c->step) continue;
        if (!due++) t0 = cpu_seconds();
        const cb_site *st = &s->sites[i];
        const uint32_t *lanes = s->lane_global[i];
        /* detectors reach past junctions without a signal: back from the
         * stop line on approach lanes, on from the start on exit lanes */
        for (uint32_t j = 0; j < st->n_lanes; j++) {
            if (st->roads[st->lanes[j].road].incoming)
                cb_engine_approach_observe(c->e, lanes[j], c->zone, &c->lanes[j], NULL);
            else
                cb_engine_exit_observe(c->e, lanes[j], c->zone, &c->lanes[j], NULL);
        }
        for (uint32_t z = 0; z < c->n_zones; z++)
            for (uint32_t j = 0; j < st->n_lanes; j++) {
                cb_lane_obs *zo = &c->zones[z * st->n_lanes + j];
                if (st->roads[st->lanes[j].road].incoming) cb_engine_approach_observe(c->e, lanes[j], c->zone_m[z], zo, NULL);
                else memset(zo, 0, sizeof *zo);
            }
        cb_site_obs obs;
        cb_signals_status(s, i, &obs);
        obs.time = t;
        obs.lanes = c->lanes;
        obs.n_zones = c->n_zones;
        obs.zone_m = c->zone_m;
        obs.zones = c->zones;
        obs.published = c->published;
        cb_decision d;
        cb_controller_decide(c->ctl, i, &obs, &d);
        memcpy(c->published + i * CB_PUBLISH_N, d.publish, sizeof d.publish);
        if (d.phase >= 0 && cb_signals_request(s, i, d.phase, NULL)) c->stats.rejected++;
        /* At least one step; decisions land on whole steps. */
        int64_t k = (int64_t)(d.next / dt + 0.5);
        c->next_step[i] = c->step + (k < 1 ? 1 : k);
    }
    if (due) {
        c->stats.decide_seconds += cpu_seconds() - t0;
        c->stats.decisions += due;
    }
    c->held_steps += any_hold;
    (void)err;
    return CB_OK;
}

int cb_control_step(cb_control *c, cb_error *err)
{
    int rc;
    if (c->sig) {
        if ((rc = cb_signals_update(c->sig, c->e, err)) || (rc = decide_due(c, err))) return rc;
        if ((rc = cb_signals_update(c->sig, c->e, err))) return rc;
    }
    if ((rc = cb_engine_step(c->e, err))) return rc;
    if (c->sig) cb_signals_tick(c->sig);
    c->step++;
    /* mean_queue comes from the engine's own count (cb_metrics.queue_sum),
     * kept during the step: scanning every lane here each step cost a
     * quarter of a fixed-time run's time on Jinan. */
    return CB_OK;
}

void cb_control_stats_get(const cb_control *c, cb_control_stats *out)
{
    *out = c->stats;
    if (c->sig) out->switches = c->sig->greens;
    cb_metrics m;
    cb_engine_metrics(c->e, &m);
    out->mean_queue = m.steps && c->stats.sites ? (double)m.queue_sum / (double)m.steps / (double)c->stats.sites : 0;
}

const char *cb_control_name(const cb_control *c) { return c->name; }
const cb_signals *cb_control_signals(const cb_control *c) { return c->sig; }
int64_t cb_control_held_steps(const cb_control *c) { return c->held_steps; }

int cb_control_set_holds(cb_control *c, const int *hold, cb_error *err)
{
    if (hold && c->sig && !c->held && !(c->held = calloc(c->sig->n_sites + 1, 1))) return cbu_err_nomem(err);
    c->hold = c->sig ? hold : NULL;   /* "fixed" has no layer to hold through */
    return CB_OK;
}

void cb_control_close(cb_control *c)
{
    if (!c) return;
    cb_controller_destroy(c->ctl);
    cb_signals_close(c->sig);
    free(c->next_step);
    free(c->lanes);
    free(c->zones);
    free(c->published);
    free(c->held);
    free(c);
}
