/* sim_threads.c -- the worker pool that runs the parallel phases.
 *
 * n-1 worker threads plus the calling thread each take a fixed share of
 * the items (drivables of the active list).  Results do not depend on how
 * the items are shared, because every item writes only its own drivable's
 * slots and its worker's scratch (sim.h, "Determinism").
 *
 * A step has two or three parallel phases of a few hundred microseconds
 * each, so waking sleeping threads (tens of microseconds through a
 * condition variable) would eat the gain.  Workers therefore spin on a
 * generation counter for a short while after each phase and only then go
 * to sleep; the caller spins until every worker has finished a phase,
 * yielding the CPU if that takes long (a busy shared machine). */
#include "sim.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define SIM_PARALLEL_MIN 32     /* fewer items than this: not worth waking workers */
#define SIM_SPINS 4000          /* ~50-100 us of polling before sleeping */

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax(void) { _mm_pause(); }
#else
static inline void cpu_relax(void) { }
#endif

struct sim_worker {
    pthread_t thread;
    sim_engine *s;
    int index;             /* its wctx */
};

typedef struct sim_pool {
    pthread_mutex_t mu;    /* guards sleeping and waking */
    pthread_cond_t go;
    atomic_uint_fast64_t gen;  /* bumped (under mu) to start a phase */
    atomic_int pending;    /* workers still in the current phase */
    atomic_int sleepers;   /* workers blocked on `go` */
    atomic_bool quit;
    int n_workers;         /* threads actually running */
    sim_item_fn fn;        /* the phase's work, set before gen is bumped */
    uint32_t n;
} sim_pool;

static sim_pool *pool_of(sim_engine *s) { return (sim_pool *)(void *)(s->workers + s->n_threads); }

/* Worker k takes the k-th contiguous share of the items.  A fixed share,
 * not chunks handed out as workers ask: the drivables a worker decides in
 * phase A are then the ones it moves in phase B, and (the active list
 * changing slowly) the ones it had in the previous step, so their vehicles
 * stay in that core's cache.  Handing out chunks dynamically balanced the
 * load but moved every drivable's data between the cores twice per step;
 * two threads were then only 1.4x faster than one. */
static void run_items(sim_engine *s, sim_pool *p, int k)
{
    uint32_t t = (uint32_t)s->n_threads;
    uint32_t lo = (uint32_t)((uint64_t)p->n * (uint32_t)k / t);
    uint32_t hi = (uint32_t)((uint64_t)p->n * (uint32_t)(k + 1) / t);
    sim_wctx *w = &s->wctx[k];
    for (uint32_t i = lo; i < hi; i++) p->fn(s, i, w);
}

static void *worker_main(void *arg)
{
    sim_worker *me = arg;
    sim_engine *s = me->s;
    sim_pool *p = pool_of(s);
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit)) {
            if (++spins < SIM_SPINS) { cpu_relax(); continue; }
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->go, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit)) break;
        seen = atomic_load(&p->gen);
        run_items(s, p, me->index);
        atomic_fetch_sub(&p->pending, 1);
    }
    return NULL;
}

int sim_threads_start(sim_engine *s, int n)
{
    s->n_threads = n < 1 ? 1 : n;
    s->wctx = aligned_alloc(128, (size_t)s->n_threads * sizeof *s->wctx);
    if (!s->wctx) return -1;
    memset(s->wctx, 0, (size_t)s->n_threads * sizeof *s->wctx);
    if (s->n_threads == 1) return 0;
    /* workers[0..n) then the pool record, in one allocation */
    s->workers = calloc(1, sizeof(sim_worker) * (size_t)s->n_threads + sizeof(sim_pool));
    if (!s->workers) return -1;
    sim_pool *p = pool_of(s);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    for (int i = 1; i < s->n_threads; i++) {
        s->workers[i].s = s;
        s->workers[i].index = i;
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) break;
        p->n_workers++;
    }
    return p->n_workers == s->n_threads - 1 ? 0 : -1;
}

void sim_threads_stop(sim_engine *s)
{
    if (s->workers) {
        sim_pool *p = pool_of(s);
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->quit, true);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
        for (int i = 1; i <= p->n_workers; i++) pthread_join(s->workers[i].thread, NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->go);
        free(s->workers);
        s->workers = NULL;
    }
    if (s->wctx)
        for (int i = 0; i < s->n_threads; i++) {
            free(s->wctx[i].movers);
            free(s->wctx[i].done);
            free(s->wctx[i].lc);
            free(s->wctx[i].link_left);
        }
    free(s->wctx);
    s->wctx = NULL;
}

void sim_parallel_for(sim_engine *s, uint32_t n, sim_item_fn fn)
{
    sim_pool *p = s->workers ? pool_of(s) : NULL;
    if (!p || p->n_workers == 0 || n < SIM_PARALLEL_MIN) {
        for (uint32_t i = 0; i < n; i++) fn(s, i, &s->wctx[0]);
        return;
    }
    p->fn = fn;
    p->n = n;
    atomic_store(&p->pending, p->n_workers);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->gen, 1);
    if (atomic_load(&p->sleepers) > 0) pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    run_items(s, p, 0);
    int spins = 0;
    while (atomic_load(&p->pending) > 0) {
        if (++spins < SIM_SPINS) cpu_relax();
        else sched_yield();
    }
}
