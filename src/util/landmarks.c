/* landmarks.c -- building the landmark tables of landmarks.h: two full
 * Dijkstra searches per landmark (on the graph and on its reverse). */
#include "landmarks.h"

#include <stdlib.h>
#include <string.h>

uint32_t cbu_landmarks_min_nodes = CBU_LANDMARKS_MIN_NODES;

/* Costs from `src` over the rows (first, to, w) into dist[0..n). */
static void dijkstra_all(uint32_t n, const uint32_t *first, const uint32_t *to, const double *w, uint32_t src,
                         double *dist, uint32_t *heap, uint32_t *pos)
{
    for (uint32_t v = 0; v < n; v++) { dist[v] = INFINITY; pos[v] = CBU_IHEAP_ABSENT; }
    cbu_iheap h = { heap, pos, dist, 0 };
    dist[src] = 0;
    cbu_iheap_push(&h, src);
    while (h.n) {
        uint32_t u = cbu_iheap_pop(&h);
        for (uint32_t a = first[u]; a < first[u + 1]; a++) {
            uint32_t v = to[a];
            double c = dist[u] + w[a];
            if (pos[v] == CBU_IHEAP_DONE || !(c < dist[v])) continue;
            dist[v] = c;
            cbu_iheap_push(&h, v);
        }
    }
}

int cbu_landmarks_build(cbu_landmarks *lm, uint32_t n, const uint32_t *first, const uint32_t *to,
                        const double *w, uint32_t k)
{
    memset(lm, 0, sizeof *lm);
    if (k > n) k = n;
    if (k == 0) return 0;
    uint32_t m = first[n];
    uint32_t *rfirst = calloc((size_t)n + 1, sizeof *rfirst), *rto = calloc((size_t)m + 1, sizeof *rto);
    double *rw = calloc((size_t)m + 1, sizeof *rw);
    double *df = malloc((size_t)n * sizeof *df), *db = malloc((size_t)n * sizeof *db);
    double *score = malloc((size_t)n * sizeof *score);
    uint32_t *heap = malloc((size_t)n * sizeof *heap), *pos = malloc((size_t)n * sizeof *pos);
    double *from_lm = malloc((size_t)n * k * sizeof *from_lm), *to_lm = malloc((size_t)n * k * sizeof *to_lm);
    int rc = -1;
    if (!rfirst || !rto || !rw || !df || !db || !score || !heap || !pos || !from_lm || !to_lm) goto out;
    /* the reverse graph: arcs grouped by head */
    for (uint32_t a = 0; a < m; a++) rfirst[to[a] + 1]++;
    for (uint32_t v = 0; v < n; v++) rfirst[v + 1] += rfirst[v];
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t a = first[u]; a < first[u + 1]; a++) {
            uint32_t slot = rfirst[to[a]]++;
            rto[slot] = u;
            rw[slot] = w[a];
        }
    for (uint32_t v = n; v > 0; v--) rfirst[v] = rfirst[v - 1];   /* undo the fill's advance */
    rfirst[0] = 0;
    /* Farthest-first: a landmark far (going plus coming back) from those
     * already chosen bounds the searches that head away from them.  The
     * first one is the node farthest from node 0.  A direction a node
     * cannot be reached in counts 0; a chosen landmark scores 0. */
    dijkstra_all(n, first, to, w, 0, df, heap, pos);
    dijkstra_all(n, rfirst, rto, rw, 0, db, heap, pos);
    uint32_t cur = 0;
    double best = -1;
    for (uint32_t v = 0; v < n; v++) {
        double sv = (df[v] < INFINITY ? df[v] : 0) + (db[v] < INFINITY ? db[v] : 0);
        if (sv > best) { best = sv; cur = v; }
        score[v] = INFINITY;
    }
    for (uint32_t i = 0; i < k; i++) {
        dijkstra_all(n, first, to, w, cur, df, heap, pos);
        dijkstra_all(n, rfirst, rto, rw, cur, db, heap, pos);
        best = -1;
        uint32_t next = 0;
        for (uint32_t v = 0; v < n; v++) {
            from_lm[(size_t)v * k + i] = df[v] < INFINITY ? df[v] : CBU_LANDMARKS_NO_PATH;
            to_lm[(size_t)v * k + i] = db[v] < INFINITY ? db[v] : CBU_LANDMARKS_NO_PATH;
            double sv = (df[v] < INFINITY ? df[v] : 0) + (db[v] < INFINITY ? db[v] : 0);
            if (sv < score[v]) score[v] = sv;
            if (score[v] > best) { best = score[v]; next = v; }
        }
        cur = next;
    }
    lm->n = n;
    lm->k = k;
    lm->from_lm = from_lm;
    lm->to_lm = to_lm;
    from_lm = to_lm = NULL;
    rc = 0;
out:
    free(rfirst);
    free(rto);
    free(rw);
    free(df);
    free(db);
    free(score);
    free(heap);
    free(pos);
    free(from_lm);
    free(to_lm);
    return rc;
}

void cbu_landmarks_free(cbu_landmarks *lm)
{
    free(lm->from_lm);
    free(lm->to_lm);
    memset(lm, 0, sizeof *lm);
}

int cbu_astar_init(cbu_astar *a, uint32_t n, const uint32_t *first, const uint32_t *to, const double *w,
                   double *dist, uint32_t *pos)
{
    memset(a, 0, sizeof *a);
    a->key = malloc(((size_t)n + 1) * sizeof *a->key);
    a->rest = malloc(((size_t)n + 1) * sizeof *a->rest);
    a->touched = malloc(((size_t)n + 1) * sizeof *a->touched);
    for (uint32_t v = 0; v < n; v++) { dist[v] = INFINITY; pos[v] = CBU_IHEAP_ABSENT; }
    if (!a->key || !a->rest || !a->touched) return -1;
    return cbu_landmarks_build(&a->lm, n, first, to, w, CBU_LANDMARKS_K);
}

void cbu_astar_free(cbu_astar *a)
{
    cbu_landmarks_free(&a->lm);
    free(a->key);
    free(a->rest);
    free(a->touched);
    memset(a, 0, sizeof *a);
}
