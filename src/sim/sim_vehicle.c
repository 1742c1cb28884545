/* sim_vehicle.c -- vehicles as individuals: creation, the id index, and the
 * CityFlow-compatible per-vehicle calls of citybrain.h (info, leader, speed
 * and route overrides, pushing a vehicle).
 *
 * Vehicles are simulated objects of the twin, not people: these calls exist
 * for researchers' control loops (CityFlow's Python API) and for the
 * public-fleet emergency vehicles; nothing here is fed by field data.
 *
 * Ids are "flow_<flow>_<k>" or "manually_pushed_<k>".  The index maps the
 * pair (flow, k) to the pool slot; it is changed only in serial code
 * (creation, retirement), so lookups from the API are plain reads. */
#include "sim.h"
#include "../util/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*--- the id index ---------------------------------------------------------------*/

static uint64_t id_key(uint32_t flow, uint32_t seq) { return ((uint64_t)flow << 32) | seq; }

static uint32_t idx_slot(uint64_t key, uint32_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (uint32_t)key & (cap - 1);
}

static int idx_grow(sim_engine *s)
{
    uint32_t cap = s->idx_cap ? s->idx_cap * 2 : 1024;
    uint64_t *k = malloc(cap * sizeof *k);
    uint32_t *v = malloc(cap * sizeof *v);
    if (!k || !v) { free(k); free(v); return -1; }
    for (uint32_t i = 0; i < cap; i++) v[i] = SIM_NONE;
    for (uint32_t i = 0; i < s->idx_cap; i++) {
        if (s->idx_vals[i] == SIM_NONE) continue;
        uint32_t j = idx_slot(s->idx_keys[i], cap);
        while (v[j] != SIM_NONE) j = (j + 1) & (cap - 1);
        k[j] = s->idx_keys[i];
        v[j] = s->idx_vals[i];
    }
    free(s->idx_keys);
    free(s->idx_vals);
    s->idx_keys = k;
    s->idx_vals = v;
    s->idx_cap = cap;
    return 0;
}

static int idx_put(sim_engine *s, uint64_t key, uint32_t vid)
{
    if ((s->idx_n + 1) * 2 > s->idx_cap && idx_grow(s)) return -1;
    uint32_t j = idx_slot(key, s->idx_cap);
    while (s->idx_vals[j] != SIM_NONE && s->idx_keys[j] != key) j = (j + 1) & (s->idx_cap - 1);
    if (s->idx_vals[j] == SIM_NONE) s->idx_n++;
    s->idx_keys[j] = key;
    s->idx_vals[j] = vid;
    return 0;
}

/* Deletion with backward shift keeps probe chains intact without tombstones. */
static void idx_del(sim_engine *s, uint64_t key)
{
    if (!s->idx_cap) return;
    uint32_t m = s->idx_cap - 1, j = idx_slot(key, s->idx_cap);
    while (s->idx_vals[j] != SIM_NONE && s->idx_keys[j] != key) j = (j + 1) & m;
    if (s->idx_vals[j] == SIM_NONE) return;
    s->idx_n--;
    for (uint32_t i = j, k = (j + 1) & m;; k = (k + 1) & m) {
        if (s->idx_vals[k] == SIM_NONE) { s->idx_vals[i] = SIM_NONE; return; }
        uint32_t home = idx_slot(s->idx_keys[k], s->idx_cap);
        /* move k back to i unless its home lies cyclically in (i, k] */
        bool stays = i <= k ? (home > i && home <= k) : (home > i || home <= k);
        if (stays) continue;
        s->idx_keys[i] = s->idx_keys[k];
        s->idx_vals[i] = s->idx_vals[k];
        i = k;
    }
}

uint32_t sim_vehicle_find(const sim_engine *s, uint32_t flow, uint32_t seq)
{
    if (!s->idx_cap) return SIM_NONE;
    uint64_t key = id_key(flow, seq);
    uint32_t j = idx_slot(key, s->idx_cap);
    while (s->idx_vals[j] != SIM_NONE) {
        if (s->idx_keys[j] == key) return s->idx_vals[j];
        j = (j + 1) & (s->idx_cap - 1);
    }
    return SIM_NONE;
}

