/* sim_dynroute.c -- SUMO trips are routed when they depart, on the traffic
 * of that moment.
 *
 * A SUMO trip names an origin, a destination and perhaps via edges, not a
 * route.  SUMO gives such a vehicle a routing device that routes it at
 * departure on travel times that follow the traffic (SUMO's
 * MSRoutingEngine with its defaults): every second the mean speed of each
 * edge is sampled as SUMO takes it (edge_mean_speed: over its lanes,
 * weighted by their vehicles, an empty lane counting as one vehicle at its
 * limit; an empty edge at its limit), and an edge's speed is the mean of
 * its last 180 samples (device.rerouting.adaptation-interval 1 s,
 * adaptation-steps 180); an edge costs its length over that speed, and
 * never less than at the limit.  So
 * once a queue has stood on an edge for a while, trips that depart start
 * to go round it.  Without this, every trip of ingolstadt7 that SUMO sends
 * along a service road queues for a permissive left turn instead (134 of
 * its 3,031 routes differ; SUMO with its weights frozen gives our routes
 * exactly).
 *
 * What is ours: a movement costs its free-flow time over the junction
 * (the load-time router's, sumo_route.c; SUMO also follows the speeds on
 * its internal lanes); vehicles are routed once, when their flow creates
 * them (SUMO reroutes a vehicle still waiting to enter every 60 s); the
 * floor is the speed limit, not the vehicle's own top speed.
 *
 * Invariants: `speed[r]` is the mean of `past[k * n_roads + r]` over the
 * ring, kept incrementally as SUMO does; the samples are floats, and the
 * mean moves by exactly the float values that enter and leave it, so a
 * road whose samples are all at its limit is exactly at its limit (no
 * drift).  Every slot starts at the road's limit, rounded to a float.
 * All of it is updated in the serial part of a step, so it does not depend
 * on the thread count. */
#include "sim.h"
#include "../util/iheap.h"
#include "../util/landmarks.h"
#include "../util/vec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DYN_SAMPLES 180            /* SUMO's device.rerouting.adaptation-steps */
#define DYN_PERIOD_S 1.0           /* ... and adaptation-interval */

struct sim_dynroute {
    uint32_t n_roads, k;           /* k: the ring slot the next sample replaces */
    float *past;                   /* DYN_SAMPLES x n_roads */
    double *speed;                 /* per road: the mean of its samples */
    double *cost;                  /* per road: road_cost of that speed, kept
                                      with it (the searches read it often,
                                      the samples change it once a second) */
    double *limit;                 /* per road: its top lane speed (as a float) */
    double *length, *free_cost;    /* per road: the quickest lane's length, and
                                      its length / speed (the load-time cost) */
    double *arc;                   /* parallel to net->road_succ: free-flow time of
                                      the quickest input connection, s */
    uint8_t *used;                 /* a vehicle has been on the road (SUMO's
                                      "delayed" edges, the only ones sampled) */
    uint32_t *used_list, n_used;   /* those roads, in the order they were first used */
    double *sum;                   /* scratch per road: speeds and vehicles of a sample, */
    uint32_t *cnt;                 /* zero between samples */
    double *occ_speed;             /* scratch per road: the lanes holding a vehicle, */
    uint32_t *occ_n;               /* their limits summed; zero between samples */
    double *all_speed;             /* per road: every lane's limit summed, the lanes */
    uint32_t *all_n;               /* closed to cars included, and their number */
    double next_sample;            /* simulated seconds */
    uint32_t *pred_first, *pred;   /* road_succ reversed: the roads leading into
                                      road r are pred[pred_first[r] ..
                                      pred_first[r + 1]) (sim_dynroute_one_path) */
    uint8_t *seen;                 /* scratch per road for sim_dynroute_one_path, all zero
                                      between calls */
    /* search scratch (heap is also sim_dynroute_one_path's walk queue) */
    double *dist;
    uint32_t *prev, *heap, *pos;
    /* A* (large networks, landmarks.h: cbu_astar): tables at free flow,
     * which bound the costs under traffic from below */
    bool astar;                    /* the network is large enough for A* */
    cbu_astar as;                  /* as.key set once built */
    CBU_VEC(uint32_t) path;        /* the route being built (kept: most trips
                                      end up on their flow's own route, and
                                      then nothing is allocated) */
};

