/* sim_step.c -- one simulation step, and moving vehicles between drivables.
 *
 * The order of a step (cityflow-semantics.md section 6):
 *   1. flows create vehicles into their first lane's entering queue;
 *   2. each lane lets at most one queued vehicle in;
 *   3. lane changing, when on (sim_lanechange.c);
 *   4. phase A, parallel: every running vehicle chooses its speed;
 *   5. phase B, parallel per drivable: vehicles advance; those that pass
 *      the end of their drivable are taken out and become "movers";
 *   6. serial: movers are appended to their new drivable, this step's
 *      arrivals in descending order of new position (ties by vehicle
 *      index); finished vehicles are retired and counted;
 *   7. fixed-time signals advance; a replay line is written. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int sim_drv_reserve(sim_drv *d, uint32_t extra)
{
    if (d->n + extra <= d->cap) return 0;
    uint32_t cap = d->cap ? d->cap * 2 : 8;
    while (cap < d->n + extra) cap *= 2;
    sim_slot *p = realloc(d->v, cap * sizeof *p);
    if (!p) return -1;
    d->v = p;
    d->cap = cap;
    return 0;
}

void sim_activate(sim_engine *s, uint32_t d)
{
    if (s->aux[d].active_pos != SIM_NONE) return;
    s->aux[d].active_pos = s->n_active;
    s->active[s->n_active++] = d;           /* capacity: one entry per drivable */
}

/*--- phase B ------------------------------------------------------------------------*/

static int wctx_push_mover(sim_wctx *w, const sim_mover *m)
{
    if (w->n_movers == w->cap_movers) {
        uint32_t cap = w->cap_movers ? w->cap_movers * 2 : 256;
        sim_mover *p = realloc(w->movers, cap * sizeof *p);
        if (!p) { w->oom = true; return -1; }
        w->movers = p;
        w->cap_movers = cap;
    }
    w->movers[w->n_movers++] = *m;
    return 0;
}

/* A vehicle left a lane link: the link's start lane has one vehicle fewer
 * on its links.  Applied in the serial merge, not with an atomic here:
 * neighbouring lanes' counters share cache lines across threads. */
static int wctx_push_link_left(sim_wctx *w, uint32_t lane)
{
    if (w->n_link_left == w->cap_link_left) {
        uint32_t cap = w->cap_link_left ? w->cap_link_left * 2 : 256;
        uint32_t *p = realloc(w->link_left, cap * sizeof *p);
        if (!p) { w->oom = true; return -1; }
        w->link_left = p;
        w->cap_link_left = cap;
    }
    w->link_left[w->n_link_left++] = lane;
    return 0;
}

static int wctx_push_done(sim_wctx *w, uint32_t vid)
{
    if (w->n_done == w->cap_done) {
        uint32_t cap = w->cap_done ? w->cap_done * 2 : 256;
        uint32_t *p = realloc(w->done, cap * sizeof *p);
        if (!p) { w->oom = true; return -1; }
        w->done = p;
        w->cap_done = cap;
    }
    w->done[w->n_done++] = vid;
    return 0;
}

/* Drivers before an all-way stop that start or end a stand this step:
 * the step their new speed holds from (sim_veh.stand_step).  Serial,
 * between phases A and B, over those lanes only: nothing for the rest. */
static void note_stands(sim_engine *s)
{
    for (uint32_t k = 0; k < s->n_allway_lanes; k++) {
        const sim_drv *D = &s->drv[s->allway_lanes[k]];
        for (uint32_t i = 0; i < D->n; i++) {
            const sim_slot *sl = &D->v[i];
            if (sl->flags & (SIM_SLOT_SHADOW | SIM_SLOT_DROP)) continue;
            if ((sl->nspeed <= SIM_WAITING_SPEED) != (sl->speed <= SIM_WAITING_SPEED))
                s->veh[sl->vid].stand_step = s->step + 1;
        }
    }
}

/* A vehicle passed the end of drivable d: follow its path by the distance
 * left over (it may cross a short lane link completely in one step). */
