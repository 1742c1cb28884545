/* vec.h -- a typed growable array, for loaders and set-up code.
 *
 *     CBU_VEC(uint32_t) v = {0};
 *     if (cbu_vec_push(&v, 7)) ...out of memory...
 *     free(v.a);
 *
 * Not for the simulation's hot loop, which uses storage sized at load. */
#ifndef CB_UTIL_VEC_H
#define CB_UTIL_VEC_H

#include <stdlib.h>

#define CBU_VEC(T) struct { T *a; size_t n, cap; }

/* Grow so that `extra` more elements fit.  Returns 0, or -1 on OOM. */
static inline int cbu_vec_reserve_(void **a, size_t *cap, size_t n,
                                   size_t extra, size_t elem)
{
    if (n + extra <= *cap) return 0;
    size_t c = *cap ? *cap : 8;
    while (c < n + extra) c *= 2;
    void *p = realloc(*a, c * elem);
    if (!p) return -1;
    *a = p;
    *cap = c;
    return 0;
}

#define cbu_vec_reserve(v, extra)                                            \
    cbu_vec_reserve_((void **)&(v)->a, &(v)->cap, (v)->n, (extra),           \
                     sizeof *(v)->a)
/* Evaluates to 0 on success, -1 on OOM. */
#define cbu_vec_push(v, x)                                                   \
    (cbu_vec_reserve((v), 1) ? -1 : ((v)->a[(v)->n++] = (x), 0))
#define cbu_vec_free(v) (free((v)->a), (v)->a = NULL, (v)->n = (v)->cap = 0)

#endif
