/* emg_ev.c -- emergency vehicles: dispatch, following, re-planning, and the
 * preemption holds that give them a green wave.
 *
 * An emergency vehicle is an ordinary vehicle of the twin with its own
 * parameters (cb_ops_config.ev), pushed at its dispatch time on the fastest
 * route of the live estimates (emg_tt.c).  It is the one vehicle the
 * operations follow by id (public fleet): its road, lane, position and
 * speed are read every step, as a city reads its ambulances' positions.
 *
 * Re-planning.  Every `replan` seconds, while it is on a lane, the rest of
 * its route is planned again from the road after the current one (its lane
 * already commits it to that road) and replaces the old rest when it is
 * estimated at least 5% (and 5 s) faster, so estimates that wobble do not
 * make it zigzag.
 *
 * Preemption.  Walking its route ahead, the vehicle's arrival time (ETA)
 * at each signalized stop line is its remaining distance at its own top
 * speed (emg_ev_speed: the limit times its speed factor, at most its max
 * speed; the queue ahead is about to clear).  A site needs a lead of
 *     S (the longest the layer could then need to show the green, if the
 *        site is left to its controller until then: switch_time) +
 *     Q (the queue ahead of it clears: `headway` s per vehicle plus 2 s
 *        to start) + margin,
 * and is held from the moment ETA <= lead until the vehicle has crossed.
 * The queue ahead is counted from the loops: on the lane it is on, the
 * vehicles that passed the entry loop before it and not yet the stop line;
 * on lanes ahead, every vehicle between the loops.  A hold is only a
 * request through the safety layer (cb_signals_request): minimum green,
 * yellow and all-red are never shortened.  A hold lasts at most max_hold
 * seconds; turns every phase allows (the clearance phase's right turns) are
 * never held.  Two vehicles at one site: the first hold stays until its
 * vehicle has crossed, the second asks after that. */
#include "emg_int.h"
#include "../util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMG_MAX_EVS 10000
#define EMG_HORIZON 300.0     /* s of ETA ahead that preemption looks at */
#define EMG_CROSS 2.0         /* s to cross an intersection */

int cb_ops_dispatch(cb_ops *o, size_t origin, size_t destination, double time, size_t *id, cb_error *err)
{
    if (origin >= o->n_roads) return cbu_err(err, CB_EINVAL, "origin: road index %zu out of range", origin);
    if (destination >= o->n_roads)
        return cbu_err(err, CB_EINVAL, "destination: road index %zu out of range", destination);
    double now = cb_engine_time(o->e);
    if (!(time >= now - 1e-9) || time > 1e9)
        return cbu_err(err, CB_EINVAL, "time: %g s is before now (%g s)", time, now);
    if (o->n_evs >= EMG_MAX_EVS) return cbu_err(err, CB_ELIMIT, "at most %d emergency vehicles per run", EMG_MAX_EVS);
    /* reachable at all? (the route itself is planned at the dispatch time) */
    uint32_t *r;
    size_t n;
    int rc = emg_route(o, origin, destination, &r, &n, NULL, err);
    if (rc) return rc;
    free(r);
    if (o->n_evs == o->cap_evs) {
        size_t cap = o->cap_evs ? 2 * o->cap_evs : 8;
        emg_ev *p = realloc(o->evs, cap * sizeof *p);
        if (!p) return cbu_err_nomem(err);
        o->evs = p;
        o->cap_evs = cap;
    }
    emg_ev *v = &o->evs[o->n_evs];
    memset(v, 0, sizeof *v);
    v->st.state = CB_EV_SCHEDULED;
    v->st.origin = origin;
    v->st.destination = destination;
    v->st.dispatch = time;
    v->st.start = v->st.arrival = -1;
    v->st.road = (size_t)-1;
    v->lane = UINT32_MAX;
    v->last_road = UINT32_MAX;
    v->ahead_mark = UINT64_MAX;
    if (id) *id = o->n_evs;
    o->n_evs++;
    return CB_OK;
}

size_t cb_ops_ev_count(const cb_ops *o) { return o->n_evs; }

int cb_ops_ev(const cb_ops *o, size_t id, cb_ev_status *out, cb_error *err)
{
    if (id >= o->n_evs) return cbu_err(err, CB_ENOTFOUND, "no emergency vehicle %zu", id);
    *out = o->evs[id].st;
    return CB_OK;
}

/*--- sites ----------------------------------------------------------------------------*/

