/* sim_flow.c -- vehicles come into being: flows, routes, entering queues.
 *
 * A flow fires on the schedule of CityFlow's Flow::nextStep: a shared clock
 * (`flow_clock`, += dt per step) decides when it starts and ends, and a
 * per-flow accumulator `now_time`, starting at `interval` and growing by dt
 * per step, emits a vehicle whenever it reaches `interval`.  Rather than
 * visiting every flow every step (Jinan has 6,295 one-vehicle flows), each
 * started flow sits in a heap keyed by the step it fires next; the
 * accumulator additions in between are replayed exactly when it fires. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*--- heap of (step, flow) -------------------------------------------------------*/

static bool ev_less(sim_flow_event a, sim_flow_event b)
{
    return a.step < b.step || (a.step == b.step && a.flow < b.flow);
}

static void fheap_push(sim_engine *s, sim_flow_event e)
{
    uint32_t i = s->n_fheap++;
    while (i > 0 && ev_less(e, s->fheap[(i - 1) / 2])) {
        s->fheap[i] = s->fheap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->fheap[i] = e;
}

static sim_flow_event fheap_pop(sim_engine *s)
{
    sim_flow_event top = s->fheap[0], x = s->fheap[--s->n_fheap];
    uint32_t i = 0, n = s->n_fheap;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ev_less(s->fheap[c + 1], s->fheap[c])) c++;
        if (!ev_less(s->fheap[c], x)) break;
        s->fheap[i] = s->fheap[c];
        i = c;
    }
    if (n) s->fheap[i] = x;
    return top;
}

/*--- set-up ---------------------------------------------------------------------------*/

int sim_intern_vtype(sim_engine *s, const net_vtype *vt, uint16_t *out)
{
    return sim_intern_vtype_ex(s, vt, false, 0.0, 1.0, out);
}

int sim_intern_vtype_ex(sim_engine *s, const net_vtype *vt, bool krauss, double sigma, double speed_factor,
                        uint16_t *out)
{
    /* the speed factor first: SUMO vehicles draw one each, so it is what
     * tells most types apart (hundreds of them, once per vehicle) */
    for (uint32_t i = 0; i < s->n_vtypes; i++)
        if (s->vparams[i].speed_factor == speed_factor && s->vparams[i].sigma == sigma &&
            s->vparams[i].krauss == krauss && memcmp(&s->vtypes[i], vt, sizeof *vt) == 0) {
            *out = (uint16_t)i;
            return 0;
        }
    return sim_vtype_add(s, vt, krauss, sigma, speed_factor, out);
}

int sim_vtype_add(sim_engine *s, const net_vtype *vt, bool krauss, double sigma, double speed_factor, uint16_t *out)
{
    if (s->n_vtypes >= UINT16_MAX) return -1;
    net_vtype *p = realloc(s->vtypes, (s->n_vtypes + 1) * sizeof *p);
    double *r = realloc(s->vt_reach, (s->n_vtypes + 1) * sizeof *r);
    sim_vparam *q = realloc(s->vparams, (s->n_vtypes + 1) * sizeof *q);
    if (p) s->vtypes = p;
    if (r) s->vt_reach = r;
    if (q) s->vparams = q;
    if (!p || !r || !q) return -1;
    s->vtypes[s->n_vtypes] = *vt;
    s->vparams[s->n_vtypes] = (sim_vparam){
        vt->max_neg_acc, vt->usual_neg_acc, vt->min_gap,
        1.0 / vt->max_neg_acc, 1.0 / vt->usual_neg_acc,
        1.0 / (2.0 * vt->max_neg_acc), 1.0 / (2.0 * vt->usual_neg_acc),
        1.0 / (vt->headway_time + s->dt / 2.0),
        vt->max_neg_acc == vt->usual_neg_acc && vt->min_gap >= 0, krauss, sigma, speed_factor,
        1.0 / (vt->usual_neg_acc * s->dt), 1.0 / s->dt, 1.0 / vt->max_speed, 1.0 / speed_factor };
    /* how far ahead a vehicle looks for a leader or an intersection: its
     * braking distance from the highest speed it can reach.  SUMO vehicle
     * types say 55.55 m/s; their speed is the lanes' times their factor */
    double vmax = vt->max_speed;
    if (krauss) {
        double lanes = 0;
        for (uint32_t l = 0; l < s->net->n_lanes; l++)
            if (s->net->lanes[l].max_speed > lanes) lanes = s->net->lanes[l].max_speed;
        for (uint32_t k = 0; k < s->net->n_links; k++)
            if (s->net->links[k].max_speed < INFINITY && s->net->links[k].max_speed > lanes)
                lanes = s->net->links[k].max_speed;
        if (lanes * speed_factor < vmax) vmax = lanes * speed_factor;
    }
    s->vt_reach[s->n_vtypes] = vmax * vmax / (2.0 * vt->usual_neg_acc) + 2.0 * vmax * s->dt;
    *out = (uint16_t)s->n_vtypes++;
    return 0;
}

