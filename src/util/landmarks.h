/* landmarks.h -- lower bounds on shortest-path costs from a few landmarks
 * (A* with "ALT" bounds: landmarks and the triangle inequality).
 *
 * For a directed graph with non-negative arc weights w, and a landmark L
 * with the costs d(L, v) from it and d(v, L) to it, every path from v to b
 * costs at least d(L, b) - d(L, v) and at least d(v, L) - d(b, L).  The
 * largest of these over k landmarks is an admissible and consistent A*
 * heuristic for w, and for any weights w' >= w on the same arcs (travel
 * times under traffic are never below free flow), which is why the routers
 * build the tables once, at free flow.
 *
 * The graph is given as compressed rows: the arcs of node u are
 * first[u] .. first[u+1]-1, with heads to[] and weights w[].  Landmarks are
 * chosen deterministically (the node farthest, going and coming back, from
 * those already chosen), so the same graph gives the same tables.
 *
 * Memory: 2 * k * n doubles, owned by the table (cbu_landmarks_free). */
#ifndef CB_UTIL_LANDMARKS_H
#define CB_UTIL_LANDMARKS_H

#include "iheap.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* The routers search with landmarks from this many nodes (roads) up.  On
 * smaller graphs a plain Dijkstra search costs as little, and it keeps
 * their routes exactly as they were: A* may pick another of several
 * equally cheap routes.  A variable so that tests can lower it. */
#define CBU_LANDMARKS_MIN_NODES 1000
#define CBU_LANDMARKS_K 8            /* landmarks per table */
/* The routers' A* scales the bound up by this factor.  On a grid, many
 * routes are equally cheap and every road between origin and destination
 * has the same bound + cost: unscaled, A* settles them all (1,039 roads per
 * search on a 60x60 SUMO grid); scaled, ties go towards the destination
 * (113 roads).  The leg found then costs at most 1e-7 more than the
 * cheapest (about a millisecond on an hour's drive). */
#define CBU_LANDMARKS_TIE (1.0 + 1e-7)
extern uint32_t cbu_landmarks_min_nodes;

/* Costs in the tables where there is no path: far above any real cost,
 * so that the bound needs no test for it (see cbu_landmarks_bound). */
#define CBU_LANDMARKS_NO_PATH 1e30

typedef struct cbu_landmarks {
    uint32_t n, k;         /* nodes; landmarks (0: no tables, bound is 0) */
    double *from_lm;       /* [v * k + i] = d(L_i, v), CBU_LANDMARKS_NO_PATH if unreachable */
    double *to_lm;         /* [v * k + i] = d(v, L_i) */
} cbu_landmarks;

/* Build tables for up to k landmarks (fewer if the graph has fewer nodes).
 * Returns 0, or -1 when out of memory (then *lm is empty and usable). */
int cbu_landmarks_build(cbu_landmarks *lm, uint32_t n, const uint32_t *first, const uint32_t *to,
                        const double *w, uint32_t k);
void cbu_landmarks_free(cbu_landmarks *lm);

/* A lower bound on the cost of any path from v to b: 0 when nothing is
 * known, INFINITY when a landmark proves that v cannot reach b (one
 * reaches v but not b, or b reaches it and v does not).  Consistent on
 * every arc into a node that can reach b: bound(u, b) <= w(u, v) +
 * bound(v, b).  With no path stored as a huge finite cost, the terms need
 * no tests: a landmark that reaches neither v nor b gives 0, one that
 * reaches v only gives about +1e30 (unreachable), b only about -1e30. */
static inline double cbu_landmarks_bound(const cbu_landmarks *lm, uint32_t v, uint32_t b)
{
    double best = 0;
    if (!lm->k) return 0;
    const double *fv = lm->from_lm + (size_t)v * lm->k, *fb = lm->from_lm + (size_t)b * lm->k;
    const double *tv = lm->to_lm + (size_t)v * lm->k, *tb = lm->to_lm + (size_t)b * lm->k;
    for (uint32_t i = 0; i < lm->k; i++) {
        double x = fb[i] - fv[i], y = tv[i] - tb[i];
        best = x > best ? x : best;
        best = y > best ? y : best;
    }
    return best >= 0.5 * CBU_LANDMARKS_NO_PATH ? INFINITY : best;
}

/*--- the A* search state both routers keep ------------------------------------
 *
 * A router that searches with landmarks keeps, beside its own dist and pos
 * arrays (one entry per node), the tables, the heap key of every node
 * (dist + bound), each touched node's bound (computed once a search) and
 * the list of nodes a search touched.  Invariant between searches: every
 * dist is INFINITY and every pos CBU_IHEAP_ABSENT, so that a search resets
 * only what the last one touched. */
typedef struct cbu_astar {
    cbu_landmarks lm;
    double *key, *rest;
    uint32_t *touched, n_touched;
} cbu_astar;

/* Build the tables over (first, to, w) and the arrays for n nodes, and set
 * dist[] to INFINITY and pos[] to absent.  Returns 0, or -1 when out of
 * memory.  cbu_astar_free releases it (also after a failure). */
int cbu_astar_init(cbu_astar *a, uint32_t n, const uint32_t *first, const uint32_t *to, const double *w,
                   double *dist, uint32_t *pos);
void cbu_astar_free(cbu_astar *a);

/* A new search from `src`: what the last one touched is reset. */
static inline void cbu_astar_start(cbu_astar *a, double *dist, uint32_t *pos, uint32_t src)
{
    for (uint32_t i = 0; i < a->n_touched; i++) {
        dist[a->touched[i]] = INFINITY;
        pos[a->touched[i]] = CBU_IHEAP_ABSENT;
    }
    a->touched[0] = src;
    a->n_touched = 1;
    a->key[src] = 0;
}

/* Node v, about to get the cost c (dist[v] still its old value), in a
 * search towards b: its key is c + offset + the scaled bound, the offset
 * and bound taken when the search first touches v.  `offset`: what the
 * router's costs add to the bound's (0 when they are the same). */
static inline void cbu_astar_key(cbu_astar *a, const double *dist, uint32_t v, uint32_t b, double offset, double c)
{
    if (dist[v] == INFINITY) {
        a->touched[a->n_touched++] = v;
        a->rest[v] = offset + CBU_LANDMARKS_TIE * cbu_landmarks_bound(&a->lm, v, b);
    }
    a->key[v] = c + a->rest[v];
}

#endif
