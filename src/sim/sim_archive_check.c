/* sim_archive_check.c -- does an archive describe a state the engine can
 * run from?
 *
 * sim_archive.c's reader checks each field on its own: indices in range,
 * numbers finite, sections the right length.  That is not enough: the step
 * trusts relations between them (a running vehicle is on the drivable its
 * record names, once; the drivable after it is the one its route leads to;
 * a lane change has its shadow; the counters count what is there), and a
 * damaged archive that breaks one of them made the engine read out of
 * bounds several steps later (found by fuzz/fuzz_archive.c).  Every state
 * the engine itself saves satisfies all of them, so checking them refuses
 * only damage.  Nothing here allocates beyond two marks per vehicle and
 * drivable, freed before returning. */
#include "sim_archive.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int fault(cb_error *err, const char *what)
{
    return cbu_err(err, CB_ESCHEMA, "archive: %s", what);
}

/* The roads of route r, from the engine or from the archive's extras. */
static const uint32_t *route_roads(const sim_engine *s, const archive_loaded *L, uint32_t r, uint32_t *n)
{
    if (r < s->n_routes_init) {
        *n = s->routes[r].n;
        return s->routes[r].roads;
    }
    *n = L->extra_n[r - s->n_routes_init];
    return L->extra_roads[r - s->n_routes_init];
}

/* The road a vehicle on drivable d is on, or enters (a lane link). */
static uint32_t drivable_road(const cb_net *n, uint32_t d)
{
    return d < n->n_lanes ? n->lanes[d].road : n->lanes[n->links[d - n->n_lanes].end_lane].road;
}

static bool route_connected(const cb_net *n, const uint32_t *roads, uint32_t rn)
{
    for (uint32_t i = 0; i + 1 < rn; i++) {
        const net_road *rd = &n->roads[roads[i]];
        bool any = false;
        for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes && !any; l++)
            any = net_lane_reaches(n, l, roads[i + 1]);
        if (!any) return false;
    }
    return true;
}

/* Step numbers: the step subtracts them from the current one. */
#define STEP_BOUND ((int64_t)1 << 40)
static bool step_ok(int64_t t) { return t >= -STEP_BOUND && t <= STEP_BOUND; }

static int check_flows(const sim_engine *s, const archive_loaded *L, cb_error *err)
{
    for (uint32_t f = 0; f < s->n_flows; f++) {
        const sim_flow *a = &L->flows[f], *e = &s->flows[f];
        const unsigned char *raw = (const unsigned char *)a;
        if (raw[offsetof(sim_flow, active)] > 1 || raw[offsetof(sim_flow, done)] > 1 || /* the accumulator is due at `interval`: it never holds more than one
             * vehicle's worth plus a step (more would create them all at once) */
            !(a->now_time >= 0 && a->now_time <= s->flow_interval[f] + 2 * s->dt) ||
            a->route != e->route || a->vtype != e->vtype || a->depart_lane != e->depart_lane ||
            memcmp(&a->depart_speed, &e->depart_speed, sizeof a->depart_speed) != 0 ||
            memcmp(&a->speed_mean, &e->speed_mean, sizeof a->speed_mean) != 0 ||
            memcmp(&a->speed_dev, &e->speed_dev, sizeof a->speed_dev) != 0)
            return fault(err, "flow state does not belong to this demand");
    }
    /* the schedule: every started flow that has not ended, once (the heap
     * has room for each flow once), as a min-heap on (step, flow); the
     * flows before pending_pos have started */
    uint64_t running = 0;
    for (uint32_t f = 0; f < s->n_flows; f++) running += L->flows[f].active && !L->flows[f].done;
    if (running != L->n_fheap) return fault(err, "flow schedule does not match the flows");
    for (uint64_t i = 0; i < L->n_fheap; i++) {
        sim_flow_event e = L->fheap[i], up = L->fheap[i ? (i - 1) / 2 : 0];
        if (!L->flows[e.flow].active || L->flows[e.flow].done || !step_ok(e.step) ||
            (i && (e.step < up.step || (e.step == up.step && e.flow <= up.flow))))
            return fault(err, "corrupt flow schedule");
    }
    for (uint64_t i = 0; i < s->n_pending; i++)
        if ((i < L->pending_pos) != L->flows[s->flow_pending[i]].active) return fault(err, "corrupt flow schedule");
    for (uint64_t i = 0; i < L->n_extra; i++)
        if (L->extra_n[i] && !route_connected(s->net, L->extra_roads[i], L->extra_n[i]))
            return fault(err, "a route joins roads that are not connected");
    /* a plan's time left is at most its phase's length (a tick then adds
     * phases until it is positive again: a huge deficit would loop) */
    const cb_net *n = s->net;
    for (uint32_t i = 0; i < n->n_inters; i++) {
        const net_inter *in = &n->inters[i];
        double r = L->signals[i].remain;
        if (in->n_phases && !(r > -s->dt && r <= n->phases[in->first_phase + L->signals[i].phase].time + s->dt))
            return fault(err, "corrupt signal state");
    }
    return CB_OK;
}