/* Landmark tables on the free-flow costs a search adds up (an arc and the
 * road it enters). */
static int dyn_astar_init(const sim_engine *s, sim_dynroute *d)
{
    const cb_net *n = s->net;
    uint32_t nr = d->n_roads;
    uint32_t *first = malloc(((size_t)nr + 1) * sizeof *first);
    uint32_t m = nr ? n->roads[nr - 1].first_succ + n->roads[nr - 1].n_succ : 0;
    double *w = malloc(((size_t)m + 1) * sizeof *w);
    int rc = -1;
    if (first && w) {
        for (uint32_t r = 0; r < nr; r++) {
            first[r] = n->roads[r].first_succ;
            for (uint32_t q = 0; q < n->roads[r].n_succ; q++) {
                uint32_t k = n->roads[r].first_succ + q;
                w[k] = d->arc[k] + d->free_cost[n->road_succ[k]];
            }
        }
        first[nr] = m;
        rc = cbu_astar_init(&d->as, nr, first, n->road_succ, w, d->dist, d->pos);
    }
    free(first);
    free(w);
    return rc;
}

/* road_succ reversed (pred_first, pred), and the scratch marks that
 * sim_dynroute_one_path walks it with. */
static int reverse_succ(const cb_net *n, sim_dynroute *d)
{
    uint32_t nr = d->n_roads, m = nr ? n->roads[nr - 1].first_succ + n->roads[nr - 1].n_succ : 0;
    d->pred_first = calloc((size_t)nr + 2, sizeof *d->pred_first);
    d->pred = malloc(((size_t)m + 1) * sizeof *d->pred);
    d->seen = calloc((size_t)nr + 1, 1);
    if (!d->pred_first || !d->pred || !d->seen) return -1;
    for (uint32_t k = 0; k < m; k++) d->pred_first[n->road_succ[k] + 2]++;
    for (uint32_t r = 0; r < nr; r++) d->pred_first[r + 2] += d->pred_first[r + 1];
    /* pred_first[r + 1] is now where r's list starts; filling moves it on
     * to where r's list ends, which is where r + 1's starts */
    for (uint32_t r = 0; r < nr; r++)
        for (uint32_t q = 0; q < n->roads[r].n_succ; q++) {
            uint32_t to = n->road_succ[n->roads[r].first_succ + q];
            d->pred[d->pred_first[to + 1]++] = r;
        }
    return 0;
}