int sim_index_rebuild(sim_engine *s)
{
    for (uint32_t i = 0; i < s->idx_cap; i++) s->idx_vals[i] = SIM_NONE;
    s->idx_n = 0;
    for (uint32_t vid = 0; vid < s->n_veh; vid++)
        if (s->veh[vid].state != SIM_VEH_FREE && idx_put(s, id_key(s->veh[vid].flow, s->veh[vid].seq), vid))
            return -1;
    return 0;
}

/*--- creation and retirement -------------------------------------------------------*/

static int pool_alloc(sim_engine *s, uint32_t *vid)
{
    if (s->n_free) { *vid = s->free_vids[--s->n_free]; return 0; }
    if (s->n_veh == s->cap_veh) {
        uint32_t cap = s->cap_veh ? s->cap_veh * 2 : 1024;
        sim_veh *v = realloc(s->veh, cap * sizeof *v);
        if (v) s->veh = v;
        uint32_t *b1 = realloc(s->blocker, cap * sizeof *b1);
        if (b1) s->blocker = b1;
        uint32_t *b2 = realloc(s->blocker_next, cap * sizeof *b2);
        if (b2) s->blocker_next = b2;
        uint32_t *fr = realloc(s->free_vids, cap * sizeof *fr);
        if (fr) s->free_vids = fr;
        if (!v || !b1 || !b2 || !fr) return -1;
        s->cap_veh = cap;
    }
    *vid = s->n_veh++;
    return 0;
}

static int queue_push(sim_queue *q, uint32_t vid)
{
    if (q->head + q->n == q->cap) {
        if (q->head > 0) {
            memmove(q->q, q->q + q->head, q->n * sizeof *q->q);
            q->head = 0;
        } else {
            uint32_t cap = q->cap ? q->cap * 2 : 8;
            uint32_t *p = realloc(q->q, cap * sizeof *p);
            if (!p) return -1;
            q->q = p;
            q->cap = cap;
        }
    }
    q->q[q->head + q->n++] = vid;
    return 0;
}

int sim_vehicle_spawn(sim_engine *s, uint32_t flow, uint32_t seq, uint16_t vtype, uint32_t route,
                      double speed, uint32_t lane_hint, uint32_t *vid_out, cb_error *err)
{
    const cb_net *n = s->net;
    const sim_route *r = &s->routes[route];
    const net_road *rd = &n->roads[r->roads[0]];
    uint32_t cand[256], nc = 0;
    for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes && nc < 256; l++)
        if (r->n < 2 || net_lane_reaches(n, l, r->roads[1])) cand[nc++] = l;
    if (nc == 0)
        return cbu_err(err, CB_ESTATE, "no lane of road %s leads to %s", rd->id, n->roads[r->roads[1]].id);
    uint32_t vid;
    if (pool_alloc(s, &vid)) return cbu_err_nomem(err);
    sim_veh *v = &s->veh[vid];
    memset(v, 0, sizeof *v);
    v->state = SIM_VEH_QUEUED;
    v->vtype = vtype;
    v->flow = flow;
    v->seq = seq;
    v->route = route;
    sim_route_hold(s, route);
    v->route_pos = 0;
    v->create_step = s->step;
    v->enter_link_step = INT64_MAX;
    v->pub_enter_step = -1;
    v->lc_lane = SIM_NONE;
    v->lc_done_step = INT64_MIN / 2;
    v->lc_pub_enter = -1;
    v->custom_speed = -1;
    v->depart_speed = speed;
    if (idx_put(s, id_key(flow, seq), vid)) return cbu_err_nomem(err);
    s->blocker[vid] = s->blocker_next[vid] = SIM_NONE;
    /* the random draws of a new vehicle: its priority, a worker slot
     * (drawn for parity with CityFlow's stream, unused), its first lane */
    v->priority = cbu_rng_next(&s->rng);
    (void)cbu_rng_next(&s->rng);
    uint32_t lane = cand[cbu_rng_next(&s->rng) % nc];
    if (lane_hint > 0 && lane_hint <= rd->n_lanes &&
        (r->n < 2 || net_lane_reaches(n, rd->first_lane + lane_hint - 1, r->roads[1])))
        lane = rd->first_lane + lane_hint - 1;
    v->drv = lane;
    if (queue_push(&s->queues[lane], vid)) return cbu_err_nomem(err);
    s->queue_bits[lane >> 6] |= 1ull << (lane & 63);
    s->created++;
    s->queued++;
    s->sum_create_unfinished += s->step;
    *vid_out = vid;
    return CB_OK;
}

