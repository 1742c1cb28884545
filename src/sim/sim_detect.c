/* sim_detect.c -- what field equipment would measure, and what field events
 * do to traffic: loop detectors on lanes, and incidents that block a lane.
 *
 * Detectors.  When enabled, every lane has two point detectors, as a city
 * installs them: an entry loop a few metres after the lane starts and a
 * stop-line loop just before it ends.  Each counts the vehicles whose front
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

int sim_detect_enable(sim_engine *s, double entry_m, double stopline_m)
{
    const cb_net *n = s->net;
    if (!s->det) {
        s->det = calloc((size_t)n->n_lanes * 2 + 1, sizeof *s->det);
        s->det_pos = malloc(((size_t)n->n_lanes * 2 + 1) * sizeof *s->det_pos);
        s->det_since = calloc(n->n_lanes + 1, sizeof *s->det_since);
        if (!s->det || !s->det_pos || !s->det_since) return -1;
    }
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        double len = s->aux[l].length;
        /* short lanes: the loops move towards the middle, in order */
        double a = entry_m < len / 4 ? entry_m : len / 4;
        double b = stopline_m < len / 4 ? len - stopline_m : len - len / 4;
        s->det_pos[2 * l] = a;
        s->det_pos[2 * l + 1] = b;
        memset(&s->det[2 * l], 0, 2 * sizeof *s->det);
        s->det[2 * l].occ_stamp = s->det[2 * l + 1].occ_stamp = -1;
        s->det_since[l] = s->step;
    }
    return 0;
}

/* A vehicle on `lane` moved from `from` to `to` (front positions) this
 * step with speed `v` at its end; its body is `len` long. */
void sim_detect_pass(sim_engine *s, uint32_t lane, double from, double to, double v, double len)
{
    for (int k = 0; k < 2; k++) {
        double p = s->det_pos[2 * lane + k];
        sim_det *d = &s->det[2 * lane + k];
        if (from < p && to >= p) {
            d->count++;
            d->speed_sum += v;
            d->total_count++;
            d->total_speed_sum += v;
        }
        if (to >= p && to - len <= p && d->occ_stamp != s->step) {
            d->occ_stamp = s->step;
            d->occ_steps++;
            d->total_occ_steps++;
        }
    }
}

int cb_engine_enable_detectors(cb_engine *e, double entry_m, double stopline_m, cb_error *err)
{
    if (!(entry_m >= 0) || !(stopline_m >= 0) || entry_m > 1000 || stopline_m > 1000)
        return cbu_err(err, CB_EINVAL, "detector positions must be between 0 and 1000 m");
    if (sim_detect_enable(&e->s, entry_m, stopline_m)) return cbu_err_nomem(err);
    return CB_OK;
}

int cb_engine_read_detectors(cb_engine *e, size_t lane, bool reset, cb_detector_reading out[2],
                             cb_error *err)
{
    sim_engine *s = &e->s;
    if (!s->det) return cbu_err(err, CB_ESTATE, "detectors are not enabled (cb_engine_enable_detectors)");
    if (lane >= s->net->n_lanes)
        return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, s->net->n_lanes);
    int64_t steps = s->step - s->det_since[lane];
    for (int k = 0; k < 2; k++) {
        sim_det *d = &s->det[2 * lane + k];
        out[k].position = s->det_pos[2 * lane + k];
        out[k].count = d->count;
        out[k].period = (double)steps * s->dt;
        out[k].occupancy = steps > 0 ? (double)d->occ_steps / (double)steps : 0;
        out[k].mean_speed = d->count ? d->speed_sum / d->count : 0;
        out[k].flow_per_hour = steps > 0 ? d->count * 3600.0 / ((double)steps * s->dt) : 0;
        out[k].total_count = d->total_count;
        out[k].total_occupied = (double)d->total_occ_steps * s->dt;
        out[k].total_speed_sum = d->total_speed_sum;
        if (reset) {
            d->count = d->occ_steps = 0;
            d->speed_sum = 0;
        }
    }
    if (reset) s->det_since[lane] = s->step;
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

int cb_engine_add_incident(cb_engine *e, size_t lane, double pos, double t0, double t1, size_t *id,
                           cb_error *err)
{
    sim_engine *s = &e->s;
    const cb_net *n = s->net;
    if (lane >= n->n_lanes) return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, n->n_lanes);
    double len = s->aux[lane].length;
    if (!(pos >= 0) || pos > len)
        return cbu_err(err, CB_EINVAL, "position %g m is not on lane %s (0 to %g m)", pos, n->lanes[lane].id, len);
    if (!(t0 >= 0) || (t1 >= 0 && t1 <= t0) || t0 > 1e9)
        return cbu_err(err, CB_EINVAL, "an incident needs 0 <= t0 < t1 (t1 < 0: until cleared)");
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