int sim_dynroute_init(sim_engine *s)
{
    const cb_net *n = s->net;
    sim_dynroute *d = calloc(1, sizeof *d);
    if (!d) return -1;
    s->dyn = d;
    uint32_t nr = n->n_roads;
    d->n_roads = nr;
    d->past = malloc((size_t)DYN_SAMPLES * nr * sizeof *d->past + 1);
    d->speed = malloc((nr + 1) * sizeof *d->speed);
    d->cost = malloc((nr + 1) * sizeof *d->cost);
    d->limit = malloc((nr + 1) * sizeof *d->limit);
    d->length = malloc((nr + 1) * sizeof *d->length);
    d->free_cost = malloc((nr + 1) * sizeof *d->free_cost);
    d->arc = malloc(((size_t)n->roads[nr ? nr - 1 : 0].first_succ + (nr ? n->roads[nr - 1].n_succ : 0) + 1) *
                    sizeof *d->arc);
    d->used = calloc(nr + 1, 1);
    d->used_list = malloc((nr + 1) * sizeof *d->used_list);
    d->sum = calloc(nr + 1, sizeof *d->sum);
    d->cnt = calloc(nr + 1, sizeof *d->cnt);
    d->occ_speed = calloc(nr + 1, sizeof *d->occ_speed);
    d->occ_n = calloc(nr + 1, sizeof *d->occ_n);
    d->all_speed = calloc(nr + 1, sizeof *d->all_speed);
    d->all_n = calloc(nr + 1, sizeof *d->all_n);
    d->dist = malloc((nr + 1) * sizeof *d->dist);
    d->prev = malloc((nr + 1) * sizeof *d->prev);
    d->heap = malloc((nr + 1) * sizeof *d->heap);
    d->pos = malloc((nr + 1) * sizeof *d->pos);
    if (!d->past || !d->speed || !d->cost || !d->limit || !d->length || !d->free_cost || !d->arc || !d->used || !d->dist ||
        !d->prev || !d->heap || !d->pos || !d->used_list || !d->sum || !d->cnt ||
        !d->occ_speed || !d->occ_n || !d->all_speed || !d->all_n)
        return -1;
    for (uint32_t r = 0; r < nr; r++) {
        const net_road *rd = &n->roads[r];
        double best = INFINITY, top = 0, len = rd->length;
        for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes; l++) {
            const net_lane *ln = &n->lanes[l];
            double t = ln->length / ln->max_speed;
            if (t < best) { best = t; len = ln->length; }
            if (ln->max_speed > top) top = ln->max_speed;
        }
        d->free_cost[r] = best < INFINITY ? best : 0;
        d->all_speed[r] = rd->closed_speed_sum;
        d->all_n[r] = rd->n_lanes + rd->n_closed_lanes;
        for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes; l++) d->all_speed[r] += n->lanes[l].max_speed;
        d->limit[r] = (float)(top > 0 ? top : 13.89);   /* as the samples keep it */
        d->length[r] = len;
        d->speed[r] = d->limit[r];
        d->cost[r] = d->free_cost[r];
        for (uint32_t k = 0; k < DYN_SAMPLES; k++) d->past[(size_t)k * nr + r] = (float)d->limit[r];
        /* the quickest connection to each successor road (generated fan-out
         * links excluded, as the load-time router does) */
        for (uint32_t q = 0; q < rd->n_succ; q++) {
            uint32_t to = n->road_succ[rd->first_succ + q];
            double c = INFINITY;
            for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes; l++)
                for (uint32_t o = 0; o < n->lanes[l].n_out; o++) {
                    const net_link *L = &n->links[n->lane_out[n->lanes[l].first_out + o]];
                    if (L->synth || n->lanes[L->end_lane].road != to) continue;
                    double v = L->max_speed < INFINITY && L->max_speed > 0 ? L->max_speed : 13.89;
                    if (L->length / v < c) c = L->length / v;
                }
            d->arc[rd->first_succ + q] = c < INFINITY ? c : 0;
        }
    }
    if (reverse_succ(n, d)) return -1;
    d->next_sample = DYN_PERIOD_S;
    d->astar = nr >= cbu_landmarks_min_nodes;
    if (d->astar && dyn_astar_init(s, d)) return -1;
    return 0;
}

/* A road at its limit (every sample at it: the kept mean is then exactly
 * the limit) costs exactly what the load-time router charged, so that an
 * empty network routes as it did. */
static double road_cost(const sim_dynroute *d, uint32_t r)
{
    if (d->speed[r] >= d->limit[r]) return d->free_cost[r];
    double v = d->speed[r] > 1e-3 ? d->speed[r] : 1e-3;
    double c = d->length[r] / v;
    return c > d->free_cost[r] ? c : d->free_cost[r];
}

/* Back to the start: every road at its limit, nothing sampled yet. */
void sim_dynroute_reset(sim_dynroute *d)
{
    for (uint32_t r = 0; r < d->n_roads; r++) {
        d->speed[r] = d->limit[r];
        d->cost[r] = d->free_cost[r];
        d->used[r] = 0;
        for (uint32_t k = 0; k < DYN_SAMPLES; k++) d->past[(size_t)k * d->n_roads + r] = (float)d->limit[r];
    }
    d->n_used = 0;
    d->k = 0;
    d->next_sample = DYN_PERIOD_S;
}