static void leave_drivable(sim_engine *s, uint32_t d, const sim_slot *sl, sim_wctx *w)
{
    const cb_net *n = s->net;
    sim_veh *v = &s->veh[sl->vid];
    double rem = sl->ndist - sim_drv_length(s, d);
    if (s->det && d < n->n_lanes)
        sim_detect_pass(s, d, sl->dist, sl->ndist, sl->nspeed, s->vtypes[sl->vtype].length);
    uint32_t cur = d, nxt = sl->next, k = v->route_pos;
    if (d < n->n_lanes) k++;                  /* the link enters road k+1 */
    else wctx_push_link_left(w, n->links[d - n->n_lanes].start_lane);
    if (cur < n->n_lanes) sim_pub_leave(s, v, w);
    for (;;) {
        if (nxt == SIM_NONE) {                /* passed the end of its route */
            v->drv = SIM_NONE;
            wctx_push_done(w, sl->vid);
            return;
        }
        if (nxt >= n->n_lanes) v->enter_link_step = s->step;
        double len = sim_drv_length(s, nxt);
        if (rem <= len) break;
        rem -= len;
        cur = nxt;
        nxt = sim_plan_next(s, v, cur, &k);
    }
    v->route_pos = k;
    v->drv = nxt;
    if (nxt < n->n_lanes) sim_pub_enter(s, v);
    sim_mover m;
    m.slot = *sl;
    m.slot.dist = rem;
    m.slot.speed = sl->nspeed;
    m.slot.prev = cur;
    uint32_t k2 = k;
    m.slot.next = sim_plan_next(s, v, nxt, &k2);
    m.dest = nxt;
    wctx_push_mover(w, &m);
}

static void move_drivable(sim_engine *s, uint32_t item, sim_wctx *w)
{
    uint32_t d = s->active[item];
    sim_drv *D = &s->drv[d];
    double len = sim_drv_length(s, d);
    uint32_t keep = 0, stopped = 0;
    for (uint32_t i = 0; i < D->n; i++) {
        sim_slot *sl = &D->v[i];
        if (sl->flags & SIM_SLOT_DROP) continue;      /* finished lane change */
        if (sl->ndist > len) {
            leave_drivable(s, d, sl, w);
            continue;
        }
        if (s->det && d < s->net->n_lanes)
            sim_detect_pass(s, d, sl->dist, sl->ndist, sl->nspeed, s->vtypes[sl->vtype].length);
        sl->dist = sl->ndist;
        sl->speed = sl->nspeed;
        stopped += sl->speed < SIM_WAITING_SPEED;
        sl->flags &= (uint16_t)~SIM_SLOT_CUSTOM_SPEED;   /* one step only */
        if (keep != i) D->v[keep] = *sl;
        keep++;
    }
    D->n = keep;
    if (d < s->net->n_lanes && s->net->roads[s->net->lanes[d].road].incoming_signal)
        w->stopped_approach += stopped;
}

static void decide_item(sim_engine *s, uint32_t item, sim_wctx *w)
{
    sim_decide_drivable(s, s->active[item], w);
}

/*--- phase C: arrivals and retirements --------------------------------------------------*/

/* Append an arriving vehicle to its new drivable.  Arrivals of one step go
 * after the vehicles already there, ordered among themselves by
 * descending position, then vehicle index: an insertion into the (short)
 * run of this step's arrivals, so no global sort is needed and the result
 * does not depend on which worker found the mover. */
static int arrive(sim_engine *s, const sim_mover *mv)
{
    sim_drv *D = &s->drv[mv->dest];
    sim_drv_aux *A = &s->aux[mv->dest];
    if (sim_drv_reserve(D, 1)) return -1;
    if (A->arrived_step != s->step) { A->arrived_step = s->step; A->arrived = 0; }
    uint32_t i = D->n;
    uint32_t first = D->n - A->arrived;
    while (i > first) {
        const sim_slot *p = &D->v[i - 1];
        if (p->dist > mv->slot.dist || (p->dist == mv->slot.dist && p->vid < mv->slot.vid)) break;
        D->v[i] = *p;
        i--;
    }
    D->v[i] = mv->slot;
    D->n++;
    A->arrived++;
    if (s->det && mv->dest < s->net->n_lanes)
        sim_detect_pass(s, mv->dest, 0, mv->slot.dist, mv->slot.speed, s->vtypes[mv->slot.vtype].length);
    if (mv->dest < s->net->n_lanes && mv->slot.speed < SIM_WAITING_SPEED &&
        s->net->roads[s->net->lanes[mv->dest].road].incoming_signal)
        s->stopped_approach++;
    if (mv->dest >= s->net->n_lanes)
        atomic_fetch_add_explicit(&s->link_occ[s->net->links[mv->dest - s->net->n_lanes].start_lane], 1,
                                  memory_order_relaxed);
    sim_activate(s, mv->dest);
    return 0;
}

/* The order of the active list does not change any result (every drivable
 * is decided and moved on its own); it only decides what memory the step
 * walks through next.  Arrivals append, so over time the list scatters;
 * every 32 steps it is put back in drivable order, which keeps a road's
 * lanes, an intersection's lane links and their records adjacent in the
 * walk (and gives each worker neighbouring drivables).  A dense list is
 * rebuilt from the per-drivable flags, a sparse one sorted, so an idle
 * city costs nothing. */
static int u32_cmp(const void *a, const void *b);