/* Per-vehicle numbers the step computes with. */
static int check_vehicle_numbers(const archive_loaded *L, cb_error *err)
{
    if (!step_ok((int64_t)L->step)) return fault(err, "corrupt header");
    for (uint64_t i = 0; i < L->n_veh; i++) {
        const sim_veh *v = &L->veh[i];
        if (v->state == SIM_VEH_FREE) continue;
        if (!step_ok(v->create_step) || !(step_ok(v->enter_link_step) || v->enter_link_step == INT64_MAX) ||
            !step_ok(v->pub_enter_step) || !(step_ok(v->lc_done_step) || v->lc_done_step == INT64_MIN / 2) ||
            !step_ok(v->lc_pub_enter) || !step_ok(v->insert_step) || !step_ok(v->trip_wait) ||
            !step_ok(v->trip_stop_run) || !step_ok(v->trip_max_run) || !step_ok(v->stand_step))
            return fault(err, "corrupt vehicle times");
        if (!(v->custom_speed < 1e4) || !(v->depart_speed < 1e4) || !(v->lc_offset >= 0 && v->lc_offset < 1e4) ||
            !(v->trip_loss >= 0 && v->trip_loss < 1e300) || v->trip_wait < 0 || v->trip_stop_run < 0 ||
            v->trip_max_run < 0 || v->pub_has > 1 || v->lc_pub_counted > 1 || v->trip_stuck > 1)
            return fault(err, "corrupt vehicle");
    }
    return CB_OK;
}

/* Where every vehicle is: seen[] counts, per vehicle, its slots (low byte:
 * ordinary, high byte: shadows) and its places in entering queues. */
