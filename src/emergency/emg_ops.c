/* emg_ops.c -- cb_ops: the operations layer of one engine.  Builds the
 * network view the operations need (movements between roads, which lanes
 * feed which), reads every lane's two loops once per step and hands the
 * readings to the travel-time estimates (emg_tt.c), the incident detector
 * (src/incident) and the emergency vehicles (emg_ev.c).
 *
 * Detectors per lane: the engine's loops (cb_engine_enable_detectors), an
 * entry loop entry_m after the lane's start and a counting loop stopline_m
 * before its end, read and reset after every step so that a reading covers
 * one step; and the stop-line detector's presence over those last
 * stopline_m metres (cb_engine_lane_observe), as a stop-bar loop of that
 * length reports it.  docs/incidents.md explains the placement. */
#include "emg_int.h"
#include "../util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cb_ops_config_init(cb_ops_config *c)
{
    memset(c, 0, sizeof *c);
    c->entry_m = 5;
    c->stopline_m = 15;
    c->incidents = true;
    c->inc_stretch = 0.05;
    c->inc_slack = 1;
    c->inc_quiet = 4;
    c->inc_block = 40;
    c->preempt = true;
    c->replan = 10;
    c->headway = 2;
    c->margin = 4;
    c->max_hold = 120;
    /* An ambulance on duty, lights and siren: the law lets it exceed the
     * limit (China's Road Traffic Safety Law art. 53, Germany's StVO s. 35,
     * the UK's RTRA 1984 s. 87 and most US states), and services train
     * crews to do so moderately in town.  1.5 times the limit is 60 km/h on
     * the 40 km/h streets of Jinan and Hangzhou; 80 km/h (22.22 m/s) caps
     * it on faster roads, where 1.5 times would be reckless in traffic.
     * docs/emergency.md discusses the choice. */
    cb_vehicle_params_init(&c->ev);
    c->ev.speed_factor = 1.5;
    c->ev.max_speed = 22.22;
}

double emg_ev_speed(const cb_ops_config *c, double limit)
{
    double v = limit * c->ev.speed_factor;
    return v < c->ev.max_speed ? v : c->ev.max_speed;
}

static int check_config(const cb_ops_config *c, cb_error *err)
{
    struct { const char *name; double v, lo, hi; } k[] = {
        { "inc_slack", c->inc_slack, 0, 3600 },     { "inc_stretch", c->inc_stretch, 0, 100 },
        { "inc_quiet", c->inc_quiet, 1, 3600 },     { "inc_block", c->inc_block, 1, 3600 },
        { "replan", c->replan, 1, 3600 },           { "headway", c->headway, 0, 60 },
        { "margin", c->margin, 0, 600 },            { "max_hold", c->max_hold, 1, 3600 },
        { "ev.speed_factor", c->ev.speed_factor, 0.2, 3 }, { "ev.max_speed", c->ev.max_speed, 0.1, 100 },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!(k[i].v >= k[i].lo && k[i].v <= k[i].hi))
            return cbu_err(err, CB_EINVAL, "operations setting %s = %g is outside [%g, %g]", k[i].name, k[i].v,
                           k[i].lo, k[i].hi);
    return CB_OK;
}

/* Append v to list[first..first+*n) unless it is there already. */
static void add_unique(uint32_t *list, uint32_t first, uint32_t *n, uint32_t v)
{
    for (uint32_t j = 0; j < *n; j++)
        if (list[first + j] == v) return;
    list[first + (*n)++] = v;
}

/* Movements between roads, the movements of each lane and the lanes each
 * lane feeds, from the engine's topology. */