/* (Re)build the intersection -> site map when the layer changes. */
static int sync_sites(cb_ops *o, const cb_signals *sig, cb_error *err)
{
    if (sig == o->sig_seen) return CB_OK;
    size_t n = sig ? cb_signals_site_count(sig) : 0;
    int *h = realloc(o->hold, (n + 1) * sizeof *h);
    if (!h) return cbu_err_nomem(err);
    o->hold = h;
    o->n_sites = n;
    for (size_t i = 0; i < o->n_inters; i++) o->site_of[i] = -1;
    for (size_t s = 0; s < n; s++) {
        size_t i = cb_signals_site_intersection(sig, s);
        if (i < o->n_inters) o->site_of[i] = (long)s;
    }
    for (size_t k = 0; k < o->n_evs; k++) o->evs[k].n_holds = 0;
    o->sig_seen = sig;
    return CB_OK;
}

static bool allows(const cb_site *st, int phase, uint32_t k)
{
    return phase >= 0 && (uint32_t)phase < st->n_phases && st->allows[(size_t)phase * st->n_movements + k];
}

/* The green to hold for movement k: the one showing (or coming) if it lets
 * k go, else the candidate that also serves the most vehicles waiting. */
static int choose_phase(const cb_ops *o, const cb_signals *sig, size_t site, uint32_t inter, uint32_t k)
{
    const cb_site *st = &cb_signals_sites(sig)[site];
    cb_site_obs ob;
    cb_signals_status(sig, site, &ob);
    if (ob.green >= 0 && allows(st, ob.green, k)) return ob.green;
    int best = -1;
    double best_n = -1;
    for (uint32_t c = 0; c < st->n_candidates; c++) {
        int p = st->candidates[c];
        if (!allows(st, p, k)) continue;
        double served = 0;
        for (uint32_t m = 0; m < st->n_movements; m++) {
            size_t a, z;
            if (m == k || !allows(st, p, m) || st->movements[m].type == 1) continue;
            if (cb_engine_movement_lanes(o->e, inter, m, 0, &a, &z) == CB_OK)
                served += (double)emg_lane_between(o, (uint32_t)a);
        }
        if (served > best_n) {
            best_n = served;
            best = p;
        }
    }
    return best;
}

/* Seconds a site may need to show `phase` if it is not held from now on:
 * the controller may leave a green at any step, and a clearance may end in
 * another green, so the worst case is what counts.
 *   green that lets k go:   yellow + all-red, min green, yellow + all-red;
 *   another green:          the rest of its min green, yellow + all-red;
 *   a clearance:            its rest, then as from another green;
 *   nothing shown yet:      0 (the first green owes no clearance). */
static double switch_time(const cb_signals *sig, size_t site, int phase)
{
    const cb_site *st = &cb_signals_sites(sig)[site];
    cb_site_obs ob;
    cb_signals_status(sig, site, &ob);
    double clear = st->yellow + st->all_red;
    switch (ob.state) {
    case CB_SIG_GREEN:
        if (ob.green == phase) return clear + st->min_green + clear;
        return (st->min_green > ob.state_time ? st->min_green - ob.state_time : 0) + clear;
    case CB_SIG_YELLOW: return (clear > ob.state_time ? clear - ob.state_time : 0) + st->min_green + clear;
    case CB_SIG_ALLRED:
        return (st->all_red > ob.state_time ? st->all_red - ob.state_time : 0) + st->min_green + clear;
    default: return 0;
    }
}

static emg_hold *find_hold(emg_ev *v, uint32_t site, uint32_t road)
{
    for (int j = 0; j < v->n_holds; j++)
        if (v->holds[j].site == site && v->holds[j].road == road) return &v->holds[j];
    return NULL;
}

/* Another vehicle holds (or will renew its hold on) this site. */
static bool site_taken(const cb_ops *o, const emg_ev *self, uint32_t site)
{
    for (size_t k = 0; k < o->n_evs; k++) {
        const emg_ev *v = &o->evs[k];
        if (v == self || v->st.state != CB_EV_ENROUTE) continue;
        for (int j = 0; j < v->n_holds; j++)
            if (v->holds[j].site == site && !v->holds[j].expired) return true;
    }
    return false;
}

/* Where the vehicle is, in route terms. */
typedef struct ev_pos {
    const uint32_t *route;    /* remaining route (borrowed from the engine) */
    size_t len, idx;          /* route[idx] is the road it is on or entering */
    uint32_t lane;            /* lane it is on or queued for; UINT32_MAX on a link */
    double rem;               /* m to the end of route[idx] */
    uint64_t ahead;           /* vehicles ahead of it on that lane */
} ev_pos;