void sim_dynroute_loaded(sim_dynroute *d)
{
    d->n_used = 0;
    for (uint32_t r = 0; r < d->n_roads; r++) {
        if (d->used[r]) d->used_list[d->n_used++] = r;
        d->cost[r] = road_cost(d, r);
    }
}

sim_dynroute_state sim_dynroute_view(sim_dynroute *d)
{
    return (sim_dynroute_state){ d->n_roads, DYN_SAMPLES, &d->k, &d->next_sample, d->speed, d->used, d->past };
}

void sim_dynroute_free(sim_dynroute *d)
{
    if (!d) return;
    free(d->past);
    free(d->speed);
    free(d->cost);
    free(d->limit);
    free(d->length);
    free(d->free_cost);
    free(d->arc);
    free(d->used);
    free(d->used_list);
    free(d->sum);
    free(d->cnt);
    free(d->occ_speed);
    free(d->occ_n);
    free(d->all_speed);
    free(d->all_n);
    free(d->dist);
    free(d->prev);
    free(d->heap);
    free(d->pos);
    free(d->pred_first);
    free(d->pred);
    free(d->seen);
    cbu_astar_free(&d->as);
    cbu_vec_free(&d->path);
    free(d);
}

/* SUMO's mean speed of an edge with vehicles on it (MSEdge::getMeanSpeed):
 * the mean over its lanes, each weighted by its vehicles, where an empty
 * lane counts as one vehicle at its limit.  So a queue on one lane of a
 * three-lane street weighs against two lanes at full speed, and trips go
 * round it less readily than a mean over the vehicles alone would make
 * them (ingolstadt7 at seed 0: 175 trips take the service road 25149219#1,
 * SUMO's 173; 261 did with the mean over the vehicles).  The lanes closed
 * to cars that the importer left out (sidewalks, bus lanes) count too, as
 * SUMO's do.
 * Kept per road as the vehicles' speeds and number (sum, cnt) plus the
 * limits of the lanes without one (all lanes' less the occupied ones'). */
static double edge_mean_speed(const sim_dynroute *d, uint32_t r)
{
    return (d->sum[r] + d->all_speed[r] - d->occ_speed[r]) / (double)(d->cnt[r] + d->all_n[r] - d->occ_n[r]);
}

/* At the end of a step: every second, each road that has seen a vehicle
 * takes a sample of its mean speed into its running mean. */
void sim_dynroute_sample(sim_engine *s)
{
    sim_dynroute *d = s->dyn;
    double now = (double)(s->step + 1) * s->dt;
    if (now + 1e-9 < d->next_sample) return;
    d->next_sample += DYN_PERIOD_S;
    const cb_net *n = s->net;
    /* the lanes with vehicles are the active drivables that are lanes;
     * their order does not matter (per road, one sum in lane order would
     * differ only in rounding, and the active list's order is the same for
     * any thread count) */
    for (uint32_t i = 0; i < s->n_active; i++) {
        uint32_t l = s->active[i];
        if (l >= n->n_lanes) continue;
        uint32_t r = n->lanes[l].road;
        const sim_drv *D = &s->drv[l];
        uint32_t here = 0;                 /* a lane changer's shadow is not on the lane */
        for (uint32_t k = 0; k < D->n; k++)
            if (!(D->v[k].flags & SIM_SLOT_SHADOW)) { d->sum[r] += D->v[k].speed; here++; }
        if (!here) continue;
        d->cnt[r] += here;
        d->occ_n[r]++;
        d->occ_speed[r] += n->lanes[l].max_speed;
        if (!d->used[r]) { d->used[r] = 1; d->used_list[d->n_used++] = r; }
    }
    float *slot = d->past + (size_t)d->k * d->n_roads;
    for (uint32_t i = 0; i < d->n_used; i++) {
        uint32_t r = d->used_list[i];
        float cur = (float)(d->cnt[r] ? edge_mean_speed(d, r) : d->limit[r]);
        if (cur != slot[r]) {   /* else it adds exactly 0: the mean and its cost stay (most
                                   often an empty road that was empty 180 s ago too) */
            d->speed[r] += ((double)cur - (double)slot[r]) / DYN_SAMPLES;
            d->cost[r] = road_cost(d, r);
            slot[r] = cur;
        }
        d->sum[r] = 0;
        d->cnt[r] = 0;
        d->occ_speed[r] = 0;
        d->occ_n[r] = 0;
    }
    d->k = (d->k + 1) % DYN_SAMPLES;
}