static int build_network(cb_ops *o, cb_error *err)
{
    cb_engine *e = o->e;
    size_t n_links = 0, n_mv = 0;
    for (size_t i = 0; i < o->n_inters; i++) {
        size_t nm = cb_engine_movement_count(e, i);
        n_mv += nm;
        for (size_t k = 0; k < nm; k++) {
            cb_movement m;
            if (cb_engine_movement(e, i, k, &m) == CB_OK) n_links += m.n_lane_links;
        }
    }
    /* A lane's movements and the lanes it feeds are both at most its lane
     * links, so one count per lane sizes both lists. */
    uint32_t *lane_nlinks = calloc(o->n_lanes + 1, sizeof *lane_nlinks);
    o->edge_first = calloc(o->n_roads + 2, sizeof *o->edge_first);
    o->edges = calloc(n_mv + 1, sizeof *o->edges);
    o->mv_inter = malloc((n_links + 1) * sizeof *o->mv_inter);
    o->mv_k = malloc((n_links + 1) * sizeof *o->mv_k);
    o->down = malloc((n_links + 1) * sizeof *o->down);
    int rc = CB_OK;
    if (!lane_nlinks || !o->edge_first || !o->edges || !o->mv_inter || !o->mv_k || !o->down) {
        rc = cbu_err_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < o->n_inters; i++)
        for (size_t k = 0; k < cb_engine_movement_count(e, i); k++) {
            cb_movement m;
            if (cb_engine_movement(e, i, k, &m)) continue;
            o->edge_first[m.start_road + 1]++;
            for (size_t j = 0; j < m.n_lane_links; j++) {
                size_t a, z;
                if (cb_engine_movement_lanes(e, i, k, j, &a, &z)) continue;
                lane_nlinks[a]++;
            }
        }
    for (size_t r = 0; r < o->n_roads; r++) o->edge_first[r + 1] += o->edge_first[r];
    uint32_t at = 0;
    for (size_t l = 0; l < o->n_lanes; l++) {
        o->lanes[l].first_mv = at;
        o->inc_lanes[l].first_down = at;
        at += lane_nlinks[l];
    }
    uint32_t *fill = calloc(o->n_roads + 1, sizeof *fill);
    if (!fill) { rc = cbu_err_nomem(err); goto done; }
    for (size_t i = 0; i < o->n_inters; i++)
        for (size_t k = 0; k < cb_engine_movement_count(e, i); k++) {
            cb_movement m;
            if (cb_engine_movement(e, i, k, &m)) continue;
            emg_edge *ed = &o->edges[o->edge_first[m.start_road] + fill[m.start_road]++];
            *ed = (emg_edge){ (uint32_t)m.end_road, (uint32_t)i, (uint32_t)k, UINT32_MAX };
            for (size_t j = 0; j < m.n_lane_links; j++) {
                size_t a, z;
                if (cb_engine_movement_lanes(e, i, k, j, &a, &z)) continue;
                if (ed->lane == UINT32_MAX) ed->lane = (uint32_t)a;
                emg_lane *L = &o->lanes[a];
                uint32_t before = L->n_mv;
                add_unique(o->mv_k, L->first_mv, &L->n_mv, (uint32_t)k);
                if (L->n_mv != before) o->mv_inter[L->first_mv + L->n_mv - 1] = (uint32_t)i;
                add_unique(o->down, o->inc_lanes[a].first_down, &o->inc_lanes[a].n_down, (uint32_t)z);
            }
        }
    free(fill);
    /* The lanes leaving each intersection, and where each lane ends. */
    o->box_first = calloc(o->n_inters + 2, sizeof *o->box_first);
    o->box_exits = malloc((o->n_lanes + 1) * sizeof *o->box_exits);
    if (!o->box_first || !o->box_exits) { rc = cbu_err_nomem(err); goto done; }
    for (size_t r = 0; r < o->n_roads; r++) o->box_first[o->roads[r].from + 1] += (uint32_t)o->roads[r].n_lanes;
    for (size_t i = 0; i < o->n_inters; i++) o->box_first[i + 1] += o->box_first[i];
    uint32_t *bfill = calloc(o->n_inters + 1, sizeof *bfill);
    if (!bfill) { rc = cbu_err_nomem(err); goto done; }
    for (size_t r = 0; r < o->n_roads; r++) {
        const cb_road_info *ri = &o->roads[r];
        for (size_t q = 0; q < ri->n_lanes; q++)
            o->box_exits[o->box_first[ri->from] + bfill[ri->from]++] = (uint32_t)(ri->first_lane + q);
    }
    free(bfill);
    for (size_t l = 0; l < o->n_lanes; l++)
        o->inc_lanes[l].box = o->lanes[l].n_mv ? o->mv_inter[o->lanes[l].first_mv] : UINT32_MAX;
done:
    free(lane_nlinks);
    return rc;
}