static void plan_holds(cb_ops *o, const cb_signals *sig, emg_ev *v, const ev_pos *p, double now)
{
    const cb_site *sites = cb_signals_sites(sig);
    const cb_ops_config *c = &o->cfg;
    for (int j = 0; j < v->n_holds; j++) v->holds[j].seen = false;
    double t = 0;
    for (size_t j = p->idx; j + 1 < p->len; j++) {
        const emg_edge *ed = emg_edge_find(o, p->route[j], p->route[j + 1]);
        if (!ed || ed->lane == UINT32_MAX) break;
        uint32_t lane = j == p->idx && p->lane != UINT32_MAX ? p->lane : ed->lane;
        double vmax = emg_ev_speed(c, o->lanes[lane].vmax);
        t += (j == p->idx ? p->rem : o->lanes[lane].length) / (vmax > 0.1 ? vmax : 0.1);
        if (t > EMG_HORIZON) break;
        long site = o->site_of[ed->inter];
        if (site >= 0 && !allows(&sites[site], sites[site].yellow_phase, ed->k)) {
            emg_hold *h = find_hold(v, (uint32_t)site, p->route[j]);
            if (h) {
                h->seen = true;
                if (!h->expired && now - h->since > c->max_hold) h->expired = true;
                if (!h->expired && o->hold[site] < 0) o->hold[site] = h->phase;
            } else if (v->n_holds < EMG_MAX_HOLDS && o->hold[site] < 0 && !site_taken(o, v, (uint32_t)site)) {
                int phase = choose_phase(o, sig, (size_t)site, ed->inter, ed->k);
                uint64_t ahead = j == p->idx ? p->ahead : emg_lane_between(o, ed->lane);
                double lead = switch_time(sig, (size_t)site, phase) + (ahead ? c->headway * (double)ahead + 2 : 0) +
                              c->margin;
                if (phase >= 0 && t <= lead) {
                    v->holds[v->n_holds++] = (emg_hold){ (uint32_t)site, p->route[j], phase, now, false, true };
                    v->st.preemptions++;
                    o->hold[site] = phase;
                }
            }
        }
        t += EMG_CROSS;
    }
    /* Sites behind it (or off its new route) are released. */
    int keep = 0;
    for (int j = 0; j < v->n_holds; j++)
        if (v->holds[j].seen) v->holds[keep++] = v->holds[j];
    v->n_holds = keep;
}

/* Push a vehicle whose dispatch time has come. */
static void push(cb_ops *o, emg_ev *v, double now)
{
    uint32_t *r;
    size_t n;
    double est;
    cb_error e2;
    int rc = emg_route(o, v->st.origin, v->st.destination, &r, &n, &est, &e2);
    if (rc == CB_OK) {
        size_t *roads = malloc(n * sizeof *roads);
        if (!roads) {
            rc = cbu_err_nomem(&e2);
        } else {
            for (size_t i = 0; i < n; i++) roads[i] = r[i];
            rc = cb_engine_push_vehicle(o->e, &o->cfg.ev, roads, n, v->st.vehicle, sizeof v->st.vehicle, &e2);
            free(roads);
        }
        free(r);
    }
    if (rc) {
        v->st.state = CB_EV_FAILED;
        snprintf(v->st.note, sizeof v->st.note, "%s", e2.msg);
        return;
    }
    v->st.state = CB_EV_ENROUTE;
    v->st.start = now;
    v->st.planned = est;
    v->next_replan = now + o->cfg.replan;
}

/* Sum of the estimates along route[from..len-1]. */
static double route_cost(const cb_ops *o, const uint32_t *route, size_t from, size_t len)
{
    double t = 0;
    for (size_t j = from; j + 1 < len; j++) {
        const emg_edge *ed = emg_edge_find(o, route[j], route[j + 1]);
        if (!ed) return INFINITY;
        t += emg_tt_edge(o, ed);
    }
    return t + emg_tt_run(o, route[len - 1]);
}

static void replan(cb_ops *o, emg_ev *v, const cb_vehicle_info *info)
{
    if (info->route_len < 3) return;          /* the next road is fixed, the one after is the last */
    uint32_t *r;
    size_t n;
    double est;
    if (emg_route(o, info->route[1], v->st.destination, &r, &n, &est, NULL)) return;
    bool same = n == info->route_len - 1;
    for (size_t j = 0; same && j < n; j++) same = r[j] == info->route[j + 1];
    double now_cost = route_cost(o, info->route, 1, info->route_len);
    if (!same && est < 0.95 * now_cost - 5) {
        size_t *roads = malloc(n * sizeof *roads);
        if (roads) {
            for (size_t j = 0; j < n; j++) roads[j] = r[j];
            if (cb_engine_set_vehicle_route(o->e, v->st.vehicle, roads, n, NULL) == CB_OK) v->st.replans++;
            free(roads);
        }
    }
    free(r);
}

