/* sim_detect.c -- what field equipment would measure, and what field events
 * do to traffic: loop detectors on lanes, and incidents that block a lane.
 *
 * Detectors.  When enabled, every lane has two point detectors, as a city
 * installs them: an entry loop a few metres after the lane starts and a
 * stop-line loop just before it ends; optionally mid-block loops between
 * them at a fixed spacing.  Each counts the vehicles whose front
 * passes it, sums their speeds, and counts the steps at whose end a vehicle
 * body covers it (time occupancy).  They are updated by the thread that
 * moves the lane's vehicles (phase B) and, for vehicles arriving on a lane,
 * by the serial merge, so the sums do not depend on the thread count.
 * Readings are aggregate: no vehicle is identified.
 *
 * Incidents.  A lane blocked at a position behaves like a stopped vehicle
 * whose rear is at that position: vehicles behind it stop (or change lane,
 * when lane changing is on), vehicles already past it carry on.  Incidents
 * are scheduled (t0, t1) and switched on and off between steps. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*--- detectors --------------------------------------------------------------------*/

/* Mid-block loops of a lane whose entry and stop-line loops are at a and b:
 * at a + k * spacing, k >= 1, at least a metre before b. */
static uint32_t mid_loops(double a, double b, double spacing)
{
    if (!(spacing > 0) || b - a <= spacing + 1) return 0;
    return (uint32_t)ceil((b - 1 - a) / spacing) - 1;
}

/* The end loops of a lane `len` metres long; on short lanes they move
 * towards the middle, in order. */
static double loop_entry(double len, double entry_m) { return entry_m < len / 4 ? entry_m : len / 4; }
static double loop_stop(double len, double stopline_m) { return stopline_m < len / 4 ? len - stopline_m : len - len / 4; }

int sim_detect_enable(sim_engine *s, double entry_m, double stopline_m, double spacing_m)
{
    const cb_net *n = s->net;
    size_t total = 0;
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        double len = s->aux[l].length;
        total += 2 + mid_loops(loop_entry(len, entry_m), loop_stop(len, stopline_m), spacing_m);
    }
    if (total > UINT32_MAX / 2) return -1;
    free(s->det);
    free(s->det_pos);
    s->det = calloc(total + 1, sizeof *s->det);
    s->det_pos = malloc((total + 1) * sizeof *s->det_pos);
    if (!s->det_first) s->det_first = malloc((n->n_lanes + 1) * sizeof *s->det_first);
    if (!s->det_since) s->det_since = calloc(n->n_lanes + 1, sizeof *s->det_since);
    if (!s->det || !s->det_pos || !s->det_first || !s->det_since) {
        free(s->det);
        s->det = NULL;        /* detectors stay off */
        return -1;
    }
    uint32_t at = 0;
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        double len = s->aux[l].length, a = loop_entry(len, entry_m), b = loop_stop(len, stopline_m);
        uint32_t m = mid_loops(a, b, spacing_m);
        s->det_first[l] = at;
        s->det_pos[at++] = a;
        for (uint32_t k = 1; k <= m; k++) s->det_pos[at++] = a + k * spacing_m;
        s->det_pos[at++] = b;
        s->det_since[l] = s->step;
    }
    s->det_first[n->n_lanes] = at;
    for (uint32_t k = 0; k < at; k++) s->det[k].occ_stamp = -1;
    return 0;
}

void sim_detect_restart(sim_engine *s)
{
    const cb_net *n = s->net;
    for (uint32_t k = 0; k < s->det_first[n->n_lanes]; k++)
        s->det[k] = (sim_det){ .occ_stamp = -1 };
    for (uint32_t l = 0; l < n->n_lanes; l++) s->det_since[l] = s->step;
}

/* A vehicle on `lane` moved from `from` to `to` (front positions) this
 * step with speed `v` at its end; its body is `len` long. */
void sim_detect_pass(sim_engine *s, uint32_t lane, double from, double to, double v, double len)
{
    for (uint32_t k = s->det_first[lane]; k < s->det_first[lane + 1]; k++) {
        double p = s->det_pos[k];
        if (p > to) break;    /* positions increase: none further is reached */
        sim_det *d = &s->det[k];
        if (from < p) {
            d->count++;
            d->speed_sum += v;
            d->total_count++;
            d->total_speed_sum += v;
        }
        if (to - len <= p && d->occ_stamp != s->step) {
            d->occ_stamp = s->step;
            d->occ_steps++;
            d->total_occ_steps++;
        }
    }
}

