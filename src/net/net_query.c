/* net_query.c -- questions the simulation asks the network: lengths,
 * positions, which lane link to take, and shortest routes. */
#include "net.h"
#include "net_geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double net_drivable_length(const cb_net *n, uint32_t d)
{
    return d < n->n_lanes ? n->lanes[d].length : n->links[d - n->n_lanes].length;
}

double net_drivable_max_speed(const cb_net *n, uint32_t d)
{
    return d < n->n_lanes ? n->lanes[d].max_speed : 1e9;   /* links: no limit */
}

void net_drivable_point(const cb_net *n, uint32_t d, double s, double *x, double *y, double *heading)
{
    double dx, dy;
    if (d < n->n_lanes) {
        const net_poly *p = &n->lanes[d].poly;
        geom_poly_at(n->pts + p->first, n->cum + p->first, p->n, s, x, y, &dx, &dy);
    } else {
        const net_link *l = &n->links[d - n->n_lanes];
        const net_inter *in = &n->inters[l->inter];
        const net_poly *p = &n->tmpl_polys[n->templates[in->tmpl].first_poly + l->local];
        geom_poly_at(n->pts + p->first, n->cum + p->first, p->n, s, x, y, &dx, &dy);
        *x += in->point.x;
        *y += in->point.y;
    }
    if (heading) *heading = atan2(dy, dx);
}

bool net_lane_reaches(const cb_net *n, uint32_t lane, uint32_t road)
{
    const net_lane *l = &n->lanes[lane];
    if (l->reach_road != NET_MANY) return l->reach_road == road;
    for (uint32_t k = 0; k < l->n_out; k++)
        if (n->lanes[n->links[n->lane_out[l->first_out + k]].end_lane].road == road) return true;
    return false;
}

uint32_t net_next_link(const cb_net *n, uint32_t lane, uint32_t next, uint32_t after)
{
    const net_lane *l = &n->lanes[lane];
    uint32_t best = NET_NONE, best_any = NET_NONE;
    long best_d = 0, best_any_d = 0;
    for (uint32_t k = 0; k < l->n_out; k++) {
        uint32_t link = n->lane_out[l->first_out + k];
        uint32_t end = n->links[link].end_lane;
        if (n->lanes[end].road != next) continue;
        long d = labs((long)n->lanes[end].index - (long)l->index);
        if (best_any == NET_NONE || d < best_any_d) { best_any = link; best_any_d = d; }
        if (after != NET_NONE && !net_lane_reaches(n, end, after)) continue;
        if (best == NET_NONE || d < best_d) { best = link; best_d = d; }
    }
    return best != NET_NONE ? best : best_any;
}

/*--- shortest paths ------------------------------------------------------------*/

typedef struct heap_item { double cost; uint32_t road; } heap_item;

static int heap_less(heap_item a, heap_item b)
{
    return a.cost < b.cost || (a.cost == b.cost && a.road < b.road);
}

static void heap_push(heap_item *h, size_t *n, heap_item x)
{
    size_t i = (*n)++;
    while (i > 0 && heap_less(x, h[(i - 1) / 2])) { h[i] = h[(i - 1) / 2]; i = (i - 1) / 2; }
    h[i] = x;
}

static heap_item heap_pop(heap_item *h, size_t *n)
{
    heap_item top = h[0], x = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && heap_less(h[c + 1], h[c])) c++;
        if (!heap_less(h[c], x)) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = x;
    return top;
}

/* Roads from `from` (exclusive) to `to` (inclusive) appended to path.
 * Returns 0, -1 if unreachable, -2 on OOM. */
static int shortest(const cb_net *n, uint32_t from, uint32_t to, uint32_t **path,
                    uint32_t *len, uint32_t *cap)
{
    const net_road *fr = &n->roads[from];
    for (uint32_t k = 0; k < fr->n_succ; k++)      /* the common case */
        if (n->road_succ[fr->first_succ + k] == to) {
            if (*len == *cap) {
                uint32_t c = *cap ? *cap * 2 : 16;
                uint32_t *p = realloc(*path, c * sizeof *p);
                if (!p) return -2;
                *path = p; *cap = c;
            }
            (*path)[(*len)++] = to;
            return 0;
        }
    double *dist = malloc(n->n_roads * sizeof *dist);
    uint32_t *prev = malloc(n->n_roads * sizeof *prev);
    heap_item *heap = malloc((n->n_roads * 4 + 8) * sizeof *heap);
    size_t hn = 0, hcap = n->n_roads * 4 + 8;
    int rc = -1;
    if (!dist || !prev || !heap) { rc = -2; goto out; }
    for (uint32_t r = 0; r < n->n_roads; r++) { dist[r] = 1e300; prev[r] = NET_NONE; }
    dist[from] = 0;
    heap_push(heap, &hn, (heap_item){ 0, from });
    while (hn) {
        heap_item it = heap_pop(heap, &hn);
        if (it.cost > dist[it.road]) continue;
        if (it.road == to && it.road != from) break;
        const net_road *rd = &n->roads[it.road];
        for (uint32_t k = 0; k < rd->n_succ; k++) {
            uint32_t s = n->road_succ[rd->first_succ + k];
            double c = it.cost + n->roads[s].length;
            if (c < dist[s]) {
                dist[s] = c;
                prev[s] = it.road;
                if (hn == hcap) {
                    heap_item *p = realloc(heap, hcap * 2 * sizeof *p);
                    if (!p) { rc = -2; goto out; }
                    heap = p; hcap *= 2;
                }
                heap_push(heap, &hn, (heap_item){ c, s });
            }
        }
    }
    if (prev[to] == NET_NONE) goto out;
    uint32_t steps = 0;
    for (uint32_t r = to; r != from; r = prev[r]) {
        steps++;
        if (steps > n->n_roads) goto out;      /* defensive: no cycles */
    }
    if (*len + steps > *cap) {
        uint32_t c = *cap ? *cap : 16;
        while (c < *len + steps) c *= 2;
        uint32_t *p = realloc(*path, c * sizeof *p);
        if (!p) { rc = -2; goto out; }
        *path = p; *cap = c;
    }
    uint32_t i = *len + steps;
    for (uint32_t r = to; r != from; r = prev[r]) (*path)[--i] = r;
    *len += steps;
    rc = 0;
out:
    free(dist);
    free(prev);
    free(heap);
    return rc;
}

int net_route(const cb_net *n, const uint32_t *anchors, uint32_t n_anchors,
              uint32_t **out, uint32_t *n_out, uint32_t *bad_anchor)
{
    uint32_t *path = NULL, len = 0, cap = 0;
    *out = NULL;
    *n_out = 0;
    if (n_anchors == 0) return CB_OK;
    path = malloc(16 * sizeof *path);
    if (!path) return CB_ENOMEM;
    cap = 16;
    path[len++] = anchors[0];
    for (uint32_t i = 1; i < n_anchors; i++) {
        if (anchors[i] == anchors[i - 1]) continue;
        int rc = shortest(n, path[len - 1], anchors[i], &path, &len, &cap);
        if (rc == -2) { free(path); return CB_ENOMEM; }
        if (rc == -1) {
            free(path);
            if (bad_anchor) *bad_anchor = i;
            return CB_ENOTFOUND;
        }
    }
    *out = path;
    *n_out = len;
    return CB_OK;
}