/* Seconds to run a road at the vehicle's top speed. */
static double free_run(const cb_ops *o, uint32_t road)
{
    const cb_road_info *r = &o->roads[road];
    double v = r->n_lanes ? emg_ev_speed(&o->cfg, o->lanes[r->first_lane].vmax) : o->cfg.ev.max_speed;
    return v > 0 ? r->length / v : 0;
}

/* Follow one vehicle under way; fills *p when it is still in the engine. */
static bool follow(cb_ops *o, emg_ev *v, double now, ev_pos *p)
{
    cb_vehicle_info info;
    cb_vehicle veh;
    if (cb_engine_vehicle_info(o->e, v->st.vehicle, &info, NULL) ||
        cb_engine_vehicle(o->e, v->st.vehicle, &veh, NULL)) {
        /* Gone: it left the end of its route during the last step, which
         * began at now - dt (the engine's own travel-time convention). */
        v->st.state = CB_EV_ARRIVED;
        v->st.arrival = now - o->dt > v->st.start ? now - o->dt : v->st.start;
        v->st.travel_time = v->st.arrival - v->st.start;
        v->st.road = (size_t)-1;
        v->n_holds = 0;
        if (v->last_road != UINT32_MAX) v->st.free_flow += free_run(o, v->last_road);
        return false;
    }
    v->st.travel_time = now - v->st.start;
    if (veh.running && o->have_step) {
        if (veh.speed < 0.1) {
            if (!v->stopped) v->st.stops++;
            v->stopped = true;
            v->st.stopped_time += o->dt;
        } else {
            v->stopped = false;
        }
    }
    memset(p, 0, sizeof *p);
    p->route = info.route;
    p->len = info.route_len;
    p->lane = UINT32_MAX;
    uint32_t road = UINT32_MAX;
    if (veh.drivable < o->n_lanes) {
        p->lane = veh.drivable;
        road = o->lanes[p->lane].road;
        p->rem = o->lanes[p->lane].length - (veh.running ? veh.distance : 0);
        if (v->lane != p->lane) {
            v->lane = p->lane;
            v->ahead_mark = UINT64_MAX;
        }
        const emg_tt *t = &o->tt[p->lane];
        if (veh.running && v->ahead_mark == UINT64_MAX && veh.distance >= o->lanes[p->lane].entry_pos)
            v->ahead_mark = t->cum_in ? t->cum_in - 1 : 0;      /* those counted before it */
        if (v->ahead_mark != UINT64_MAX) p->ahead = v->ahead_mark > t->cum_out ? v->ahead_mark - t->cum_out : 0;
        else p->ahead = t->cum_in - t->cum_out;
        if (now >= v->next_replan) {
            replan(o, v, &info);
            v->next_replan = now + o->cfg.replan;
            /* the route changed: read it again */
            if (cb_engine_vehicle_info(o->e, v->st.vehicle, &info, NULL) == CB_OK) {
                p->route = info.route;
                p->len = info.route_len;
            }
        }
    } else {
        /* On a link "<lane>_TO_<lane>": it is entering the end lane's road. */
        const char *to = strstr(info.drivable, "_TO_");
        uint32_t end;
        if (to && cbu_strmap_get(&o->lane_ids, to + 4, &end)) {
            road = o->lanes[end].road;
            p->rem = o->lanes[end].length;
        }
        v->lane = UINT32_MAX;
    }
    v->st.road = road == UINT32_MAX ? (size_t)-1 : road;
    if (road != UINT32_MAX && road != v->last_road) {
        if (v->last_road != UINT32_MAX) v->st.free_flow += free_run(o, v->last_road);
        v->last_road = road;
    }
    p->idx = p->len;
    for (size_t j = 0; j < p->len; j++)
        if (p->route[j] == road) {
            p->idx = j;
            break;
        }
    return p->idx < p->len;
}

int emg_ev_update(cb_ops *o, const cb_signals *sig, cb_error *err)
{
    int rc = sync_sites(o, sig, err);
    if (rc) return rc;
    for (size_t i = 0; i < o->n_sites; i++) o->hold[i] = -1;
    double now = cb_engine_time(o->e);
    bool preempt = sig && o->cfg.preempt;
    for (size_t k = 0; k < o->n_evs; k++) {
        emg_ev *v = &o->evs[k];
        if (v->st.state == CB_EV_SCHEDULED && now >= v->st.dispatch - 1e-9) push(o, v, now);
        if (v->st.state != CB_EV_ENROUTE) continue;
        ev_pos p;
        /* the route in p is borrowed from the engine: used before the next vehicle's calls */
        if (follow(o, v, now, &p) && preempt) plan_holds(o, sig, v, &p, now);
    }
    return CB_OK;
}
