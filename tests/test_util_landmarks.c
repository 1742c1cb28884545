/* test_util_landmarks.c -- the landmark bounds of util/landmarks.h against
 * all-pairs shortest paths (Floyd-Warshall) on random directed graphs:
 * never above the true cost (admissible), never dropping by more than an
 * arc's weight along it (consistent), infinite only where a node cannot
 * reach the other, and not trivial (they do bound something). */
#include "test.h"
#include "util/landmarks.h"

#include <math.h>
#include <stdint.h>

#define N 60

typedef struct graph {
    uint32_t first[N + 1], to[N * N];
    double w[N * N];
    double d[N][N];          /* true costs */
} graph;

static uint64_t next_rand(uint64_t *z)
{
    *z ^= *z << 13;
    *z ^= *z >> 7;
    *z ^= *z << 17;
    return *z;
}

/* About `deg` arcs per node, weights 1-100; with `split`, no arc crosses
 * from the first half to the second (those nodes cannot be reached). */
static void make_graph(graph *g, uint64_t seed, int deg, int split)
{
    uint64_t z = seed * 2654435761u + 1;
    uint32_t m = 0;
    for (uint32_t u = 0; u < N; u++) {
        g->first[u] = m;
        for (uint32_t v = 0; v < N; v++) {
            if (u == v || next_rand(&z) % N >= (uint64_t)deg) continue;
            if (split && u < N / 2 && v >= N / 2) continue;
            g->to[m] = v;
            g->w[m] = 1 + (double)(next_rand(&z) % 9900) / 100.0;
            m++;
        }
    }
    g->first[N] = m;
    for (uint32_t u = 0; u < N; u++)
        for (uint32_t v = 0; v < N; v++) g->d[u][v] = u == v ? 0 : INFINITY;
    for (uint32_t u = 0; u < N; u++)
        for (uint32_t a = g->first[u]; a < g->first[u + 1]; a++)
            if (g->w[a] < g->d[u][g->to[a]]) g->d[u][g->to[a]] = g->w[a];
    for (uint32_t k = 0; k < N; k++)
        for (uint32_t u = 0; u < N; u++)
            for (uint32_t v = 0; v < N; v++)
                if (g->d[u][k] + g->d[k][v] < g->d[u][v]) g->d[u][v] = g->d[u][k] + g->d[k][v];
}

static int check(const graph *g, uint32_t k, double *gain, int *unreach)
{
    *unreach = 0;
    cbu_landmarks lm;
    if (cbu_landmarks_build(&lm, N, g->first, g->to, g->w, k) != 0) return 0;
    if (lm.k != k) return 0;
    double sum_bound = 0, sum_true = 0;
    for (uint32_t v = 0; v < N; v++)
        for (uint32_t b = 0; b < N; b++) {
            double h = cbu_landmarks_bound(&lm, v, b);
            if (!(h >= 0)) return fprintf(stderr, "  bound(%u, %u) = %g\n", v, b, h), 0;
            /* INFINITY only where v cannot reach b, then */
            if (h > g->d[v][b] + 1e-9) return fprintf(stderr, "  bound(%u, %u) = %g > %g\n", v, b, h, g->d[v][b]), 0;
            for (uint32_t a = g->first[v]; a < g->first[v + 1]; a++)
                if (h < INFINITY && h > g->w[a] + cbu_landmarks_bound(&lm, g->to[a], b) + 1e-9)
                    return fprintf(stderr, "  bound(%u, %u) not consistent over arc to %u\n", v, b, g->to[a]), 0;
            if (h == INFINITY) (*unreach)++;
            if (g->d[v][b] < INFINITY) { sum_bound += h; sum_true += g->d[v][b]; }
        }
    cbu_landmarks_free(&lm);
    *gain = sum_bound / sum_true;
    return 1;
}

TEST(bounds_are_admissible_and_consistent)
{
    static graph g;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        make_graph(&g, seed, 3 + (int)(seed % 4), 0);
        double gain;
        int unreach;
        ASSERT(check(&g, CBU_LANDMARKS_K, &gain, &unreach));
        /* on connected random graphs the bounds carry a good share of the
         * true costs (about half); all zero would also be admissible */
        ASSERT(gain > 0.2);
    }
}

/* Half the graph cannot reach the other half: the bounds stay admissible,
 * and landmarks prove many of those pairs unreachable. */
TEST(unreachable_pairs_are_found_and_never_wrongly)
{
    static graph g;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        make_graph(&g, seed, 4, 1);
        double gain;
        int unreach;
        ASSERT(check(&g, 4, &gain, &unreach));
        ASSERT(unreach > 0);
    }
}

TEST(more_landmarks_than_nodes_and_none)
{
    static graph g;
    make_graph(&g, 7, 4, 0);
    cbu_landmarks lm;
    ASSERT_EQ_INT(cbu_landmarks_build(&lm, N, g.first, g.to, g.w, 1000), 0);
    ASSERT_EQ_INT(lm.k, N);               /* every node a landmark: bounds are exact */
    for (uint32_t v = 0; v < N; v++)
        for (uint32_t b = 0; b < N; b++)
            if (g.d[v][b] < INFINITY) ASSERT_NEAR(cbu_landmarks_bound(&lm, v, b), g.d[v][b], 1e-9);
    cbu_landmarks_free(&lm);
    ASSERT_EQ_INT(cbu_landmarks_build(&lm, N, g.first, g.to, g.w, 0), 0);
    ASSERT_EQ_INT(lm.k, 0);
    ASSERT_NEAR(cbu_landmarks_bound(&lm, 3, 5), 0, 0);
    cbu_landmarks_free(&lm);
}

TEST_MAIN()