void sim_vehicle_retire(sim_engine *s, uint32_t vid)
{
    sim_veh *v = &s->veh[vid];
    idx_del(s, id_key(v->flow, v->seq));
    v->state = SIM_VEH_FREE;
    sim_route_release(s, v->route);
    s->blocker[vid] = s->blocker_next[vid] = SIM_NONE;
    s->free_vids[s->n_free++] = vid;
}

int sim_route_init(sim_engine *s, sim_route *r)
{
    size_t total = 0;
    for (uint32_t k = 0; k < r->n; k++) total += s->net->roads[r->roads[k]].n_lanes;
    /* one block: memo_first, then next_memo (both 4-byte entries) */
    _Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "next_memo shares memo_first's block");
    r->memo_first = malloc((r->n + total) * sizeof(uint32_t) + 1);
    if (!r->memo_first) return -1;
    r->next_memo = (_Atomic uint32_t *)(r->memo_first + r->n);
    for (uint32_t k = 0, at = 0; k < r->n; k++) {
        r->memo_first[k] = at;
        at += s->net->roads[r->roads[k]].n_lanes;
    }
    for (size_t i = 0; i < total; i++) atomic_init(&r->next_memo[i], 0);
    return sim_pub_route_init(s, r);
}

void sim_route_free(sim_route *r)
{
    free(r->roads);
    free(r->pub_inter);
    free(r->pub_flags);
    free(r->pub_slot);
    free(r->memo_first);                /* and next_memo, in the same block */
    memset(r, 0, sizeof *r);
}

/* Room for one more route at the end; -1 when out of memory. */
static int routes_grow(sim_engine *s)
{
    if (s->n_routes < s->cap_routes) return 0;
    uint32_t cap = s->cap_routes ? s->cap_routes * 2 : s->n_routes + 16;
    sim_route *p = realloc(s->routes, cap * sizeof *p);
    if (!p) return -1;
    s->routes = p;
    s->cap_routes = cap;
    return 0;
}

static int free_push(sim_engine *s, uint32_t r)
{
    if (s->n_free_routes == s->cap_free_routes) {
        uint32_t cap = s->cap_free_routes ? 2 * s->cap_free_routes : 16;
        uint32_t *p = realloc(s->free_routes, cap * sizeof *p);
        if (!p) return -1;   /* the slot stays unused: memory, not correctness */
        s->free_routes = p;
        s->cap_free_routes = cap;
    }
    s->free_routes[s->n_free_routes++] = r;
    return 0;
}

uint32_t sim_route_add(sim_engine *s, uint32_t *roads, uint32_t n)
{
    bool reuse = s->n_free_routes > 0;
    if (!reuse && routes_grow(s)) { free(roads); return SIM_NONE; }
    uint32_t at = reuse ? s->free_routes[s->n_free_routes - 1] : s->n_routes;
    sim_route *r = &s->routes[at];
    memset(r, 0, sizeof *r);
    r->roads = roads;
    r->n = n;
    if (sim_route_init(s, r)) {
        sim_route_free(r);
        return SIM_NONE;
    }
    if (reuse) s->n_free_routes--;
    else s->n_routes++;
    return at;
}

int sim_route_add_empty(sim_engine *s)
{
    if (routes_grow(s)) return -1;
    memset(&s->routes[s->n_routes], 0, sizeof *s->routes);
    s->n_routes++;
    return 0;
}

void sim_route_hold(sim_engine *s, uint32_t r)
{
    if (r >= s->n_routes_init) s->routes[r].refs++;
}

void sim_route_release(sim_engine *s, uint32_t r)
{
    if (r < s->n_routes_init || r >= s->n_routes) return;
    sim_route *rt = &s->routes[r];
    if (rt->refs) rt->refs--;
    if (rt->refs || !rt->roads) return;
    sim_route_free(rt);
    free_push(s, r);
}

