/* emg_tt.c -- live travel times from loop counts, and the fastest route on
 * them.
 *
 * A lane between its two loops is a queueing system whose arrivals (the
 * entry loop) and departures (the stop-line loop) are both counted, so the
 * number of vehicles inside is known exactly (cum_in - cum_out; no lane
 * changes in the data).  Little's law turns that into time: the mean time
 * spent between the loops is W = N / lambda, with N the vehicles inside now
 * and lambda the arrival rate over the last five minutes.  W covers running
 * and queueing alike, whatever the signal does.  It is never less than the
 * run at the speed the entry loop measures, and capped at an hour: a lane
 * that has stopped discharging (an incident) costs that much, so routes
 * avoid it.  The loops' stretch outside [entry, stop] is run at the limit.
 *
 * Routes: Dijkstra over roads, an edge per movement, costed with the
 * movement's start lane (each movement of the data has its own lane). */
#include "emg_int.h"
#include "../util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EMG_TT_CAP 3600.0

uint64_t emg_lane_between(const cb_ops *o, uint32_t lane)
{
    return o->tt[lane].cum_in - o->tt[lane].cum_out;
}

/* Seconds from the start of a lane to its end. */
static double lane_time(const cb_ops *o, uint32_t lane)
{
    const emg_lane *L = &o->lanes[lane];
    const emg_tt *t = &o->tt[lane];
    double vmax = L->vmax > 0 ? L->vmax : 1;
    double between = L->stop_pos - L->entry_pos;
    double v = t->v_in > 0 && t->v_in < vmax ? t->v_in : vmax;
    if (v < 1) v = 1;
    double w = between / v;
    double n = (double)emg_lane_between(o, lane);
    if (n > 0) {
        /* Few arrivals for a long time make lambda tiny: one vehicle every
         * ten minutes is the floor, so stuck vehicles still cost a lot. */
        double lambda = t->lambda > 1.0 / 600 ? t->lambda : 1.0 / 600;
        double little = n / lambda;
        if (little > w) w = little;
    }
    w += (L->length - between) / vmax;
    return w < EMG_TT_CAP ? w : EMG_TT_CAP;
}

/* A movement without lane links cannot be driven: infinite. */
double emg_tt_edge(const cb_ops *o, const emg_edge *ed)
{
    return ed->lane != UINT32_MAX ? lane_time(o, ed->lane) : INFINITY;
}

/* Running a road without turning (its last road of a route): the fastest
 * of its lanes. */
double emg_tt_run(const cb_ops *o, size_t road)
{
    const cb_road_info *r = &o->roads[road];
    double best = EMG_TT_CAP;
    for (size_t q = 0; q < r->n_lanes; q++) {
        double t = lane_time(o, (uint32_t)(r->first_lane + q));
        if (t < best) best = t;
    }
    return best;
}

const emg_edge *emg_edge_find(const cb_ops *o, size_t road, size_t next)
{
    if (road >= o->n_roads) return NULL;
    for (uint32_t j = o->edge_first[road]; j < o->edge_first[road + 1]; j++)
        if (o->edges[j].next == next) return &o->edges[j];
    return NULL;
}

int cb_ops_travel_time(const cb_ops *o, size_t road, size_t next, double *seconds, cb_error *err)
{
    const emg_edge *ed = emg_edge_find(o, road, next);
    if (!ed) return cbu_err(err, CB_EINVAL, "road %zu does not lead to road %zu", road, next);
    *seconds = emg_tt_edge(o, ed);
    return CB_OK;
}

/*--- Dijkstra ---------------------------------------------------------------------------*/

typedef struct heap_item {
    double d;
    uint32_t road;
} heap_item;

static void heap_push(heap_item *h, size_t *n, heap_item it)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        /* ties by road index: the same estimates give the same route */
        if (h[p].d < it.d || (h[p].d == it.d && h[p].road <= it.road)) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = it;
}

static heap_item heap_pop(heap_item *h, size_t *n)
{
    heap_item top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && (h[c + 1].d < h[c].d || (h[c + 1].d == h[c].d && h[c + 1].road < h[c].road))) c++;
        if (last.d < h[c].d || (last.d == h[c].d && last.road <= h[c].road)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

int emg_route(const cb_ops *o, size_t from, size_t to, uint32_t **roads, size_t *n, double *seconds, cb_error *err)
{
    *roads = NULL;
    *n = 0;
    if (from >= o->n_roads || to >= o->n_roads)
        return cbu_err(err, CB_EINVAL, "road index out of range (%zu roads)", o->n_roads);
    size_t nr = o->n_roads;
    double *dist = malloc(nr * sizeof *dist);
    uint32_t *prev = malloc(nr * sizeof *prev);
    size_t n_edges = o->edge_first[nr];
    heap_item *h = malloc((n_edges + 2) * sizeof *h);
    if (!dist || !prev || !h) {
        free(dist);
        free(prev);
        free(h);
        return cbu_err_nomem(err);
    }
    for (size_t r = 0; r < nr; r++) {
        dist[r] = INFINITY;
        prev[r] = UINT32_MAX;
    }
    size_t hn = 0;
    dist[from] = 0;
    heap_push(h, &hn, (heap_item){ 0, (uint32_t)from });
    while (hn) {
        heap_item it = heap_pop(h, &hn);
        if (it.d > dist[it.road]) continue;
        if (it.road == to && it.road != from) break;
        for (uint32_t j = o->edge_first[it.road]; j < o->edge_first[it.road + 1]; j++) {
            const emg_edge *ed = &o->edges[j];
            double nd = it.d + emg_tt_edge(o, ed);
            if (isfinite(nd) && nd < dist[ed->next] && ed->next != from) {
                dist[ed->next] = nd;
                prev[ed->next] = it.road;
                heap_push(h, &hn, (heap_item){ nd, ed->next });
            }
        }
    }
    int rc = CB_OK;
    if (from == to) rc = cbu_err(err, CB_EINVAL, "origin and destination are the same road (%s)", o->roads[from].id);
    else if (!isfinite(dist[to]))
        rc = cbu_err(err, CB_EINVAL, "road %s cannot be reached from road %s", o->roads[to].id, o->roads[from].id);
    if (rc == CB_OK) {
        size_t len = 1;
        for (uint32_t r = (uint32_t)to; r != from; r = prev[r]) len++;
        uint32_t *out = malloc(len * sizeof *out);
        if (!out) rc = cbu_err_nomem(err);
        else {
            size_t i = len;
            for (uint32_t r = (uint32_t)to;; r = prev[r]) {
                out[--i] = r;
                if (r == from) break;
            }
            *roads = out;
            *n = len;
            if (seconds) *seconds = dist[to] + emg_tt_run(o, to);
        }
    }
    free(dist);
    free(prev);
    free(h);
    return rc;
}

int cb_ops_route(const cb_ops *o, size_t from, size_t to, size_t **roads, size_t *n, double *seconds,
                 cb_error *err)
{
    uint32_t *r;
    size_t len;
    int rc = emg_route(o, from, to, &r, &len, seconds, err);
    if (rc) return rc;
    *roads = malloc(len * sizeof **roads);
    if (!*roads) {
        free(r);
        return cbu_err_nomem(err);
    }
    for (size_t i = 0; i < len; i++) (*roads)[i] = r[i];
    *n = len;
    free(r);
    return CB_OK;
}
