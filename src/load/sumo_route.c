/* sumo_route.c -- routing trips the way SUMO's default router does: the
 * fastest path in an empty network, each road costing its length over its
 * speed limit (the fastest lane's), each movement the length of its
 * quickest lane link over the link's speed.
 *
 * The graph is built once from the spec's movements (roadlinks), so a trip
 * can only be routed where our vehicles can actually drive. */
#include "sumo.h"
#include "../util/iheap.h"
#include "../util/landmarks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sr_arc { uint32_t to; double cost; } sr_arc;

/* A leg searched before: trip files name a few origin-destination pairs
 * thousands of times (cologne1: 2,015 trips, 23 pairs), so each leg's
 * result is kept.  Open addressing on (a, b); a == UINT32_MAX is empty. */
typedef struct sr_leg {
    uint32_t a, b;
    uint32_t off, n;         /* the path: store[off .. off + n) */
    int rc;                  /* CB_OK or CB_ENOTFOUND */
} sr_leg;

struct sumo_router {
    uint32_t n_roads;
    uint32_t *first;         /* n_roads + 1 offsets into arcs */
    sr_arc *arcs;
    double *road_cost;       /* seconds to drive along the road */
    /* scratch for searches */
    double *dist;
    uint32_t *prev;
    uint32_t *heap;
    uint32_t *pos;           /* position in heap, UINT32_MAX if absent */
    /* A* on large networks (astar.key set, see landmarks.h): the heap
     * orders by key = dist + a lower bound of the rest */
    cbu_astar astar;
    sr_leg *legs;            /* legs_cap slots (a power of 2), legs_n used */
    uint32_t legs_cap, legs_n;
    uint32_t *store;         /* their paths */
    size_t store_n, store_cap;
};