static int check_positions(double entry_m, double stopline_m, cb_error *err)
{
    if (!(entry_m >= 0) || !(stopline_m >= 0) || entry_m > 1000 || stopline_m > 1000)
        return cbu_err(err, CB_EINVAL, "detector positions must be between 0 and 1000 m");
    return CB_OK;
}

int cb_engine_enable_detectors(cb_engine *e, double entry_m, double stopline_m, cb_error *err)
{
    return cb_engine_enable_loops(e, entry_m, stopline_m, 0, err);
}

int cb_engine_enable_loops(cb_engine *e, double entry_m, double stopline_m, double spacing_m, cb_error *err)
{
    int rc = check_positions(entry_m, stopline_m, err);
    if (rc) return rc;
    if (!(spacing_m == 0 || (spacing_m >= 10 && spacing_m <= 10000)))
        return cbu_err(err, CB_EINVAL, "mid-block loop spacing must be 0 (none) or between 10 and 10000 m");
    if (sim_detect_enable(&e->s, entry_m, stopline_m, spacing_m)) return cbu_err_nomem(err);
    return CB_OK;
}

static void read_one(const sim_engine *s, uint32_t k, int64_t steps, cb_detector_reading *out)
{
    const sim_det *d = &s->det[k];
    out->position = s->det_pos[k];
    out->count = d->count;
    out->period = (double)steps * s->dt;
    out->occupancy = steps > 0 ? (double)d->occ_steps / (double)steps : 0;
    out->mean_speed = d->count ? d->speed_sum / d->count : 0;
    out->flow_per_hour = steps > 0 ? d->count * 3600.0 / ((double)steps * s->dt) : 0;
    out->total_count = d->total_count;
    out->total_occupied = (double)d->total_occ_steps * s->dt;
    out->total_speed_sum = d->total_speed_sum;
}

static int check_lane(const sim_engine *s, size_t lane, cb_error *err)
{
    if (!s->det) return cbu_err(err, CB_ESTATE, "detectors are not enabled (cb_engine_enable_detectors)");
    if (lane >= s->net->n_lanes)
        return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, s->net->n_lanes);
    return CB_OK;
}

static void reset_lane(sim_engine *s, size_t lane)
{
    for (uint32_t k = s->det_first[lane]; k < s->det_first[lane + 1]; k++) {
        s->det[k].count = s->det[k].occ_steps = 0;
        s->det[k].speed_sum = 0;
    }
    s->det_since[lane] = s->step;
}

int cb_engine_read_detectors(cb_engine *e, size_t lane, bool reset, cb_detector_reading out[2],
                             cb_error *err)
{
    sim_engine *s = &e->s;
    int rc = check_lane(s, lane, err);
    if (rc) return rc;
    int64_t steps = s->step - s->det_since[lane];
    read_one(s, s->det_first[lane], steps, &out[0]);
    read_one(s, s->det_first[lane + 1] - 1, steps, &out[1]);
    if (reset) reset_lane(s, lane);
    return CB_OK;
}

size_t cb_engine_lane_loop_count(const cb_engine *e, size_t lane)
{
    const sim_engine *s = &e->s;
    if (!s->det || lane >= s->net->n_lanes) return 0;
    return s->det_first[lane + 1] - s->det_first[lane];
}

int cb_engine_read_lane_loops(cb_engine *e, size_t lane, bool reset, cb_detector_reading *out, size_t cap,
                              size_t *n_out, cb_error *err)
{
    sim_engine *s = &e->s;
    int rc = check_lane(s, lane, err);
    if (rc) return rc;
    uint32_t first = s->det_first[lane], n = s->det_first[lane + 1] - first;
    if (cap < n) return cbu_err(err, CB_EINVAL, "lane %zu has %u loops, room for %zu", lane, n, cap);
    int64_t steps = s->step - s->det_since[lane];
    for (uint32_t k = 0; k < n; k++) read_one(s, first + k, steps, &out[k]);
    if (n_out) *n_out = n;
    if (reset) reset_lane(s, lane);
    return CB_OK;
}

/*--- incidents -----------------------------------------------------------------------*/