/*--- the search: Dijkstra on roads, a road's cost paid on entering it ---*/

/* The cheapest leg from road `a` to road `b`: b's predecessors chain (a
 * excluded, b included) appended to d->path.  Returns its cost (0 when
 * a == b), INFINITY when b cannot be reached, or -1 when out of memory.
 * `astar`: search with the landmark bounds (d->as built), else Dijkstra;
 * the two find equally cheap legs, not always the same one. */
static double leg(const sim_engine *s, sim_dynroute *d, uint32_t a, uint32_t b, bool astar)
{
    const cb_net *n = s->net;
    if (a == b) return 0;
    if (astar) {
        cbu_astar_start(&d->as, d->dist, d->pos, a);
    } else {
        for (uint32_t r = 0; r < d->n_roads; r++) { d->dist[r] = INFINITY; d->pos[r] = CBU_IHEAP_ABSENT; }
    }
    cbu_iheap h = { d->heap, d->pos, astar ? d->as.key : d->dist, 0 };
    d->dist[a] = 0;
    d->prev[a] = UINT32_MAX;
    cbu_iheap_push(&h, a);
    while (h.n) {
        uint32_t u = cbu_iheap_pop(&h);
        if (u == b) break;
        const net_road *rd = &n->roads[u];
        for (uint32_t q = 0; q < rd->n_succ; q++) {
            uint32_t v = n->road_succ[rd->first_succ + q];
            double c = d->dist[u] + d->arc[rd->first_succ + q] + d->cost[v];
            if (!(c < d->dist[v]) || d->pos[v] == CBU_IHEAP_DONE) continue;
            if (astar) cbu_astar_key(&d->as, d->dist, v, b, 0, c);
            d->dist[v] = c;
            d->prev[v] = u;
            cbu_iheap_push(&h, v);
        }
    }
    if (!(d->dist[b] < INFINITY)) return INFINITY;
    uint32_t steps = 0;
    for (uint32_t r = b; r != a; r = d->prev[r]) steps++;
    if (cbu_vec_reserve(&d->path, steps)) return -1;
    size_t i = d->path.n + steps;
    for (uint32_t r = b; r != a; r = d->prev[r]) d->path.a[--i] = r;
    d->path.n += steps;
    return d->dist[b];
}

double sim_dynroute_leg_cost(sim_engine *s, uint32_t a, uint32_t b, bool landmarks)
{
    sim_dynroute *d = s->dyn;
    if (landmarks && !d->as.key) {       /* a small network: build the tables now */
        cbu_astar_free(&d->as);
        if (dyn_astar_init(s, d)) return -1;
    }
    size_t keep = d->path.n;
    double c = leg(s, d, a, b, landmarks);
    d->path.n = keep;
    if (!landmarks && d->as.key) {
        /* a Dijkstra search leaves every road dirty: back to A*'s state */
        for (uint32_t r = 0; r < d->n_roads; r++) { d->dist[r] = INFINITY; d->pos[r] = CBU_IHEAP_ABSENT; }
        d->as.n_touched = 0;
    }
    return c;
}

/* Cost of driving `roads` (the first one excluded, as for a leg). */
static double route_cost(const sim_engine *s, const sim_dynroute *d, const uint32_t *roads, uint32_t nr)
{
    const cb_net *n = s->net;
    double c = 0;
    for (uint32_t i = 1; i < nr; i++) {
        const net_road *rd = &n->roads[roads[i - 1]];
        double arc = INFINITY;
        for (uint32_t q = 0; q < rd->n_succ; q++)
            if (n->road_succ[rd->first_succ + q] == roads[i] && d->arc[rd->first_succ + q] < arc)
                arc = d->arc[rd->first_succ + q];
        c += arc + d->cost[roads[i]];
    }
    return c;
}