int sim_routes_recount(sim_engine *s)
{
    for (uint32_t r = s->n_routes_init; r < s->n_routes; r++) s->routes[r].refs = 0;
    for (uint32_t v = 0; v < s->n_veh; v++)
        if (s->veh[v].state != SIM_VEH_FREE) sim_route_hold(s, s->veh[v].route);
    s->n_free_routes = 0;
    for (uint32_t r = s->n_routes_init; r < s->n_routes; r++) {
        sim_route *rt = &s->routes[r];
        if (rt->refs) continue;
        if (rt->roads) {
            rt->refs = 1;
            sim_route_release(s, r);  /* frees it and lists the slot */
        } else if (free_push(s, r)) {
            return -1;
        }
    }
    return 0;
}

/*--- the public per-vehicle calls ----------------------------------------------------*/

/* Parse an id; SIM_NONE if it names no live vehicle. */
static uint32_t lookup(const sim_engine *s, const char *id)
{
    unsigned flow, seq;
    char tail;
    if (sscanf(id, "flow_%u_%u%c", &flow, &seq, &tail) == 2) return sim_vehicle_find(s, flow, seq);
    if (sscanf(id, "manually_pushed_%u%c", &seq, &tail) == 1) return sim_vehicle_find(s, SIM_NONE, seq);
    return SIM_NONE;
}

/* The vehicle's own slot (not its lane-change shadow). */
static const sim_slot *slot_of(const sim_engine *s, uint32_t vid)
{
    const sim_veh *v = &s->veh[vid];
    if (v->state != SIM_VEH_RUNNING) return NULL;
    const sim_drv *D = &s->drv[v->drv];
    for (uint32_t k = 0; k < D->n; k++)
        if (D->v[k].vid == vid && !(D->v[k].flags & SIM_SLOT_SHADOW)) return &D->v[k];
    return NULL;
}

static int not_found(cb_error *err, const char *id)
{
    return cbu_err(err, CB_ENOTFOUND, "no vehicle \"%s\" in the engine", id);
}

static char *scratch(sim_engine *s, size_t need)
{
    if (s->id_cap < need) {
        char *p = realloc(s->id_buf, need);
        if (!p) return NULL;
        s->id_buf = p;
        s->id_cap = need;
    }
    return s->id_buf;
}

int cb_engine_vehicle(const cb_engine *ce, const char *id, cb_vehicle *out, cb_error *err)
{
    sim_engine *s = (sim_engine *)&ce->s;      /* only the id buffer changes */
    uint32_t vid = lookup(s, id);
    if (vid == SIM_NONE) return not_found(err, id);
    char *buf = scratch(s, 48);
    if (!buf) return cbu_err_nomem(err);
    const sim_veh *v = &s->veh[vid];
    const sim_slot *sl = slot_of(s, vid);
    out->id = sim_vehicle_id(s, vid, buf, 48);
    out->running = sl != NULL;
    out->drivable = v->drv;
    out->speed = sl ? sl->speed : 0;
    out->distance = sl ? sl->dist : 0;
    return CB_OK;
}

int cb_engine_vehicle_info(const cb_engine *ce, const char *id, cb_vehicle_info *out, cb_error *err)
{
    sim_engine *s = (sim_engine *)&ce->s;
    const cb_net *n = s->net;
    uint32_t vid = lookup(s, id);
    if (vid == SIM_NONE) return not_found(err, id);
    const sim_veh *v = &s->veh[vid];
    const sim_route *r = &s->routes[v->route];
    const sim_slot *sl = slot_of(s, vid);
    memset(out, 0, sizeof *out);
    out->running = sl != NULL;
    out->speed = sl ? sl->speed : 0;
    out->distance = sl ? sl->dist : 0;
    out->intersection = (size_t)-1;
    out->road = (size_t)-1;
    uint32_t k = v->route_pos;
    if (sl && v->drv >= n->n_lanes) {
        const net_link *l = &n->links[v->drv - n->n_lanes];
        out->intersection = l->inter;
        snprintf(out->drivable, sizeof out->drivable, "%s_TO_%s", n->lanes[l->start_lane].id,
                 n->lanes[l->end_lane].id);
    } else {
        snprintf(out->drivable, sizeof out->drivable, "%s", n->lanes[v->drv].id);
        out->road = n->lanes[v->drv].road;
    }
    out->route = r->roads + k;
    out->route_len = r->n - k;
    const net_vtype *vt = &s->vtypes[v->vtype];
    out->length = vt->length;
    out->width = vt->width;
    out->max_speed = vt->max_speed;
    out->waiting_to_enter = v->state == SIM_VEH_QUEUED;
    return CB_OK;
}