int cb_ops_open(cb_engine *e, const cb_ops_config *cfg, cb_ops **out, cb_error *err)
{
    *out = NULL;
    int rc = check_config(cfg, err);
    if (rc) return rc;
    if ((rc = cb_engine_enable_loops(e, cfg->entry_m, cfg->stopline_m, cfg->loop_spacing_m, err))) return rc;
    cb_ops *o = calloc(1, sizeof *o);
    if (!o) return cbu_err_nomem(err);
    o->e = e;
    o->cfg = *cfg;
    o->dt = cb_engine_interval(e);
    o->n_lanes = cb_engine_lane_count(e);
    o->n_roads = cb_engine_road_count(e);
    o->n_inters = cb_engine_intersection_count(e);
    cbu_strmap_init(&o->lane_ids);
    o->lanes = calloc(o->n_lanes + 1, sizeof *o->lanes);
    o->roads = calloc(o->n_roads + 1, sizeof *o->roads);
    o->tt = calloc(o->n_lanes + 1, sizeof *o->tt);
    o->obs = calloc(o->n_lanes + 1, sizeof *o->obs);
    o->inc_lanes = calloc(o->n_lanes + 1, sizeof *o->inc_lanes);
    o->site_of = malloc((o->n_inters + 1) * sizeof *o->site_of);
    for (size_t l = 0; l < o->n_lanes; l++) {
        size_t k = cb_engine_lane_loop_count(e, l);
        o->n_mid += k - 2;
        if (k > o->cap_rd) o->cap_rd = k;
    }
    o->mid_obs = calloc(o->n_mid + 1, sizeof *o->mid_obs);
    o->mid_pos = calloc(o->n_mid + 1, sizeof *o->mid_pos);
    o->rd = calloc(o->cap_rd + 1, sizeof *o->rd);
    if (!o->lanes || !o->roads || !o->tt || !o->obs || !o->inc_lanes || !o->site_of || !o->mid_obs ||
        !o->mid_pos || !o->rd) {
        rc = cbu_err_nomem(err);
        goto fail;
    }
    for (size_t r = 0; r < o->n_roads; r++)
        if ((rc = cb_engine_road_info(e, r, &o->roads[r]))) {
            rc = cbu_err(err, CB_ESTATE, "road %zu: no information", r);
            goto fail;
        }
    size_t at_mid = 0;
    for (size_t l = 0; l < o->n_lanes; l++) {
        cb_detector_reading *rd = o->rd;
        size_t n;
        if ((rc = cb_engine_read_lane_loops(e, l, true, rd, o->cap_rd, &n, err))) goto fail;
        emg_lane *L = &o->lanes[l];
        L->length = cb_engine_lane_length(e, l);
        L->vmax = cb_engine_lane_max_speed(e, l);
        L->entry_pos = rd[0].position;
        L->stop_pos = rd[n - 1].position;
        L->road = (uint32_t)cb_engine_lane_road(e, l);
        o->inc_lanes[l] = (inc_lane){ L->length, L->entry_pos, L->stop_pos, L->vmax, 0, 0, UINT32_MAX,
                                      (uint32_t)at_mid, (uint32_t)(n - 2) };
        for (size_t k = 1; k + 1 < n; k++) o->mid_pos[at_mid++] = rd[k].position;
        if (cbu_strmap_put(&o->lane_ids, cb_engine_lane_id(e, l), (uint32_t)l, NULL) < 0) {
            rc = cbu_err_nomem(err);
            goto fail;
        }
    }
    if ((rc = build_network(o, err))) goto fail;
    if (cfg->incidents) {
        inc_config ic = { o->dt, cfg->inc_stretch, cfg->inc_slack, cfg->inc_quiet, cfg->inc_block,
                          o->n_lanes, o->inc_lanes, o->down, o->n_inters, o->box_first, o->box_exits,
                          o->n_mid, o->mid_pos };
        if (!(o->inc = inc_open(&ic))) {
            rc = cbu_err_nomem(err);
            goto fail;
        }
    }
    *out = o;
    return CB_OK;
fail:
    cb_ops_close(o);
    return rc;
}