static const int64_t *g_start;   /* qsort context (set-up only, single-threaded) */

static int pending_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (g_start[x] != g_start[y]) return g_start[x] < g_start[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Flows over the same roads share one route: SUMO demand is a flow per
 * vehicle, and a city's trips repeat a few origin-destination pairs
 * (cologne1: 2,015 trips, 23 routes), so each route's bookkeeping and
 * next-link memo are built once and filled by all its vehicles.  `tab` is
 * an open-addressing table of route indices (SIM_NONE: empty), cap a power
 * of two above twice the flows. */
static uint64_t roads_hash(const uint32_t *roads, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (uint32_t i = 0; i < n; i++) h = (h ^ roads[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static uint32_t *route_slot(const sim_engine *s, uint32_t *tab, uint32_t cap, const uint32_t *roads, uint32_t n)
{
    uint32_t i = (uint32_t)roads_hash(roads, n) & (cap - 1);
    for (;; i = (i + 1) & (cap - 1)) {
        if (tab[i] == SIM_NONE) return &tab[i];
        const sim_route *r = &s->routes[tab[i]];
        if (r->n == n && memcmp(r->roads, roads, n * sizeof *roads) == 0) return &tab[i];
    }
}

static int flows_fill(sim_engine *s, const demand_spec *dm, const char *flow_file, uint32_t *tab,
                      uint32_t cap, cb_error *err)
{
    const cb_net *n = s->net;
    uint32_t nf = dm->n_flows;
    s->n_flows = nf;
    s->flows = calloc(nf + 1, sizeof *s->flows);
    /* room for a route per flow, filled as distinct routes come (each
     * entry zeroed when taken): flows mostly share routes (cologne1: 2,015
     * flows, 23 routes), and calloc would clear, and so fault in, every
     * page of the room */
    s->routes = malloc((nf + 1) * sizeof *s->routes);
    s->fheap = malloc((nf + 1) * sizeof *s->fheap);
    s->flow_pending = malloc((nf + 1) * sizeof *s->flow_pending);
    s->flow_start = malloc((nf + 1) * sizeof *s->flow_start);
    s->flow_end = malloc((nf + 1) * sizeof *s->flow_end);
    s->flow_interval = malloc((nf + 1) * sizeof *s->flow_interval);
    if (!s->flows || !s->routes || !s->fheap || !s->flow_pending || !s->flow_start ||
        !s->flow_end || !s->flow_interval)
        return cbu_err_nomem(err);
    size_t n_trip_roads = 0;
    for (uint32_t i = 0; i < nf; i++) {
        const demand_flow *f = &dm->flows[i];
        sim_flow *sf = &s->flows[i];
        sf->speed_mean = f->speed_factor > 0 ? f->speed_factor : 1.0;
        sf->speed_dev = f->speed_dev;
        if (sim_intern_vtype_ex(s, &f->vtype, f->krauss, f->sigma, sf->speed_mean, &sf->vtype)) return cbu_err_nomem(err);
        uint32_t *roads, nroads, bad;
        int rc = net_route(n, f->route, f->n_route, &roads, &nroads, &bad);
        if (rc == CB_ENOMEM) return cbu_err_nomem(err);
        if (rc == CB_ENOTFOUND)
            return cbu_err(err, CB_ESCHEMA,
                           "%s: [%u].route[%u]: road \"%s\" cannot be reached from \"%s\" (no chain of lane links joins them)",
                           flow_file, i, bad, n->roads[f->route[bad]].id, n->roads[f->route[bad - 1]].id);
        /* CityFlow refuses one-road routes; SUMO drives them (to the end of the edge) */
        if (nroads < 2 && !(f->krauss && nroads == 1)) {
            free(roads);
            return cbu_err(err, CB_ESCHEMA, "%s: [%u].route: a route needs at least 2 different roads",
                           flow_file, i);
        }
        uint32_t *slot = route_slot(s, tab, cap, roads, nroads);
        if (*slot != SIM_NONE) {
            free(roads);                      /* the same roads as an earlier flow's */
        } else {
            sim_route *r = &s->routes[s->n_routes];
            memset(r, 0, sizeof *r);
            r->roads = roads;
            r->n = nroads;
            *slot = s->n_routes++;            /* sim_close frees what is set */
            if (sim_route_init(s, r)) return cbu_err_nomem(err);
        }
        sf->route = *slot;
        n_trip_roads += f->n_trip;
        sf->now_time = f->interval;
        sf->depart_speed = f->depart_speed;
        sf->depart_lane = f->depart_lane;
        s->flow_start[i] = f->start_time;
        s->flow_end[i] = f->end_time;
        s->flow_interval[i] = f->interval;
        s->flow_pending[i] = i;
    }
    s->n_pending = nf;
    if (n_trip_roads) {
        s->trip_first = malloc((nf + 1) * sizeof *s->trip_first);
        s->trip_roads = malloc(n_trip_roads * sizeof *s->trip_roads);
        if (!s->trip_first || !s->trip_roads || n_trip_roads > UINT32_MAX) return cbu_err_nomem(err);
        uint32_t k = 0;
        for (uint32_t i = 0; i < nf; i++) {
            s->trip_first[i] = k;
            if (dm->flows[i].n_trip) memcpy(s->trip_roads + k, dm->flows[i].trip, dm->flows[i].n_trip * sizeof *s->trip_roads);
            k += dm->flows[i].n_trip;
        }
        s->trip_first[nf] = k;
        if (sim_dynroute_init(s)) return cbu_err_nomem(err);
    }
    s->n_routes_init = s->n_routes;
    s->cap_routes = nf + 1;
    g_start = s->flow_start;
    qsort(s->flow_pending, nf, sizeof *s->flow_pending, pending_cmp);
    g_start = NULL;
    return CB_OK;
}

int sim_flows_init(sim_engine *s, const demand_spec *dm, const char *flow_file, cb_error *err)
{
    uint32_t nf = dm->n_flows, cap = 16;
    while (cap < 2 * (nf + 1)) cap *= 2;
    uint32_t *tab = malloc(cap * sizeof *tab);
    if (!tab) return cbu_err_nomem(err);
    for (uint32_t i = 0; i < cap; i++) tab[i] = SIM_NONE;
    int rc = flows_fill(s, dm, flow_file, tab, cap, err);
    free(tab);
    return rc;
}

/*--- vehicles ---------------------------------------------------------------------------*/

/* SUMO's per-vehicle speed factor: normal around the flow's mean with its
 * deviation, redrawn outside [0.2, 2] (SUMO's normc(mean, dev, 0.2, 2)),
 * rounded to 0.01 so that vehicles share a few hundred types at most. */
static double draw_speed_factor(sim_engine *s, double mean, double dev)
{
    double f = 1.0;
    for (int tries = 0; tries < 16; tries++) {
        double u1 = ((double)cbu_rng_next(&s->rng) + 0.5) / 4294967296.0;
        double u2 = (double)cbu_rng_next(&s->rng) / 4294967296.0;
        f = mean + dev * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        if (f >= 0.2 && f <= 2.0) break;
    }
    f = f < 0.2 ? 0.2 : f > 2.0 ? 2.0 : f;
    return round(f * 100.0) / 100.0;
}

static int create_vehicle(sim_engine *s, uint32_t f, cb_error *err)
{
    sim_flow *sf = &s->flows[f];
    uint32_t vid;
    uint16_t vtype = sf->vtype;
    if (sf->speed_dev > 0) {
        net_vtype base = s->vtypes[sf->vtype];
        const sim_vparam *bp = &s->vparams[sf->vtype];
        bool krauss = bp->krauss;
        double sigma = bp->sigma;
        if (sim_intern_vtype_ex(s, &base, krauss, sigma, draw_speed_factor(s, sf->speed_mean, sf->speed_dev), &vtype))
            return cbu_err_nomem(err);
    }
    uint32_t route = sf->route;
    if (s->dyn && s->trip_first[f + 1] > s->trip_first[f] && (route = sim_dynroute_pick(s, f)) == SIM_NONE)
        return cbu_err_nomem(err);
    return sim_vehicle_spawn(s, f, sf->count++, vtype, route, sf->depart_speed, sf->depart_lane, &vid, err);
}

int sim_flows_step(sim_engine *s, cb_error *err)
{
    while (s->pending_pos < s->n_pending) {
        uint32_t f = s->flow_pending[s->pending_pos];
        if ((double)s->flow_start[f] > s->flow_clock) break;
        s->pending_pos++;
        s->flows[f].active = true;
        fheap_push(s, (sim_flow_event){ s->step, f });
    }
    while (s->n_fheap && s->fheap[0].step <= s->step) {
        uint32_t f = fheap_pop(s).flow;
        sim_flow *sf = &s->flows[f];
        if (s->flow_end[f] != -1 && s->flow_clock > (double)s->flow_end[f]) {
            sf->done = true;
            continue;
        }
        double iv = s->flow_interval[f];
        while (sf->now_time >= iv) {
            int rc = create_vehicle(s, f, err);
            if (rc) return rc;
            sf->now_time -= iv;
        }
        sf->now_time += s->dt;
        /* replay the per-step additions until the accumulator is due again */
        int64_t k = 1;
        double t = sf->now_time;
        while (t < iv) {
            if ((iv - t) / s->dt > 1000) {
                int64_t jump = (int64_t)((iv - t) / s->dt) - 1;
                t += (double)jump * s->dt;
                k += jump;
                continue;
            }
            t += s->dt;
            k++;
        }
        sf->now_time = t;
        fheap_push(s, (sim_flow_event){ s->step + k, f });
    }
    s->flow_clock += s->dt;
    return CB_OK;
}

void sim_insert_waiting(sim_engine *s)
{
    const cb_net *n = s->net;
    uint32_t words = (n->n_lanes + 63) / 64;
    for (uint32_t w = 0; w < words; w++) {
        uint64_t bits = s->queue_bits[w];
        while (bits) {
            uint32_t lane = w * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            sim_queue *q = &s->queues[lane];
            uint32_t vid = q->q[q->head];
            sim_veh *v = &s->veh[vid];
            const net_vtype *vt = &s->vtypes[v->vtype];
            sim_drv *D = &s->drv[lane];
            /* CityFlow: the front enters at 0.  SUMO's departPos "base":
             * the back at 0.1 m (MSVehicle::basePos), and the vehicle
             * ahead's back at least minGap beyond the front */
            double pos = 0;
            if (s->depart_at_length) {
                pos = vt->length + 0.1;
                if (pos > s->aux[lane].length) pos = s->aux[lane].length;
            }
            if (D->n) {
                const sim_slot *t = &D->v[D->n - 1];
                double back = t->dist - s->vtypes[t->vtype].length - pos;
                if (s->depart_at_length ? !(back >= vt->min_gap) : !(back > vt->min_gap)) continue;
            }
            if (!(sim_block_pos(s, lane) - pos > vt->min_gap)) continue;   /* blocked at the start */
            if (sim_drv_reserve(D, 1)) continue;        /* retried next step */
            uint32_t k = 0;
            sim_slot sl = { .dist = pos, .speed = v->depart_speed, .vid = vid, .prev = SIM_NONE,
                            .vtype = v->vtype, .flags = 0 };
            if (sl.speed < 0) {
                /* SUMO's departSpeed="max": as fast as the lane, the vehicle,
                 * the vehicle ahead (stopping behind it at its minGap) and
                 * the lane end (stopping at it) allow */
                double sp = vt->max_speed < n->lanes[lane].max_speed ? vt->max_speed : n->lanes[lane].max_speed;
                double room = 2.0 * vt->usual_neg_acc * (s->aux[lane].length - pos);
                if (D->n) {
                    const sim_slot *t = &D->v[D->n - 1];
                    double gap = t->dist - s->vtypes[t->vtype].length - vt->min_gap - pos;
                    double safe = 2.0 * vt->usual_neg_acc * (gap > 0 ? gap : 0) + t->speed * t->speed;
                    if (safe < room) room = safe;
                }
                if (room < sp * sp) sp = sqrt(room);
                sl.speed = sp;
            }
            sl.next = sim_plan_next(s, v, lane, &k);
            D->v[D->n++] = sl;
            /* entering at its length, it has come over the loops it covers */
            if (s->det && pos > 0) sim_detect_pass(s, lane, 0, pos, sl.speed, vt->length);
            sim_activate(s, lane);
            q->head++;
            if (--q->n == 0) {
                q->head = 0;
                s->queue_bits[w] &= ~(1ull << (lane & 63));
            }
            v->state = SIM_VEH_RUNNING;
            v->drv = lane;
            v->insert_step = s->step;
            v->stand_step = s->step;
            s->queued--;
            s->running++;
            sim_pub_enter(s, v);
        }
    }
}