int cb_engine_vehicle_leader(const cb_engine *ce, const char *id, char *leader, size_t cap, cb_error *err)
{
    sim_engine *s = (sim_engine *)&ce->s;
    uint32_t vid = lookup(s, id);
    if (vid == SIM_NONE) return not_found(err, id);
    if (cap) leader[0] = '\0';
    const sim_slot *sl = slot_of(s, vid);
    if (!sl) return CB_OK;
    const sim_veh *v = &s->veh[vid];
    const sim_drv *D = &s->drv[v->drv];
    const sim_slot *lead = NULL;
    if (sl > D->v) lead = sl - 1;
    else {
        double gap;
        if (!sim_find_leader(s, sl, v->drv, s->aux[v->drv].length, &lead, &gap)) lead = NULL;
    }
    if (lead && lead->vid != SIM_NONE && cap) {   /* SIM_NONE: an obstacle */
        sim_vehicle_id(s, lead->vid, leader, cap);
        if ((lead->flags & SIM_SLOT_SHADOW) && strlen(leader) + 8 <= cap) strcat(leader, "_shadow");
    }
    return CB_OK;
}

int cb_engine_set_vehicle_speed(cb_engine *e, const char *id, double speed, cb_error *err)
{
    sim_engine *s = &e->s;
    uint32_t vid = lookup(s, id);
    if (vid == SIM_NONE) return not_found(err, id);
    if (!(speed >= 0) || speed > 1000) return cbu_err(err, CB_EINVAL, "speed must be between 0 and 1000 m/s");
    sim_slot *sl = (sim_slot *)slot_of(s, vid);
    if (!sl) return cbu_err(err, CB_ESTATE, "vehicle \"%s\" is not running yet", id);
    s->veh[vid].custom_speed = speed;
    sl->flags |= SIM_SLOT_CUSTOM_SPEED;     /* for the next step only */
    return CB_OK;
}

int cb_engine_set_vehicle_route(cb_engine *e, const char *id, const size_t *roads, size_t n_roads,
                                cb_error *err)
{
    sim_engine *s = &e->s;
    const cb_net *n = s->net;
    uint32_t vid = lookup(s, id);
    if (vid == SIM_NONE) return not_found(err, id);
    sim_veh *v = &s->veh[vid];
    if (v->state == SIM_VEH_RUNNING && v->drv >= n->n_lanes)
        return cbu_err(err, CB_ESTATE, "vehicle \"%s\" is inside an intersection; set its route on a lane", id);
    if (v->lc_lane != SIM_NONE)
        return cbu_err(err, CB_ESTATE, "vehicle \"%s\" is changing lane", id);
    if (n_roads == 0 || n_roads > 100000) return cbu_err(err, CB_EINVAL, "a route needs 1 to 100000 roads");
    const sim_route *old = &s->routes[v->route];
    uint32_t cur = old->roads[v->route_pos];
    uint32_t *anchors = malloc((n_roads + 1) * sizeof *anchors);
    if (!anchors) return cbu_err_nomem(err);
    anchors[0] = cur;
    for (size_t i = 0; i < n_roads; i++) {
        if (roads[i] >= n->n_roads) {
            free(anchors);
            return cbu_err(err, CB_EINVAL, "route[%zu]: road index %zu out of range", i, roads[i]);
        }
        anchors[i + 1] = (uint32_t)roads[i];
    }
    uint32_t *full, nfull, bad;
    int rc = net_route(n, anchors, (uint32_t)n_roads + 1, &full, &nfull, &bad);
    free(anchors);
    if (rc == CB_ENOMEM) return cbu_err_nomem(err);
    if (rc == CB_ENOTFOUND)
        return cbu_err(err, CB_EINVAL, "route[%u]: road %s cannot be reached", bad - 1, n->roads[roads[bad - 1]].id);
    if (nfull < 2) {
        free(full);
        return cbu_err(err, CB_EINVAL, "the new route must leave road %s", n->roads[cur].id);
    }
    /* the lane it is on (or queued for) must lead to the new next road */
    if (!net_lane_reaches(n, v->drv, full[1])) {
        char msg[256];
        snprintf(msg, sizeof msg, "lane %s of vehicle \"%s\" does not lead to road %s", n->lanes[v->drv].id, id,
                 n->roads[full[1]].id);
        free(full);
        return cbu_err(err, CB_EINVAL, "%s", msg);
    }
    uint32_t r = sim_route_add(s, full, nfull);
    if (r == SIM_NONE) return cbu_err_nomem(err);
    sim_route_hold(s, r);
    sim_route_release(s, v->route);
    v->route = r;
    v->route_pos = 0;
    sim_slot *sl = (sim_slot *)slot_of(s, vid);
    if (sl) {
        uint32_t k = 0;
        sl->next = sim_plan_next(s, v, v->drv, &k);
    }
    return CB_OK;
}