static double poly_len(const net_point *p, uint32_t n)
{
    double s = 0;
    for (uint32_t i = 1; i < n; i++) s += hypot(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
    return s;
}

/* The landmark tables, on the costs a search adds up (a road's cost paid
 * on leaving it): as arc weights, arc + the cost of the road it enters. */
static int router_astar_init(sumo_router *r)
{
    uint32_t nr = r->n_roads, m = r->first[nr];
    uint32_t *to = malloc(((size_t)m + 1) * sizeof *to);
    double *w = malloc(((size_t)m + 1) * sizeof *w);
    int rc = -1;
    if (to && w) {
        for (uint32_t k = 0; k < m; k++) {
            to[k] = r->arcs[k].to;
            w[k] = r->arcs[k].cost + r->road_cost[r->arcs[k].to];
        }
        rc = cbu_astar_init(&r->astar, nr, r->first, to, w, r->dist, r->pos);
    }
    free(to);
    free(w);
    return rc;
}

int sumo_router_new(const net_spec *spec, sumo_router **out)
{
    *out = NULL;
    sumo_router *r = calloc(1, sizeof *r);
    if (!r) return CB_ENOMEM;
    uint32_t nr = spec->n_roads;
    r->n_roads = nr;
    size_t n_arcs = 0;
    for (uint32_t i = 0; i < spec->n_inters; i++) n_arcs += spec->inters[i].n_roadlinks;
    r->first = calloc(nr + 2, sizeof *r->first);
    r->arcs = malloc((n_arcs + 1) * sizeof *r->arcs);
    r->road_cost = malloc((nr + 1) * sizeof *r->road_cost);
    r->dist = malloc((nr + 1) * sizeof *r->dist);
    r->prev = malloc((nr + 1) * sizeof *r->prev);
    r->heap = malloc((nr + 1) * sizeof *r->heap);
    r->pos = malloc((nr + 1) * sizeof *r->pos);
    if (!r->first || !r->arcs || !r->road_cost || !r->dist || !r->prev || !r->heap || !r->pos) {
        sumo_router_free(r);
        return CB_ENOMEM;
    }
    for (uint32_t k = 0; k < nr; k++) {
        const net_spec_road *rd = &spec->roads[k];
        double best = INFINITY;
        for (uint32_t l = 0; l < rd->n_lanes; l++) {
            double len = rd->lane_lengths && rd->lane_lengths[l] > 0 ? rd->lane_lengths[l]
                         : rd->lane_points && rd->lane_points[l] ? poly_len(rd->lane_points[l], rd->n_lane_points[l])
                         : poly_len(rd->points, rd->n_points);
            double t = len / rd->lanes[l].max_speed;
            if (t < best) best = t;
        }
        r->road_cost[k] = best;
    }
    /* arcs grouped by start road: count, offsets, fill */
    for (uint32_t i = 0; i < spec->n_inters; i++)
        for (uint32_t k = 0; k < spec->inters[i].n_roadlinks; k++)
            r->first[spec->inters[i].roadlinks[k].start_road + 1]++;
    for (uint32_t k = 0; k < nr; k++) r->first[k + 1] += r->first[k];
    uint32_t *fill = malloc((nr + 1) * sizeof *fill);
    if (!fill) { sumo_router_free(r); return CB_ENOMEM; }
    memcpy(fill, r->first, nr * sizeof *fill);
    for (uint32_t i = 0; i < spec->n_inters; i++)
        for (uint32_t k = 0; k < spec->inters[i].n_roadlinks; k++) {
            const net_spec_roadlink *rl = &spec->inters[i].roadlinks[k];
            double best = INFINITY;
            for (uint32_t l = 0; l < rl->n_lanelinks; l++) {
                const net_spec_lanelink *ll = &rl->lanelinks[l];
                if (!ll->points) continue;
                double v = ll->max_speed > 0 ? ll->max_speed : 13.89;
                double t = poly_len(ll->points, ll->n_points) / v;
                if (t < best) best = t;
            }
            if (!(best < INFINITY)) best = 0;
            r->arcs[fill[rl->start_road]++] = (sr_arc){ rl->end_road, best };
        }
    free(fill);
    if (nr >= cbu_landmarks_min_nodes && router_astar_init(r)) {
        sumo_router_free(r);
        return CB_ENOMEM;
    }
    *out = r;
    return CB_OK;
}

void sumo_router_free(sumo_router *r)
{
    if (!r) return;
    free(r->first);
    free(r->arcs);
    free(r->road_cost);
    free(r->dist);
    free(r->prev);
    free(r->heap);
    free(r->pos);
    free(r->legs);
    free(r->store);
    cbu_astar_free(&r->astar);
    free(r);
}

double sumo_route_cost(const sumo_router *r, const uint32_t *roads, uint32_t n)
{
    double c = 0;
    for (uint32_t i = 1; i < n; i++) {
        double arc = INFINITY;
        for (uint32_t k = r->first[roads[i - 1]]; k < r->first[roads[i - 1] + 1]; k++)
            if (r->arcs[k].to == roads[i] && r->arcs[k].cost < arc) arc = r->arcs[k].cost;
        c += (i > 1 ? r->road_cost[roads[i - 1]] : 0) + arc;
    }
    return c;
}

bool sumo_router_connected(const sumo_router *r, uint32_t a, uint32_t b)
{
    for (uint32_t k = r->first[a]; k < r->first[a + 1]; k++)
        if (r->arcs[k].to == b) return true;
    return false;
}

/*--- Dijkstra with an indexed binary heap (ties by road index: deterministic) ---*/

/* Room for `need` roads in *path (capacity *cap, doubled as needed). */
static int path_reserve(uint32_t **path, uint32_t need, uint32_t *cap)
{
    if (need <= *cap) return 0;
    uint32_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    uint32_t *p = realloc(*path, c * sizeof *p);
    if (!p) return -1;
    *path = p;
    *cap = c;
    return 0;
}

/* Path from a to b != a (a excluded, b included) appended to *path.
 * Dijkstra on small networks; on large ones A*, whose bound for a road v
 * is what is still to pay from it: v's own cost, then at least the
 * landmark bound to b on costs that include b's, less b's. */
static int leg(sumo_router *r, uint32_t a, uint32_t b, uint32_t **path, uint32_t *len, uint32_t *cap)
{
    uint32_t nr = r->n_roads;
    bool astar = r->astar.lm.k > 0;
    if (astar) {
        cbu_astar_start(&r->astar, r->dist, r->pos, a);
    } else {
        for (uint32_t k = 0; k < nr; k++) { r->dist[k] = INFINITY; r->prev[k] = UINT32_MAX; r->pos[k] = CBU_IHEAP_ABSENT; }
    }
    cbu_iheap h = { r->heap, r->pos, astar ? r->astar.key : r->dist, 0 };
    /* start: leaving road a, so a's own length is not counted */
    r->dist[a] = 0;
    cbu_iheap_push(&h, a);
    bool found = false;
    while (h.n) {
        uint32_t u = cbu_iheap_pop(&h);
        if (u == b) { found = true; break; }
        double base = r->dist[u] + (u == a ? 0 : r->road_cost[u]);
        for (uint32_t k = r->first[u]; k < r->first[u + 1]; k++) {
            uint32_t v = r->arcs[k].to;
            double c = base + r->arcs[k].cost;
            if (r->pos[v] == CBU_IHEAP_DONE || !(c < r->dist[v])) continue;
            if (astar) cbu_astar_key(&r->astar, r->dist, v, b, r->road_cost[v] - r->road_cost[b], c);
            r->dist[v] = c;
            r->prev[v] = u;
            cbu_iheap_push(&h, v);
        }
    }
    if (!found) return CB_ENOTFOUND;
    uint32_t steps = 0;
    for (uint32_t x = b; x != a; x = r->prev[x])
        if (++steps > nr) return CB_ENOTFOUND;          /* defensive: no cycles */
    if (path_reserve(path, *len + steps, cap)) return CB_ENOMEM;
    uint32_t i = *len + steps;
    for (uint32_t x = b; i > *len; x = r->prev[x]) (*path)[--i] = x;
    *len += steps;
    return CB_OK;
}

static uint32_t leg_slot(const sumo_router *r, uint32_t a, uint32_t b)
{
    uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull;
    uint32_t i = (uint32_t)(h >> 32) & (r->legs_cap - 1);
    while (r->legs[i].a != UINT32_MAX && (r->legs[i].a != a || r->legs[i].b != b))
        i = (i + 1) & (r->legs_cap - 1);
    return i;
}

static int legs_grow(sumo_router *r)
{
    uint32_t cap = r->legs_cap ? r->legs_cap * 2 : 64;
    sr_leg *old = r->legs;
    uint32_t old_cap = r->legs_cap;
    r->legs = malloc(cap * sizeof *r->legs);
    if (!r->legs) { r->legs = old; return CB_ENOMEM; }
    r->legs_cap = cap;
    for (uint32_t i = 0; i < cap; i++) r->legs[i].a = UINT32_MAX;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i].a != UINT32_MAX) r->legs[leg_slot(r, old[i].a, old[i].b)] = old[i];
    free(old);
    return CB_OK;
}