/* Is a trip's own route the only way its legs can go?  Yes when no road of
 * the route leads, other than into the route's next road, onto a road
 * from which the destination can be reached: a search from any of its
 * roads to a later one then finds that route whatever the costs, so pick
 * has nothing to search (ingolstadt1: every one of its ten
 * origin-destination pairs).  The roads that reach the destination come
 * from a walk back from it, given up (answer: no) past ONE_PATH_BUDGET
 * roads: on a large network a trip rarely has a single path, and the walk
 * stays cheap.  (A search that left the route would leave it at one of
 * its roads for a road that reaches the destination.)  The answer is kept
 * in the route (sim_route.one_path): the network does not change. */
#define ONE_PATH_BUDGET 512u
bool sim_dynroute_one_path(sim_engine *s, uint32_t route)
{
    sim_dynroute *d = s->dyn;
    sim_route *own = &s->routes[route];
    if (own->one_path) return own->one_path == 1;
    if (own->n == 0) return false;
    const cb_net *n = s->net;
    uint32_t *queue = d->heap, nq = 0, b = own->roads[own->n - 1];
    bool single = true;
    d->seen[b] = 1;
    queue[nq++] = b;
    for (uint32_t i = 0; i < nq && single; i++)
        for (uint32_t k = d->pred_first[queue[i]]; k < d->pred_first[queue[i] + 1]; k++) {
            uint32_t r = d->pred[k];
            if (d->seen[r]) continue;
            if (nq == ONE_PATH_BUDGET) { single = false; break; }
            d->seen[r] = 1;
            queue[nq++] = r;
        }
    for (uint32_t i = 0; i + 1 < own->n && single; i++) {
        const net_road *rd = &n->roads[own->roads[i]];
        for (uint32_t q = 0; q < rd->n_succ; q++) {
            uint32_t v = n->road_succ[rd->first_succ + q];
            if (v != own->roads[i + 1] && d->seen[v]) { single = false; break; }
        }
    }
    for (uint32_t i = 0; i < nq; i++) d->seen[queue[i]] = 0;
    own->one_path = single ? 1 : 2;
    return single;
}

/* The route a trip flow's next vehicle takes: its flow's own (the route in
 * an empty network) unless another is cheaper now.  Returns the route index
 * (a new route when it differs), SIM_NONE when out of memory. */
uint32_t sim_dynroute_pick(sim_engine *s, uint32_t flow)
{
    sim_dynroute *d = s->dyn;
    const sim_flow *sf = &s->flows[flow];
    const uint32_t *trip = s->trip_roads + s->trip_first[flow];
    uint32_t n_trip = s->trip_first[flow + 1] - s->trip_first[flow];
    if (sim_dynroute_one_path(s, sf->route)) return sf->route;
    d->path.n = 0;
    if (cbu_vec_push(&d->path, trip[0])) return SIM_NONE;
    double cost = 0;
    for (uint32_t i = 1; i < n_trip; i++) {
        double c = leg(s, d, d->path.a[d->path.n - 1], trip[i], d->astar);
        if (c < 0) return SIM_NONE;
        if (!(c < INFINITY)) return sf->route;     /* cannot happen: routed at load */
        cost += c;
    }
    const sim_route *own = &s->routes[sf->route];
    /* ties keep the flow's own route, so that an empty network routes
     * exactly as the load-time router did */
    if (cost >= route_cost(s, d, own->roads, own->n) - 1e-9 ||
        (d->path.n == own->n && memcmp(d->path.a, own->roads, d->path.n * sizeof *d->path.a) == 0))
        return sf->route;
    uint32_t *roads = malloc(d->path.n * sizeof *roads);
    if (!roads) return SIM_NONE;
    memcpy(roads, d->path.a, d->path.n * sizeof *roads);
    return sim_route_add(s, roads, (uint32_t)d->path.n);
}