void cb_ops_close(cb_ops *o)
{
    if (!o) return;
    inc_close(o->inc);
    cbu_strmap_free(&o->lane_ids);
    free(o->lanes);
    free(o->roads);
    free(o->edge_first);
    free(o->edges);
    free(o->mv_inter);
    free(o->mv_k);
    free(o->down);
    free(o->box_first);
    free(o->box_exits);
    free(o->tt);
    free(o->obs);
    free(o->inc_lanes);
    free(o->mid_obs);
    free(o->mid_pos);
    free(o->rd);
    free(o->evs);
    free(o->site_of);
    free(o->hold);
    free(o);
}

/* Does some movement starting at lane l have green now?  A lane with no
 * movement (it leaves the network) always flows. */
static bool lane_green(const cb_ops *o, size_t l)
{
    const emg_lane *L = &o->lanes[l];
    if (!L->n_mv) return true;
    for (uint32_t j = 0; j < L->n_mv; j++) {
        uint32_t i = o->mv_inter[L->first_mv + j];
        if (cb_engine_phase_allows(o->e, i, cb_engine_phase(o->e, i), o->mv_k[L->first_mv + j])) return true;
    }
    return false;
}

/* Read and reset every lane's loops.  Returns false when no step was
 * simulated since the last read (nothing new to learn). */
static bool read_loops(cb_ops *o)
{
    bool fresh = false;
    const double a_lambda = o->dt / 300.0 < 1 ? o->dt / 300.0 : 1;
    for (size_t l = 0; l < o->n_lanes; l++) {
        cb_detector_reading *rd = o->rd;
        size_t n;
        const inc_lane *IL = &o->inc_lanes[l];
        if (cb_engine_read_lane_loops(o->e, l, true, rd, o->cap_rd, &n, NULL) || rd[0].period <= 0) {
            memset(&o->obs[l], 0, sizeof o->obs[l]);
            memset(&o->mid_obs[IL->first_mid], 0, IL->n_mid * sizeof *o->mid_obs);
            continue;
        }
        fresh = true;
        for (uint32_t k = 0; k < IL->n_mid; k++) {
            inc_mid_obs *mo = &o->mid_obs[IL->first_mid + k];
            mo->n = (uint16_t)(rd[k + 1].count > UINT16_MAX ? UINT16_MAX : rd[k + 1].count);
            mo->occ = rd[k + 1].occupancy > 0.5;
            mo->v = (float)rd[k + 1].mean_speed;
        }
        inc_obs *ob = &o->obs[l];
        ob->in = (uint16_t)(rd[0].count > UINT16_MAX ? UINT16_MAX : rd[0].count);
        ob->out = (uint16_t)(rd[n - 1].count > UINT16_MAX ? UINT16_MAX : rd[n - 1].count);
        ob->occ_in = rd[0].occupancy > 0.5;
        /* The stop-line detector is a presence zone from its counting
         * edge to the stop line: a point there falls between standing cars
         * (docs/incidents.md). */
        cb_lane_obs z;
        ob->occ_out = cb_engine_lane_observe(o->e, l, o->lanes[l].length - o->lanes[l].stop_pos, &z, NULL) == CB_OK &&
                      z.count > 0;
        /* ... and its last INC_LINE_M metres, the loop at the line itself */
        ob->occ_line = ob->occ_out && cb_engine_lane_observe(o->e, l, INC_LINE_M, &z, NULL) == CB_OK && z.count > 0;
        ob->v_in = (float)rd[0].mean_speed;
        ob->green = lane_green(o, l);
        emg_tt *t = &o->tt[l];
        t->cum_in += ob->in;
        t->cum_out += ob->out;
        if (t->cum_out > t->cum_in) t->cum_out = t->cum_in;
        t->lambda += a_lambda * (ob->in / rd[0].period - t->lambda);
        if (ob->in && rd[0].mean_speed > 0)
            t->v_in = t->v_in > 0 ? t->v_in + 0.1 * (rd[0].mean_speed - t->v_in) : rd[0].mean_speed;
    }
    return fresh;
}