/* leg(), answered from the legs searched before when it can be. */
static int leg_memo(sumo_router *r, uint32_t a, uint32_t b, uint32_t **path, uint32_t *len, uint32_t *cap)
{
    if (2 * (r->legs_n + 1) > r->legs_cap && legs_grow(r)) return CB_ENOMEM;
    uint32_t i = leg_slot(r, a, b);
    sr_leg *L = &r->legs[i];
    if (L->a == UINT32_MAX) {
        uint32_t before = *len;
        int rc = leg(r, a, b, path, len, cap);
        if (rc == CB_ENOMEM) return rc;
        uint32_t n = *len - before;
        if (r->store_n + n > r->store_cap) {
            size_t c = r->store_cap ? r->store_cap : 256;
            while (c < r->store_n + n) c *= 2;
            uint32_t *p = realloc(r->store, c * sizeof *p);
            if (!p) return CB_ENOMEM;
            r->store = p;
            r->store_cap = c;
        }
        if (n) memcpy(r->store + r->store_n, *path + before, n * sizeof *r->store);
        *L = (sr_leg){ a, b, (uint32_t)r->store_n, n, rc };
        r->store_n += n;
        r->legs_n++;
        return rc;
    }
    if (L->rc) return L->rc;
    if (path_reserve(path, *len + L->n, cap)) return CB_ENOMEM;
    memcpy(*path + *len, r->store + L->off, L->n * sizeof **path);
    *len += L->n;
    return CB_OK;
}

int sumo_route(sumo_router *r, const uint32_t *points, uint32_t n_points, uint32_t **out,
               uint32_t *n_out, uint32_t *bad)
{
    *out = NULL;
    *n_out = 0;
    if (n_points == 0) return CB_OK;
    uint32_t *path = malloc(16 * sizeof *path), len = 0, cap = 16;
    if (!path) return CB_ENOMEM;
    path[len++] = points[0];
    for (uint32_t i = 1; i < n_points; i++) {
        if (points[i] == path[len - 1]) continue;      /* nothing to join */
        int rc = leg_memo(r, path[len - 1], points[i], &path, &len, &cap);
        if (rc) {
            free(path);
            if (bad) *bad = i;
            return rc;
        }
    }
    *out = path;
    *n_out = len;
    return CB_OK;
}