static int check_places(const sim_engine *s, const archive_loaded *L, uint16_t *seen, uint8_t *listed,
                        cb_error *err)
{
    const cb_net *n = s->net;
    int64_t running = 0, queued = 0;
    for (uint64_t i = 0; i < L->n_active; i++) {
        uint32_t d = L->act_drv[i];
        if (listed[d]++) return fault(err, "a drivable is listed twice");
        double len = s->aux[d].length;
        for (uint32_t j = 0; j < L->act_n[i]; j++) {
            const sim_slot *sl = &L->act_slots[i][j];
            const sim_veh *v = &L->veh[sl->vid];
            bool shadow = (sl->flags & SIM_SLOT_SHADOW) != 0;
            if ((sl->flags & ~(SIM_SLOT_CUSTOM_SPEED | SIM_SLOT_SHADOW)) || sl->vtype != v->vtype ||
                !(sl->dist >= 0 && sl->dist <= len) || (shadow ? v->lc_lane != d : v->drv != d))
                return fault(err, "a vehicle is not where its record says");
            uint32_t rn;
            const uint32_t *roads = route_roads(s, L, v->route, &rn);
            uint32_t k = v->route_pos;
            if (drivable_road(n, d) != roads[v->route_pos] || sl->next != sim_next_on_route(n, roads, rn, d, &k))
                return fault(err, "a vehicle is off its route");
            if (shadow ? (seen[sl->vid] & 0xff00) : (seen[sl->vid] & 0xff))
                return fault(err, "a vehicle is on the network twice");
            seen[sl->vid] += shadow ? 0x100 : 1;
            running++;
        }
    }
    for (uint64_t i = 0; i < L->n_queues; i++) {
        uint32_t l = L->q_lane[i];
        if (listed[l] & 2) return fault(err, "an entering queue is listed twice");
        listed[l] |= 2;
        for (uint32_t j = 0; j < L->q_n[i]; j++) {
            uint32_t vid = L->q_vids[i][j];
            const sim_veh *v = &L->veh[vid];
            uint32_t rn;
            const uint32_t *roads = route_roads(s, L, v->route, &rn);
            if (v->drv != l || seen[vid] || n->lanes[l].road != roads[v->route_pos] || v->lc_lane != SIM_NONE)
                return fault(err, "an entering vehicle is not where its record says");
            seen[vid] = 1;
            queued++;
        }
    }
    for (uint64_t i = 0; i < L->n_veh; i++) {
        const sim_veh *v = &L->veh[i];
        bool lc = v->lc_lane != SIM_NONE;
        if (v->state == SIM_VEH_RUNNING &&
            ((seen[i] & 0xff) != 1 || (seen[i] >> 8) != (lc ? 1 : 0) ||
             (lc && (v->drv >= n->n_lanes || n->lanes[v->lc_lane].road != n->lanes[v->drv].road || v->lc_lane == v->drv))))
            return fault(err, "a running vehicle is missing or doubled");
        if (v->state == SIM_VEH_QUEUED && seen[i] != 1) return fault(err, "an entering vehicle is missing");
        if (v->state == SIM_VEH_FREE && (seen[i] || lc)) return fault(err, "a free vehicle is on the network");
    }
    if (running != L->counters[ARCHIVE_C_running] || queued != L->counters[ARCHIVE_C_queued]) return fault(err, "counters do not match the vehicles");
    return CB_OK;
}

/* The free list holds every free vehicle once; the lane-change list every
 * changing vehicle once, ascending. */
static int check_lists(const archive_loaded *L, uint16_t *seen, cb_error *err)
{
    uint64_t n_free = 0, n_lc = 0;
    for (uint64_t i = 0; i < L->n_veh; i++) {
        n_free += L->veh[i].state == SIM_VEH_FREE;
        n_lc += L->veh[i].state == SIM_VEH_RUNNING && L->veh[i].lc_lane != SIM_NONE;
    }
    if (n_free != L->n_free || n_lc != L->n_lc) return fault(err, "vehicle lists do not match the vehicles");
    memset(seen, 0, L->n_veh * sizeof *seen);
    for (uint64_t i = 0; i < L->n_free; i++)
        if (seen[L->free_vids[i]]++) return fault(err, "a vehicle is free twice");
    for (uint64_t i = 0; i < L->n_lc; i++)
        if (L->veh[L->lc[i]].state != SIM_VEH_RUNNING || (i && L->lc[i] <= L->lc[i - 1]))
            return fault(err, "corrupt lane change");
    return CB_OK;
}

int sim_archive_check(const sim_engine *s, const archive_loaded *L, cb_error *err)
{
    int rc = check_flows(s, L, err);
    if (rc == CB_OK) rc = check_vehicle_numbers(L, err);
    if (rc) return rc;
    uint16_t *seen = calloc(L->n_veh + 1, sizeof *seen);
    uint8_t *listed = calloc(net_n_drivables(s->net) + 1, 1);
    if (!seen || !listed) rc = cbu_err_nomem(err);
    if (rc == CB_OK) rc = check_places(s, L, seen, listed, err);
    if (rc == CB_OK) rc = check_lists(L, seen, err);
    free(seen);
    free(listed);
    return rc;
}
