/* sim_archive.c -- saving and restoring the traffic state: reset, snapshot,
 * load, and archive files (CityFlow's reset / snapshot / load /
 * load_from_file / Archive.dump).
 *
 * An archive is the engine's dynamic state serialised into one byte buffer:
 * a header that names the format version, the record sizes and the
 * network's shape, then every dynamic array.  Snapshot and dump produce the
 * same bytes; load and load_from_file read them through the same checked
 * reader, which validates every index and number against the network,
 * then sim_archive_check.c, which checks that the state hangs together,
 * all before anything is changed, so a damaged or foreign file is an
 * error, never a crash or a half-restored engine.
 *
 * The format is ours, not CityFlow's JSON: CityFlow's archive spells out
 * its own internal objects (its leader pointers, its lane-change signals),
 * which have no counterpart here.  It is tied to the engine build (record
 * sizes are checked) and to the network (its shape is checked). */
#include "sim_archive.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARCHIVE_MAGIC "CBARCHV5"
/* Every field starts at a multiple of 16 bytes (ARCHIVE_ALIGN), so the
 * reader can use the records in place (malloc'ed buffers are 16-byte
 * aligned). */

/*--- writing ----------------------------------------------------------------------*/

typedef struct awriter {
    unsigned char *p;
    size_t n, cap;
    bool oom;
} awriter;

static void w_bytes(awriter *w, const void *src, size_t n)
{
    if (w->oom || !n) return;
    size_t pad = (ARCHIVE_ALIGN - w->n % ARCHIVE_ALIGN) % ARCHIVE_ALIGN;
    if (w->n + pad + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + pad + n) cap *= 2;
        unsigned char *p = realloc(w->p, cap);
        if (!p) { w->oom = true; return; }
        w->p = p;
        w->cap = cap;
    }
    memset(w->p + w->n, 0, pad);
    w->n += pad;
    memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void w_u64(awriter *w, uint64_t x) { w_bytes(w, &x, sizeof x); }
static void w_f64(awriter *w, double x) { w_bytes(w, &x, sizeof x); }

static void write_state(const sim_engine *s, awriter *w)
{
    const cb_net *n = s->net;
    w_bytes(w, ARCHIVE_MAGIC, 8);
    w_u64(w, sizeof(sim_slot));
    w_u64(w, sizeof(sim_veh));
    w_u64(w, n->n_lanes);
    w_u64(w, n->n_links);
    w_u64(w, n->n_inters);
    w_u64(w, n->n_roads);
    w_u64(w, s->n_flows);
    w_f64(w, s->dt);

    w_u64(w, (uint64_t)s->step);
    w_f64(w, s->flow_clock);
    w_u64(w, s->seed);
#define ARCHIVE_COUNTER_VALUE(f) s->f,
    int64_t counters[ARCHIVE_N_COUNTERS] = { ARCHIVE_COUNTERS(ARCHIVE_COUNTER_VALUE) };
#undef ARCHIVE_COUNTER_VALUE
    w_bytes(w, counters, sizeof counters);
    w_u64(w, s->n_pushed);
    w_bytes(w, &s->rng, sizeof s->rng);

    w_u64(w, s->n_vtypes);
    w_bytes(w, s->vtypes, s->n_vtypes * sizeof *s->vtypes);
    for (uint32_t i = 0; i < s->n_vtypes; i++) {
        const sim_vparam *p = &s->vparams[i];
        archive_driver d = { p->sigma, p->speed_factor, p->krauss, 0 };
        w_bytes(w, &d, sizeof d);
    }
    w_u64(w, s->n_routes - s->n_routes_init);
    for (uint32_t r = s->n_routes_init; r < s->n_routes; r++) {   /* a free slot: 0 roads */
        w_u64(w, s->routes[r].n);
        if (s->routes[r].n) w_bytes(w, s->routes[r].roads, s->routes[r].n * sizeof(uint32_t));
    }
    w_bytes(w, s->flows, s->n_flows * sizeof *s->flows);
    w_u64(w, s->n_fheap);
    w_bytes(w, s->fheap, s->n_fheap * sizeof *s->fheap);
    w_u64(w, s->pending_pos);

    w_u64(w, s->n_veh);
    w_bytes(w, s->veh, s->n_veh * sizeof *s->veh);
    w_u64(w, s->n_free);
    w_bytes(w, s->free_vids, s->n_free * sizeof *s->free_vids);
    w_bytes(w, s->blocker, s->n_veh * sizeof *s->blocker);

    w_u64(w, s->n_active);
    for (uint32_t i = 0; i < s->n_active; i++) {
        uint32_t d = s->active[i];
        w_u64(w, d);
        w_u64(w, s->drv[d].n);
        w_bytes(w, s->drv[d].v, s->drv[d].n * sizeof(sim_slot));
    }
    uint64_t nq = 0;
    for (uint32_t l = 0; l < n->n_lanes; l++) nq += s->queues[l].n > 0;
    w_u64(w, nq);
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        const sim_queue *q = &s->queues[l];
        if (!q->n) continue;
        w_u64(w, l);
        w_u64(w, q->n);
        w_bytes(w, q->q + q->head, q->n * sizeof *q->q);
    }
    w_bytes(w, s->signals, n->n_inters * sizeof *s->signals);
    w_u64(w, s->n_lc_active);
    w_bytes(w, s->lc_active, s->n_lc_active * sizeof *s->lc_active);

    w_f64(w, s->trip_loss);
    w_u64(w, s->n_incidents);
    w_bytes(w, s->incidents, s->n_incidents * sizeof *s->incidents);
    uint64_t n_det = s->det ? s->det_first[n->n_lanes] : 0;   /* 0: detectors off */
    w_u64(w, n_det);
    if (n_det) {
        w_bytes(w, s->det_first, (n->n_lanes + 1) * sizeof *s->det_first);
        w_bytes(w, s->det_pos, n_det * sizeof *s->det_pos);
        w_bytes(w, s->det, n_det * sizeof *s->det);
        w_bytes(w, s->det_since, n->n_lanes * sizeof *s->det_since);
    }
    w_u64(w, s->dyn != NULL);
    if (s->dyn) {
        sim_dynroute_state v = sim_dynroute_view(s->dyn);
        w_u64(w, *v.k);
        w_f64(w, *v.next_sample);
        w_bytes(w, v.speed, v.n_roads * sizeof *v.speed);
        w_bytes(w, v.used, v.n_roads * sizeof *v.used);
        w_bytes(w, v.past, (size_t)v.n_samples * v.n_roads * sizeof *v.past);
    }
}