int cb_ops_update(cb_ops *o, const cb_signals *sig, cb_error *err)
{
    if (read_loops(o)) {
        o->have_step = true;
        if (o->inc) inc_step_loops(o->inc, cb_engine_time(o->e), o->obs, o->mid_obs);
    }
    return emg_ev_update(o, sig, err);
}

void cb_ops_restart(cb_ops *o)
{
    double now = cb_engine_time(o->e);
    if (o->inc) inc_restart(o->inc, now);
    memset(o->tt, 0, o->n_lanes * sizeof *o->tt);
    for (size_t l = 0; l < o->n_lanes; l++) cb_engine_read_lane_loops(o->e, l, true, o->rd, o->cap_rd, NULL, NULL);
    for (size_t k = 0; k < o->n_evs; k++) {
        emg_ev *v = &o->evs[k];
        if (v->st.state != CB_EV_ENROUTE) continue;
        v->st.state = CB_EV_FAILED;
        snprintf(v->st.note, sizeof v->st.note, "the twin restarted while it was under way");
        v->n_holds = 0;
    }
    if (o->hold)
        for (size_t i = 0; i < o->n_sites; i++) o->hold[i] = -1;
}

void cb_ops_holds(const cb_ops *o, int *hold)
{
    for (size_t i = 0; i < o->n_sites; i++) hold[i] = o->hold ? o->hold[i] : -1;
}

/*--- alerts ---------------------------------------------------------------------------*/

size_t cb_ops_alert_count(const cb_ops *o) { return o->inc ? inc_alert_count(o->inc) : 0; }

int cb_ops_alert(const cb_ops *o, size_t k, cb_alert *out, cb_error *err)
{
    const inc_alert *a = o->inc ? inc_alert_get(o->inc, k) : NULL;
    if (!a) return cbu_err(err, CB_ENOTFOUND, "no alert %zu", k);
    out->lane = a->lane;
    out->road = o->lanes[a->lane].road;
    out->lane_index = cb_engine_lane_index(o->e, a->lane);
    out->where = a->rule == INC_RULE_OVERDUE    ? "between the loops"
                 : a->rule == INC_RULE_BLOCKED  ? "at the stop line"
                 : a->rule == INC_RULE_MIDBLOCK ? "between mid-block loops"
                                                : "at the lane start";
    out->from_m = a->from_m;
    out->to_m = a->to_m;
    out->start = a->start;
    out->raised = a->raised;
    out->cleared = a->cleared;
    out->confidence = a->confidence;
    out->vehicles = a->vehicles;
    return CB_OK;
}

bool cb_ops_alert_next(const cb_ops *o, uint64_t *cursor, size_t *k, bool *raised)
{
    return o->inc ? inc_event_next(o->inc, cursor, k, raised) : false;
}
