/* iheap.h -- an indexed binary min-heap of node numbers, for Dijkstra.
 *
 * Nodes are ordered by a key array the caller owns (smaller key first; on
 * equal keys the smaller node, so that searches are deterministic), and
 * `pos[v]` says where node v is: its slot in `heap`, CBU_IHEAP_ABSENT if
 * it was never pushed, CBU_IHEAP_DONE once popped.  The caller owns the
 * three arrays (one entry per node) and sets every pos to ABSENT before a
 * search; lowering a node's key and pushing it again moves it up. */
#ifndef CB_UTIL_IHEAP_H
#define CB_UTIL_IHEAP_H

#include <stdbool.h>
#include <stdint.h>

#define CBU_IHEAP_ABSENT UINT32_MAX
#define CBU_IHEAP_DONE (UINT32_MAX - 1)

typedef struct cbu_iheap {
    uint32_t *heap, *pos;     /* caller's arrays */
    const double *key;
    uint32_t n;               /* nodes in the heap */
} cbu_iheap;

static inline bool cbu_iheap_less(const cbu_iheap *h, uint32_t a, uint32_t b)
{
    return h->key[a] < h->key[b] || (h->key[a] == h->key[b] && a < b);
}

static inline void cbu_iheap_up(cbu_iheap *h, uint32_t i)
{
    uint32_t x = h->heap[i];
    while (i > 0 && cbu_iheap_less(h, x, h->heap[(i - 1) / 2])) {
        h->heap[i] = h->heap[(i - 1) / 2];
        h->pos[h->heap[i]] = i;
        i = (i - 1) / 2;
    }
    h->heap[i] = x;
    h->pos[x] = i;
}

static inline void cbu_iheap_down(cbu_iheap *h, uint32_t i)
{
    uint32_t x = h->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && cbu_iheap_less(h, h->heap[c + 1], h->heap[c])) c++;
        if (!cbu_iheap_less(h, h->heap[c], x)) break;
        h->heap[i] = h->heap[c];
        h->pos[h->heap[i]] = i;
        i = c;
    }
    h->heap[i] = x;
    h->pos[x] = i;
}

/* Add v, or move it up after its key was lowered. */
static inline void cbu_iheap_push(cbu_iheap *h, uint32_t v)
{
    if (h->pos[v] == CBU_IHEAP_ABSENT) {
        h->heap[h->n] = v;
        h->pos[v] = h->n++;
    }
    cbu_iheap_up(h, h->pos[v]);
}

/* The node with the smallest key, marked done; the heap must not be empty. */
static inline uint32_t cbu_iheap_pop(cbu_iheap *h)
{
    uint32_t u = h->heap[0];
    h->pos[u] = CBU_IHEAP_DONE;
    h->heap[0] = h->heap[--h->n];
    if (h->n) {
        h->pos[h->heap[0]] = 0;
        cbu_iheap_down(h, 0);
    }
    return u;
}

#endif