static void active_sort(sim_engine *s)
{
    uint32_t nd = net_n_drivables(s->net);
    if (s->n_active < 2) return;
    if (s->n_active > nd / 16) {
        uint32_t k = 0;
        for (uint32_t d = 0; d < nd; d++)
            if (s->aux[d].active_pos != SIM_NONE) s->active[k++] = d;
    } else {
        qsort(s->active, s->n_active, sizeof *s->active, u32_cmp);
    }
    for (uint32_t i = 0; i < s->n_active; i++) s->aux[s->active[i]].active_pos = i;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int merge_step(sim_engine *s, cb_error *err)
{
    uint32_t done = 0;
    s->stopped_approach = 0;
    for (int t = 0; t < s->n_threads; t++) {
        sim_wctx *w = &s->wctx[t];
        if (w->oom) return cbu_err_nomem(err);
        done += w->n_done;
        s->veh_updates += w->updates;
        s->pub_sum_steps += w->pub_sum_steps;
        s->pub_count += w->pub_count;
        s->stopped_approach += w->stopped_approach;
        for (uint32_t i = 0; i < w->n_link_left; i++)
            atomic_fetch_sub_explicit(&s->link_occ[w->link_left[i]], 1, memory_order_relaxed);
        w->n_link_left = 0;
    }
    for (int t = 0; t < s->n_threads; t++) {
        const sim_wctx *w = &s->wctx[t];
        for (uint32_t i = 0; i < w->n_movers; i++)
            if (arrive(s, &w->movers[i])) return cbu_err_nomem(err);
    }

    /* retire finished vehicles, lowest index first so the free list (and
     * with it every later vehicle index) is the same for any thread count */
    if (done) {
        uint32_t *vids = s->wctx[0].done;
        if (s->n_threads > 1) {
            if (s->wctx[0].cap_done < done) {
                uint32_t *p = realloc(s->wctx[0].done, done * sizeof *p);
                if (!p) return cbu_err_nomem(err);
                s->wctx[0].done = vids = p;
                s->wctx[0].cap_done = done;
            }
            uint32_t k = s->wctx[0].n_done;
            for (int t = 1; t < s->n_threads; t++) {
                if (!s->wctx[t].n_done) continue;      /* done may be NULL */
                memcpy(vids + k, s->wctx[t].done, s->wctx[t].n_done * sizeof *vids);
                k += s->wctx[t].n_done;
            }
        }
        qsort(vids, done, sizeof *vids, u32_cmp);
        for (uint32_t i = done; i-- > 0;) {      /* LIFO pop yields the lowest first */
            sim_veh *v = &s->veh[vids[i]];
            if (s->trip_stats) sim_trip_finish(s, v);
            s->sum_tt_steps += s->step - v->create_step;
            s->sum_create_unfinished -= v->create_step;
            s->finished++;
            s->running--;
            sim_vehicle_retire(s, vids[i]);
        }
    }
    for (int t = 0; t < s->n_threads; t++) {
        sim_wctx *w = &s->wctx[t];
        w->n_movers = w->n_done = 0;
        w->updates = w->pub_sum_steps = w->pub_count = w->stopped_approach = 0;
    }

    /* drop drivables that emptied, keeping the order of the rest */
    uint32_t keep = 0;
    for (uint32_t i = 0; i < s->n_active; i++) {
        uint32_t d = s->active[i];
        if (s->drv[d].n == 0) { s->aux[d].active_pos = SIM_NONE; continue; }
        s->aux[d].active_pos = keep;
        s->active[keep++] = d;
    }
    s->n_active = keep;
    if ((s->step & 31) == 0) active_sort(s);
    return CB_OK;
}

/* The flows fire and the due vehicles enter their lanes: before the move
 * (CityFlow) or after it (SUMO; insert_after_move). */
static int enter_due(sim_engine *s, cb_error *err)
{
    int rc = sim_flows_step(s, err);
    if (rc == CB_OK) sim_insert_waiting(s);
    return rc;
}

int sim_step(sim_engine *s, cb_error *err)
{
    if (s->n_incidents) sim_incidents_update(s);
    int rc;
    if (!s->insert_after_move && (rc = enter_due(s, err))) return rc;
    if (s->lane_change && (rc = sim_lc_plan(s, err))) return rc;
    sim_parallel_for(s, s->n_active, decide_item);
    if (s->n_lc_active) sim_lc_couple(s);
    if (s->n_allway_lanes) note_stands(s);
    sim_parallel_for(s, s->n_active, move_drivable);
    if ((rc = merge_step(s, err))) return rc;
    if (s->insert_after_move && (rc = enter_due(s, err))) return rc;
    if (s->dyn) sim_dynroute_sample(s);
    s->queue_sum += s->stopped_approach;
    uint32_t *t = s->blocker;
    s->blocker = s->blocker_next;
    s->blocker_next = t;
    if (!s->external_signals) sim_signals_tick(s);
    if (s->replay) sim_replay_step(s);
    s->step++;
    return CB_OK;
}