void cb_vehicle_params_init(cb_vehicle_params *p)
{
    /* CityFlow's defaults for a pushed vehicle (VehicleInfo) */
    p->length = 5.0;
    p->width = 2.0;
    p->max_pos_acc = 4.5;
    p->max_neg_acc = 4.5;
    p->usual_pos_acc = 2.5;
    p->usual_neg_acc = 2.5;
    p->min_gap = 2.0;
    p->max_speed = 16.66667;
    p->headway_time = 1.0;
    p->speed = 0.0;
    p->speed_factor = 1.0;
}

int cb_engine_push_vehicle(cb_engine *e, const cb_vehicle_params *p, const size_t *roads, size_t n_roads,
                           char *id_out, size_t id_cap, cb_error *err)
{
    sim_engine *s = &e->s;
    const cb_net *n = s->net;
    net_vtype vt = { p->length, p->width, p->max_pos_acc, p->max_neg_acc, p->usual_pos_acc,
                     p->usual_neg_acc, p->min_gap, p->max_speed, p->headway_time };
    if (!(vt.length > 0) || !(vt.width > 0) || !(vt.max_pos_acc > 0) || !(vt.max_neg_acc > 0) ||
        !(vt.usual_pos_acc > 0) || !(vt.usual_neg_acc > 0) || !(vt.min_gap >= 0) ||
        !(vt.max_speed > 0) || !(vt.headway_time >= 0) || !(p->speed >= 0) ||
        vt.length > 1000 || vt.max_speed > 1000 || p->speed > 1000)
        return cbu_err(err, CB_EINVAL, "vehicle parameters must be positive (minGap and headwayTime may be 0)");
    if (n_roads < 1 || n_roads > 100000) return cbu_err(err, CB_EINVAL, "a route needs 1 to 100000 roads");
    uint32_t *anchors = malloc(n_roads * sizeof *anchors);
    if (!anchors) return cbu_err_nomem(err);
    for (size_t i = 0; i < n_roads; i++) {
        if (roads[i] >= n->n_roads) {
            free(anchors);
            return cbu_err(err, CB_EINVAL, "route[%zu]: road index %zu out of range", i, roads[i]);
        }
        anchors[i] = (uint32_t)roads[i];
    }
    uint32_t *full, nfull, bad;
    int rc = net_route(n, anchors, (uint32_t)n_roads, &full, &nfull, &bad);
    free(anchors);
    if (rc == CB_ENOMEM) return cbu_err_nomem(err);
    if (rc == CB_ENOTFOUND)
        return cbu_err(err, CB_EINVAL, "route[%u]: road %s cannot be reached from %s", bad,
                       n->roads[roads[bad]].id, n->roads[roads[bad - 1]].id);
    if (nfull < 2) {
        free(full);
        return cbu_err(err, CB_EINVAL, "a route needs at least 2 different roads");
    }
    uint16_t t;
    if (!(p->speed_factor >= 0.2) || p->speed_factor > 3) {
        free(full);
        return cbu_err(err, CB_EINVAL, "speed_factor must be between 0.2 and 3");
    }
    if (sim_intern_vtype_ex(s, &vt, false, 0, p->speed_factor, &t)) { free(full); return cbu_err_nomem(err); }
    uint32_t r = sim_route_add(s, full, nfull);
    if (r == SIM_NONE) return cbu_err_nomem(err);
    uint32_t vid;
    if ((rc = sim_vehicle_spawn(s, SIM_NONE, s->n_pushed, t, r, p->speed, 0, &vid, err))) {
        sim_route_hold(s, r);
        sim_route_release(s, r);       /* nobody follows it: freed */
        return rc;
    }
    s->n_pushed++;
    if (id_out && id_cap) sim_vehicle_id(s, vid, id_out, id_cap);
    return CB_OK;
}