/* Switch incidents on and off for the step about to run. */
void sim_incidents_update(sim_engine *s)
{
    for (uint32_t i = 0; i < s->n_incidents; i++) {
        sim_incident *in = &s->incidents[i];
        bool on = s->step >= in->start_step && (in->end_step < 0 || s->step < in->end_step) && !in->cleared;
        if (on == in->active) continue;
        in->active = on;
        /* the nearest active incident of a lane is the one that matters */
        double best = INFINITY;
        for (uint32_t j = 0; j < s->n_incidents; j++)
            if (s->incidents[j].active && s->incidents[j].lane == in->lane && s->incidents[j].pos < best)
                best = s->incidents[j].pos;
        s->block_pos[in->lane] = best;
    }
}

void sim_incidents_rebuild(sim_engine *s)
{
    if (!s->block_pos) return;
    for (uint32_t l = 0; l < s->net->n_lanes; l++) s->block_pos[l] = INFINITY;
    for (uint32_t i = 0; i < s->n_incidents; i++) {
        const sim_incident *in = &s->incidents[i];
        if (in->active && in->pos < s->block_pos[in->lane]) s->block_pos[in->lane] = in->pos;
    }
}

int cb_engine_add_incident(cb_engine *e, size_t lane, double pos, double t0, double t1, size_t *id,
                           cb_error *err)
{
    sim_engine *s = &e->s;
    const cb_net *n = s->net;
    if (lane >= n->n_lanes) return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, n->n_lanes);
    double len = s->aux[lane].length;
    if (!(pos >= 0) || pos > len)
        return cbu_err(err, CB_EINVAL, "position %g m is not on lane %s (0 to %g m)", pos, n->lanes[lane].id, len);
    if (!(t0 >= 0) || t0 > 1e9 || !(t1 < 0 || (t1 > t0 && t1 <= 1e9)))   /* NaN fails too */
        return cbu_err(err, CB_EINVAL, "an incident needs 0 <= t0 < t1 <= 1e9 s (t1 < 0: until cleared)");
    if (s->n_incidents >= SIM_MAX_INCIDENTS)
        return cbu_err(err, CB_ELIMIT, "at most %d incidents per twin", SIM_MAX_INCIDENTS);
    if (!s->block_pos) {
        s->block_pos = malloc((n->n_lanes + 1) * sizeof *s->block_pos);
        if (!s->block_pos) return cbu_err_nomem(err);
        for (uint32_t l = 0; l < n->n_lanes; l++) s->block_pos[l] = INFINITY;
    }
    if (s->n_incidents == s->cap_incidents) {
        uint32_t cap = s->cap_incidents ? s->cap_incidents * 2 : 16;
        sim_incident *p = realloc(s->incidents, cap * sizeof *p);
        if (!p) return cbu_err_nomem(err);
        s->incidents = p;
        s->cap_incidents = cap;
    }
    sim_incident *in = &s->incidents[s->n_incidents];
    memset(in, 0, sizeof *in);
    in->lane = (uint32_t)lane;
    in->pos = pos;
    in->start_step = (int64_t)ceil(t0 / s->dt - 1e-9);
    in->end_step = t1 < 0 ? -1 : (int64_t)ceil(t1 / s->dt - 1e-9);
    if (id) *id = s->n_incidents;
    s->n_incidents++;
    sim_incidents_update(s);
    return CB_OK;
}

int cb_engine_clear_incident(cb_engine *e, size_t id, cb_error *err)
{
    sim_engine *s = &e->s;
    if (id >= s->n_incidents) return cbu_err(err, CB_EINVAL, "no incident %zu", id);
    s->incidents[id].cleared = true;
    sim_incidents_update(s);
    return CB_OK;
}

size_t cb_engine_incident_count(const cb_engine *e) { return e->s.n_incidents; }

int cb_engine_incident(const cb_engine *e, size_t id, cb_incident *out, cb_error *err)
{
    const sim_engine *s = &e->s;
    if (id >= s->n_incidents) return cbu_err(err, CB_EINVAL, "no incident %zu", id);
    const sim_incident *in = &s->incidents[id];
    out->lane = in->lane;
    out->position = in->pos;
    out->t0 = (double)in->start_step * s->dt;
    out->t1 = in->end_step < 0 ? -1 : (double)in->end_step * s->dt;
    out->active = in->active;
    out->cleared = in->cleared;
    return CB_OK;
}