/*--- reading ------------------------------------------------------------------------*/

typedef struct areader {
    const unsigned char *p;
    size_t n, pos;
    bool bad;
} areader;

static const void *r_take(areader *r, size_t n)
{
    size_t pad = (ARCHIVE_ALIGN - r->pos % ARCHIVE_ALIGN) % ARCHIVE_ALIGN;
    if (n && !r->bad) {
        if (pad > r->n - r->pos) { r->bad = true; return NULL; }
        r->pos += pad;
    }
    if (r->bad || n > r->n - r->pos) { r->bad = true; return NULL; }
    const void *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint64_t r_u64(areader *r)
{
    uint64_t x = 0;
    const void *p = r_take(r, sizeof x);
    if (p) memcpy(&x, p, sizeof x);
    return x;
}

static double r_f64(areader *r)
{
    double x = 0;
    const void *p = r_take(r, sizeof x);
    if (p) memcpy(&x, p, sizeof x);
    return x;
}

/* A count that must fit what follows (each element at least `elem` bytes). */
static uint64_t r_count(areader *r, uint64_t max, size_t elem)
{
    uint64_t c = r_u64(r);
    if (c > max || (elem && c > (r->n - r->pos) / elem)) r->bad = true;
    return r->bad ? 0 : c;
}

static void loaded_free(archive_loaded *L)
{
    for (uint64_t i = 0; i < L->n_extra && L->extra_roads; i++) free(L->extra_roads[i]);
    free(L->extra_roads);
    free(L->extra_n);
    free(L->act_drv);
    free(L->act_n);
    free(L->act_slots);
    free(L->q_lane);
    free(L->q_n);
    free(L->q_vids);
}

static int bad_archive(cb_error *err, const char *what)
{
    return cbu_err(err, CB_ESCHEMA, "archive: %s", what);
}

static int parse_archive(const sim_engine *s, const unsigned char *buf, size_t len, archive_loaded *L, cb_error *err)
{
    const cb_net *n = s->net;
    uint32_t nd = net_n_drivables(n);
    areader r = { buf, len, 0, false };
    memset(L, 0, sizeof *L);
    const void *magic = r_take(&r, 8);
    if (!magic || memcmp(magic, ARCHIVE_MAGIC, 8) != 0) return bad_archive(err, "not a citybrain archive");
    if (r_u64(&r) != sizeof(sim_slot) || r_u64(&r) != sizeof(sim_veh))
        return bad_archive(err, "written by an incompatible citybrain build");
    if (r_u64(&r) != n->n_lanes || r_u64(&r) != n->n_links || r_u64(&r) != n->n_inters ||
        r_u64(&r) != n->n_roads || r_u64(&r) != s->n_flows || r_f64(&r) != s->dt)
        return bad_archive(err, "made for another network, demand or step length");
    L->step = r_u64(&r);
    L->flow_clock = r_f64(&r);
    L->seed = r_u64(&r);
    const void *c = r_take(&r, sizeof L->counters);
    if (c) memcpy(L->counters, c, sizeof L->counters);
    L->n_pushed = r_u64(&r);
    const void *rng = r_take(&r, sizeof L->rng);
    if (rng) memcpy(&L->rng, rng, sizeof L->rng);
    if (r.bad) return bad_archive(err, "truncated header");
    if (L->rng.idx < 0 || L->rng.idx > 624 || L->step > (uint64_t)INT64_MAX / 2)
        return bad_archive(err, "corrupt header");

    L->n_vtypes = r_count(&r, UINT16_MAX, sizeof(net_vtype));
    L->vtypes = r_take(&r, L->n_vtypes * sizeof(net_vtype));
    L->drivers = r_take(&r, L->n_vtypes * sizeof(archive_driver));
    if (r.bad) return bad_archive(err, "corrupt vehicle types");
    for (uint64_t i = 0; i < L->n_vtypes; i++) {
        const net_vtype *vt = &L->vtypes[i];
        const archive_driver *d = &L->drivers[i];
        if (!(vt->length > 0) || !(vt->max_neg_acc > 0) || !(vt->usual_neg_acc > 0) || !(vt->max_speed > 0) ||
            !(vt->max_pos_acc > 0) || !(vt->usual_pos_acc > 0) || !(vt->headway_time >= 0) || !(vt->min_gap >= 0) ||
            d->krauss > 1 || !(d->sigma >= 0 && d->sigma <= 1) || !(d->speed_factor > 0 && d->speed_factor <= 10))
            return bad_archive(err, "corrupt vehicle type");
    }
    /* types are only ever added, so one list is a prefix of the other */
    uint64_t common = L->n_vtypes < s->n_vtypes ? L->n_vtypes : s->n_vtypes;
    if (memcmp(L->vtypes, s->vtypes, common * sizeof(net_vtype)) != 0)
        return bad_archive(err, "made by another engine (vehicle types differ)");
    for (uint64_t i = 0; i < common; i++)
        if ((bool)L->drivers[i].krauss != s->vparams[i].krauss || L->drivers[i].sigma != s->vparams[i].sigma ||
            L->drivers[i].speed_factor != s->vparams[i].speed_factor)
            return bad_archive(err, "made by another engine (drivers differ)");
    L->n_extra = r_count(&r, 1u << 24, sizeof(uint64_t));
    L->extra_roads = calloc(L->n_extra + 1, sizeof *L->extra_roads);
    L->extra_n = calloc(L->n_extra + 1, sizeof *L->extra_n);
    if (!L->extra_roads || !L->extra_n) return cbu_err_nomem(err);
    for (uint64_t i = 0; i < L->n_extra; i++) {
        uint64_t k = r_count(&r, 1u << 20, sizeof(uint32_t));
        if (k == 0) continue;                     /* a free slot */
        const uint32_t *roads = r_take(&r, k * sizeof(uint32_t));
        if (r.bad || k < 2) return bad_archive(err, "corrupt route");
        for (uint64_t j = 0; j < k; j++)
            if (roads[j] >= n->n_roads) return bad_archive(err, "route names a road that does not exist");
        L->extra_roads[i] = malloc(k * sizeof(uint32_t));
        if (!L->extra_roads[i]) return cbu_err_nomem(err);
        memcpy(L->extra_roads[i], roads, k * sizeof(uint32_t));
        L->extra_n[i] = (uint32_t)k;
    }
    uint64_t n_routes = s->n_routes_init + L->n_extra;
    L->flows = r_take(&r, s->n_flows * sizeof(sim_flow));
    L->n_fheap = r_count(&r, s->n_flows, sizeof(sim_flow_event));
    L->fheap = r_take(&r, L->n_fheap * sizeof(sim_flow_event));
    L->pending_pos = r_u64(&r);
    if (r.bad || L->pending_pos > s->n_pending) return bad_archive(err, "corrupt flow state");
    for (uint64_t i = 0; i < L->n_fheap; i++)
        if (L->fheap[i].flow >= s->n_flows) return bad_archive(err, "corrupt flow schedule");

    L->n_veh = r_count(&r, UINT32_MAX - 1, sizeof(sim_veh));
    L->veh = r_take(&r, L->n_veh * sizeof(sim_veh));
    L->n_free = r_count(&r, L->n_veh, sizeof(uint32_t));
    L->free_vids = r_take(&r, L->n_free * sizeof(uint32_t));
    L->blocker = r_take(&r, L->n_veh * sizeof(uint32_t));
    if (r.bad) return bad_archive(err, "truncated vehicle pool");
    for (uint64_t i = 0; i < L->n_free; i++)
        if (L->free_vids[i] >= L->n_veh || L->veh[L->free_vids[i]].state != SIM_VEH_FREE)
            return bad_archive(err, "corrupt free list");
    for (uint64_t i = 0; i < L->n_veh; i++) {
        const sim_veh *v = &L->veh[i];
        if (L->blocker[i] < SIM_HELD && sim_blocker_vehicle(L->blocker[i]) >= L->n_veh) return bad_archive(err, "corrupt blocker");
        if (v->state == SIM_VEH_FREE) continue;
        if (v->state > SIM_VEH_RUNNING || v->vtype >= (L->n_vtypes > s->n_vtypes ? L->n_vtypes : s->n_vtypes) ||
            v->route >= n_routes)
            return bad_archive(err, "corrupt vehicle");
        uint32_t rn = v->route < s->n_routes_init ? s->routes[v->route].n : L->extra_n[v->route - s->n_routes_init];
        if (v->route_pos >= rn || v->drv >= nd || (v->state == SIM_VEH_QUEUED && v->drv >= n->n_lanes) ||
            (v->lc_lane != SIM_NONE && v->lc_lane >= n->n_lanes) ||
            (v->flow != SIM_NONE && v->flow >= s->n_flows))
            return bad_archive(err, "corrupt vehicle");
    }
    L->n_active = r_count(&r, nd, 2 * sizeof(uint64_t));
    L->act_drv = malloc((L->n_active + 1) * sizeof *L->act_drv);
    L->act_n = malloc((L->n_active + 1) * sizeof *L->act_n);
    L->act_slots = malloc((L->n_active + 1) * sizeof *L->act_slots);
    if (!L->act_drv || !L->act_n || !L->act_slots) return cbu_err_nomem(err);
    for (uint64_t i = 0; i < L->n_active && !r.bad; i++) {
        uint64_t d = r_u64(&r), k = r_count(&r, UINT32_MAX / 2, sizeof(sim_slot));
        const sim_slot *sl = r_take(&r, k * sizeof(sim_slot));
        if (r.bad || d >= nd || k == 0) return bad_archive(err, "corrupt drivable");
        L->act_drv[i] = (uint32_t)d;
        L->act_n[i] = (uint32_t)k;
        L->act_slots[i] = sl;
        for (uint64_t j = 0; j < k; j++)
            if (sl[j].vid >= L->n_veh || L->veh[sl[j].vid].state != SIM_VEH_RUNNING || sl[j].vtype >= L->n_vtypes ||
                (sl[j].next != SIM_NONE && sl[j].next >= nd) || (sl[j].prev != SIM_NONE && sl[j].prev >= nd) ||
                !(sl[j].dist > -1e9 && sl[j].dist < 1e9) || !(sl[j].speed >= 0 && sl[j].speed < 1e6))
                return bad_archive(err, "corrupt vehicle on a drivable");
    }
    L->n_queues = r_count(&r, n->n_lanes, 2 * sizeof(uint64_t));
    L->q_lane = malloc((L->n_queues + 1) * sizeof *L->q_lane);
    L->q_n = malloc((L->n_queues + 1) * sizeof *L->q_n);
    L->q_vids = malloc((L->n_queues + 1) * sizeof *L->q_vids);
    if (!L->q_lane || !L->q_n || !L->q_vids) return cbu_err_nomem(err);
    for (uint64_t i = 0; i < L->n_queues && !r.bad; i++) {
        uint64_t l = r_u64(&r), k = r_count(&r, UINT32_MAX / 2, sizeof(uint32_t));
        const uint32_t *q = r_take(&r, k * sizeof(uint32_t));
        if (r.bad || l >= n->n_lanes || k == 0) return bad_archive(err, "corrupt entering queue");
        L->q_lane[i] = (uint32_t)l;
        L->q_n[i] = (uint32_t)k;
        L->q_vids[i] = q;
        for (uint64_t j = 0; j < k; j++)
            if (q[j] >= L->n_veh || L->veh[q[j]].state != SIM_VEH_QUEUED) return bad_archive(err, "corrupt entering queue");
    }
    L->signals = r_take(&r, n->n_inters * sizeof(sim_signal));
    L->n_lc = r_count(&r, L->n_veh, sizeof(uint32_t));
    L->lc = r_take(&r, L->n_lc * sizeof(uint32_t));
    L->trip_loss = r_f64(&r);
    L->n_incidents = r_count(&r, SIM_MAX_INCIDENTS, sizeof(sim_incident));
    L->incidents = r_take(&r, L->n_incidents * sizeof(sim_incident));
    L->n_det = r_count(&r, UINT32_MAX / 2, sizeof(sim_det));
    if (L->n_det) {
        L->det_first = r_take(&r, (n->n_lanes + 1) * sizeof(uint32_t));
        L->det_pos = r_take(&r, L->n_det * sizeof(double));
        L->det = r_take(&r, L->n_det * sizeof(sim_det));
        L->det_since = r_take(&r, n->n_lanes * sizeof(int64_t));
    }
    L->has_dyn = r_u64(&r);
    if (!r.bad && L->has_dyn != (s->dyn != NULL))
        return bad_archive(err, L->has_dyn ? "routing state, but this demand has no trips" : "no routing state for this demand's trips");
    if (L->has_dyn) {
        sim_dynroute_state v = sim_dynroute_view(s->dyn);
        L->dyn_k = r_u64(&r);
        L->dyn_next = r_f64(&r);
        L->dyn_speed = r_take(&r, v.n_roads * sizeof(double));
        L->dyn_used = r_take(&r, v.n_roads);
        L->dyn_past = r_take(&r, (size_t)v.n_samples * v.n_roads * sizeof(float));
        if (!r.bad) {
            bool ok = L->dyn_k < v.n_samples && L->dyn_next > 0 && L->dyn_next < 1e12;
            for (uint32_t i = 0; ok && i < v.n_roads; i++)
                ok = L->dyn_speed[i] >= 0 && L->dyn_speed[i] < 1e6 && L->dyn_used[i] <= 1;
            for (size_t i = 0; ok && i < (size_t)v.n_samples * v.n_roads; i++)
                ok = L->dyn_past[i] >= 0 && L->dyn_past[i] < 1e6f;
            if (!ok) return bad_archive(err, "corrupt routing state");
        }
    }
    if (r.bad) return bad_archive(err, "truncated");
    if (r.pos != r.n) return bad_archive(err, "trailing bytes");
    for (uint32_t i = 0; i < n->n_inters; i++)
        if (n->inters[i].n_phases && L->signals[i].phase >= n->inters[i].n_phases)
            return bad_archive(err, "corrupt signal state");
    for (uint64_t i = 0; i < L->n_lc; i++)
        if (L->lc[i] >= L->n_veh || L->veh[L->lc[i]].lc_lane == SIM_NONE) return bad_archive(err, "corrupt lane change");
    for (int i = 0; i < ARCHIVE_N_COUNTERS; i++)
        if (L->counters[i] < 0) return bad_archive(err, "corrupt counters");
    if (!(L->trip_loss >= 0 && L->trip_loss < 1e300)) return bad_archive(err, "corrupt trip statistics");
    for (uint64_t i = 0; i < L->n_incidents; i++) {
        const sim_incident *in = &L->incidents[i];
        const unsigned char *raw = (const unsigned char *)in;   /* bools are read only once known to be 0 or 1 */
        if (raw[offsetof(sim_incident, active)] > 1 || raw[offsetof(sim_incident, cleared)] > 1 ||
            in->lane >= n->n_lanes || !(in->pos >= 0 && in->pos <= s->aux[in->lane].length) ||
            in->start_step < 0 || in->start_step > INT64_MAX / 4 || in->end_step < -1 ||
            (in->end_step >= 0 && in->end_step < in->start_step))   /* equal: t0 and t1 in one step */
            return bad_archive(err, "corrupt incident");
    }
    if (L->n_det) {
        /* each lane's loops: at least two, in order along the lane */
        if (L->det_first[0] != 0 || L->det_first[n->n_lanes] != L->n_det) return bad_archive(err, "corrupt detectors");
        for (uint32_t l = 0; l < n->n_lanes; l++) {
            uint32_t a = L->det_first[l], b = L->det_first[l + 1];
            if (b < a || b - a < 2 || b > L->n_det || L->det_since[l] < 0 || (uint64_t)L->det_since[l] > L->step)
                return bad_archive(err, "corrupt detectors");
            for (uint32_t k = a; k < b; k++)
                if (!(L->det_pos[k] >= 0 && L->det_pos[k] <= s->aux[l].length) || (k > a && L->det_pos[k] < L->det_pos[k - 1]) ||
                    L->det[k].occ_stamp < -1 || L->det[k].occ_stamp > (int64_t)L->step)
                    return bad_archive(err, "corrupt detectors");
        }
    }
    return CB_OK;
}

/*--- applying --------------------------------------------------------------------------*/

/* Empty every dynamic structure (kept allocations are reused). */
static void clear_state(sim_engine *s)
{
    const cb_net *n = s->net;
    for (uint32_t i = 0; i < s->n_active; i++) {
        s->drv[s->active[i]].n = 0;
        s->aux[s->active[i]].active_pos = SIM_NONE;
        s->aux[s->active[i]].arrived_step = -1;
    }
    s->n_active = 0;
    for (uint32_t l = 0; l < n->n_lanes; l++) {
        s->queues[l].head = s->queues[l].n = 0;
        atomic_store_explicit(&s->link_occ[l], 0, memory_order_relaxed);
    }
    memset(s->queue_bits, 0, ((n->n_lanes + 63) / 64) * sizeof *s->queue_bits);
    for (uint32_t r = s->n_routes_init; r < s->n_routes; r++) sim_route_free(&s->routes[r]);
    s->n_routes = s->n_routes_init;
    s->n_free_routes = 0;
    s->n_veh = s->n_free = 0;
    s->n_lc_active = 0;
    s->n_fheap = 0;
    for (uint32_t i = 0; i < s->idx_cap; i++) s->idx_vals[i] = SIM_NONE;
    s->idx_n = 0;
}

/* memcpy that accepts an empty copy from or to NULL (arrays not grown yet). */
static void copy_n(void *dst, const void *src, size_t n)
{
    if (n) memcpy(dst, src, n);
}

static int apply_loaded(sim_engine *s, archive_loaded *L, cb_error *err)
{
    const cb_net *n = s->net;
    /* grow what must hold the archive before changing anything */
    if (L->n_veh > s->cap_veh) {
        uint32_t cap = (uint32_t)L->n_veh;
        sim_veh *v = realloc(s->veh, cap * sizeof *v);
        if (v) s->veh = v;
        uint32_t *b1 = realloc(s->blocker, cap * sizeof *b1);
        if (b1) s->blocker = b1;
        uint32_t *b2 = realloc(s->blocker_next, cap * sizeof *b2);
        if (b2) s->blocker_next = b2;
        uint32_t *fr = realloc(s->free_vids, cap * sizeof *fr);
        if (fr) s->free_vids = fr;
        if (!v || !b1 || !b2 || !fr) return cbu_err_nomem(err);
        s->cap_veh = cap;
    }
    if (L->n_lc > s->cap_lc_active) {
        uint32_t *p = realloc(s->lc_active, L->n_lc * sizeof *p);
        if (!p) return cbu_err_nomem(err);
        s->lc_active = p;
        s->cap_lc_active = (uint32_t)L->n_lc;
    }
    if (L->n_incidents > s->cap_incidents) {
        sim_incident *p = realloc(s->incidents, L->n_incidents * sizeof *p);
        if (!p) return cbu_err_nomem(err);
        s->incidents = p;
        s->cap_incidents = (uint32_t)L->n_incidents;
    }
    if (L->n_incidents && !s->block_pos) {
        s->block_pos = malloc((n->n_lanes + 1) * sizeof *s->block_pos);
        if (!s->block_pos) return cbu_err_nomem(err);
    }
    sim_det *det = NULL;
    double *det_pos = NULL;
    if (L->n_det) {
        det = malloc((L->n_det + 1) * sizeof *det);
        det_pos = malloc((L->n_det + 1) * sizeof *det_pos);
        if (!s->det_first) s->det_first = malloc((n->n_lanes + 1) * sizeof *s->det_first);
        if (!s->det_since) s->det_since = calloc(n->n_lanes + 1, sizeof *s->det_since);
        if (!det || !det_pos || !s->det_first || !s->det_since) {
            free(det);
            free(det_pos);
            return cbu_err_nomem(err);
        }
    }
    clear_state(s);
    for (uint64_t i = s->n_vtypes; i < L->n_vtypes; i++) {
        uint16_t t;
        const archive_driver *d = &L->drivers[i];
        if (sim_vtype_add(s, &L->vtypes[i], d->krauss != 0, d->sigma, d->speed_factor, &t)) return cbu_err_nomem(err);
    }
    for (uint64_t i = 0; i < L->n_extra; i++) {
        if (L->extra_n[i] == 0) {
            if (sim_route_add_empty(s)) return cbu_err_nomem(err);
            continue;
        }
        if (sim_route_add(s, L->extra_roads[i], L->extra_n[i]) == SIM_NONE) {
            L->extra_roads[i] = NULL;
            return cbu_err_nomem(err);
        }
        L->extra_roads[i] = NULL;                     /* now owned by the engine */
    }
    s->step = (int64_t)L->step;
    s->flow_clock = L->flow_clock;
    s->seed = (uint32_t)L->seed;
#define ARCHIVE_COUNTER_RESTORE(f) s->f = L->counters[ARCHIVE_C_##f];
    ARCHIVE_COUNTERS(ARCHIVE_COUNTER_RESTORE)
#undef ARCHIVE_COUNTER_RESTORE
    s->n_pushed = (uint32_t)L->n_pushed;
    s->rng = L->rng;
    copy_n(s->flows, L->flows, s->n_flows * sizeof *s->flows);
    copy_n(s->fheap, L->fheap, L->n_fheap * sizeof *s->fheap);
    s->n_fheap = (uint32_t)L->n_fheap;
    s->pending_pos = (uint32_t)L->pending_pos;
    copy_n(s->veh, L->veh, L->n_veh * sizeof *s->veh);
    s->n_veh = (uint32_t)L->n_veh;
    copy_n(s->free_vids, L->free_vids, L->n_free * sizeof *s->free_vids);
    s->n_free = (uint32_t)L->n_free;
    copy_n(s->blocker, L->blocker, L->n_veh * sizeof *s->blocker);
    for (uint64_t i = 0; i < L->n_veh; i++) s->blocker_next[i] = SIM_NONE;
    for (uint64_t i = 0; i < L->n_active; i++) {
        uint32_t d = L->act_drv[i], k = L->act_n[i];
        const sim_slot *sl = L->act_slots[i];
        sim_drv *D = &s->drv[d];
        if (sim_drv_reserve(D, k)) return cbu_err_nomem(err);
        copy_n(D->v, sl, k * sizeof *sl);
        D->n = k;
        sim_activate(s, d);
        if (d >= n->n_lanes)
            atomic_fetch_add_explicit(&s->link_occ[n->links[d - n->n_lanes].start_lane], k, memory_order_relaxed);
    }
    for (uint64_t i = 0; i < L->n_queues; i++) {
        uint32_t l = L->q_lane[i], k = L->q_n[i];
        const uint32_t *q = L->q_vids[i];
        sim_queue *Q = &s->queues[l];
        if (k > Q->cap) {
            uint32_t *p = realloc(Q->q, k * sizeof *p);
            if (!p) return cbu_err_nomem(err);
            Q->q = p;
            Q->cap = k;
        }
        copy_n(Q->q, q, k * sizeof *q);
        Q->head = 0;
        Q->n = k;
        if (k) s->queue_bits[l >> 6] |= 1ull << (l & 63);
    }
    copy_n(s->signals, L->signals, n->n_inters * sizeof *s->signals);
    sim_signals_apply_all(s);
    copy_n(s->lc_active, L->lc, L->n_lc * sizeof *s->lc_active);
    s->n_lc_active = (uint32_t)L->n_lc;
    s->trip_loss = L->trip_loss;
    copy_n(s->incidents, L->incidents, L->n_incidents * sizeof *s->incidents);
    s->n_incidents = (uint32_t)L->n_incidents;
    sim_incidents_rebuild(s);
    if (L->n_det) {                 /* the saved loops, where they were, with their readings */
        free(s->det);
        free(s->det_pos);
        s->det = det;
        s->det_pos = det_pos;
        memcpy(s->det, L->det, L->n_det * sizeof *s->det);
        memcpy(s->det_pos, L->det_pos, L->n_det * sizeof *s->det_pos);
        memcpy(s->det_first, L->det_first, (n->n_lanes + 1) * sizeof *s->det_first);
        memcpy(s->det_since, L->det_since, n->n_lanes * sizeof *s->det_since);
    } else if (s->det) {
        sim_detect_restart(s);      /* saved without: this engine's loops count from now */
    }
    if (L->has_dyn) {
        sim_dynroute_state v = sim_dynroute_view(s->dyn);
        *v.k = (uint32_t)L->dyn_k;
        *v.next_sample = L->dyn_next;
        memcpy(v.speed, L->dyn_speed, v.n_roads * sizeof *v.speed);
        memcpy(v.used, L->dyn_used, v.n_roads);
        memcpy(v.past, L->dyn_past, (size_t)v.n_samples * v.n_roads * sizeof *v.past);
        sim_dynroute_loaded(s->dyn);
    }
    if (sim_index_rebuild(s) || sim_routes_recount(s)) return cbu_err_nomem(err);
    return CB_OK;
}

static int load_bytes(sim_engine *s, const unsigned char *buf, size_t len, cb_error *err)
{
    archive_loaded L;
    int rc = parse_archive(s, buf, len, &L, err);
    if (rc == CB_OK) rc = sim_archive_check(s, &L, err);
    if (rc == CB_OK) rc = apply_loaded(s, &L, err);
    loaded_free(&L);
    return rc;
}

/*--- public -------------------------------------------------------------------------------*/

int cb_engine_snapshot(const cb_engine *e, cb_archive **out, cb_error *err)
{
    awriter w = { 0 };
    write_state(&e->s, &w);
    *out = NULL;
    if (w.oom) { free(w.p); return cbu_err_nomem(err); }
    cb_archive *a = malloc(sizeof *a);
    if (!a) { free(w.p); return cbu_err_nomem(err); }
    a->buf = w.p;
    a->len = w.n;
    *out = a;
    return CB_OK;
}

int cb_engine_load(cb_engine *e, const cb_archive *a, cb_error *err)
{
    return load_bytes(&e->s, a->buf, a->len, err);
}

void cb_archive_free(cb_archive *a)
{
    if (!a) return;
    free(a->buf);
    free(a);
}

int cb_archive_dump(const cb_archive *a, const char *path, cb_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    size_t w = fwrite(a->buf, 1, a->len, f);
    if (fclose(f) != 0 || w != a->len) return cbu_err(err, CB_EIO, "%s: write error", path);
    return CB_OK;
}

int cb_engine_load_file(cb_engine *e, const char *path, cb_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            unsigned char *p = realloc(buf, cap);
            if (!p) { free(buf); fclose(f); return cbu_err_nomem(err); }
            buf = p;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    bool io_err = ferror(f);
    fclose(f);
    if (io_err) { free(buf); return cbu_err(err, CB_EIO, "%s: read error", path); }
    int rc = load_bytes(&e->s, buf, len, err);
    free(buf);
    if (rc) cbu_err_prefix(err, "%s: ", path);
    return rc;
}

void cb_engine_reset(cb_engine *e, bool reset_seed)
{
    sim_engine *s = &e->s;
    clear_state(s);
    s->step = 0;
    s->flow_clock = 0;
#define ARCHIVE_COUNTER_ZERO(f) s->f = 0;
    ARCHIVE_COUNTERS(ARCHIVE_COUNTER_ZERO)
#undef ARCHIVE_COUNTER_ZERO
    s->trip_loss = 0;
    s->n_pushed = 0;
    for (uint32_t f = 0; f < s->n_flows; f++) {
        s->flows[f].now_time = s->flow_interval[f];
        s->flows[f].count = 0;
        s->flows[f].active = s->flows[f].done = false;
    }
    s->pending_pos = 0;
    if (s->det) sim_detect_restart(s);
    if (s->dyn) sim_dynroute_reset(s->dyn);
    sim_incidents_update(s);        /* still scheduled; active again from their start */
    sim_signals_init(s);
    if (reset_seed) cbu_rng_seed(&s->rng, s->seed);
}

void cb_engine_set_seed(cb_engine *e, uint32_t seed)
{
    e->s.seed = seed;
    cbu_rng_seed(&e->s.rng, seed);
}
