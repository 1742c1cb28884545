/* control_bound.c -- how much better than `horizon`'s three-interval plan
 * could any controller do at one intersection under the 15 s protocol?
 * A stand-alone fluid model, so that the question is not blurred by the
 * twin's noise (docs/control.md, "Results against the targets").
 *
 *   control_bound [SEED [YELLOW [SCALE [uniform]]]]
 *
 * The intersection: eight lanes (straight and left of four approaches) with
 * the benchmark's eight greens (opposite straights, opposite lefts, each
 * approach's straight + left).  Arrivals: one vehicle per second with
 * probability rate x SCALE (Bernoulli), or every 1 / (rate x SCALE) s
 * with "uniform"; the default rates are JN1's busiest intersection
 * (intersection_1_1, counted from the flow file's routes).  Decisions every
 * 15 s; a change shows YELLOW (5) s of clearance, then a queue needs 1 s to
 * start and leaves at one vehicle per 2.3 s per lane.
 *
 * It prints the vehicle-seconds queued per vehicle over one hour for:
 *   - the planner of src/control/ctl_best.c with K = 1..4 intervals, given
 *     perfect knowledge of arrivals within its horizon and the same model
 *     as the world (its best case), end-of-horizon charge 45 s per vehicle;
 *   - a clairvoyant beam search over the whole hour that knows every
 *     arrival (the best schedules by cost so far, states within 0.05
 *     vehicles merged): an estimate of the best any controller could do.
 * Deterministic (own xorshift generator).  Build and run:
 *   cc -O2 -o control_bound bench/control_bound.c -lm && ./control_bound */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NL = 8, T = 3600, S = 15, NS = T / S, NP = 8, SPARE = 600 };

static double arr[NL][T + SPARE];              /* arrivals per lane and second */
/* lanes: 0 W straight, 1 W left, 2 S straight, 3 S left, 4 E, 5, 6 N, 7 */
static const int greens[NP][2] = { { 0, 4 }, { 2, 6 }, { 1, 5 }, { 3, 7 }, { 0, 1 }, { 2, 3 }, { 4, 5 }, { 6, 7 } };
static const double H = 2.3, STARTUP = 1.0, TERM = 45;
static double yellow = 5;

static bool lets_go(int p, int l) { return greens[p][0] == l || greens[p][1] == l; }

/* One 15 s interval in green p after green prev (-1: the start); advances
 * the queues and returns the vehicle-seconds queued. */
static double interval(double *q, int t0, int p, int prev)
{
    double cost = 0;
    for (int l = 0; l < NL; l++) {
        double start = 1e9, qq = q[l];
        if (lets_go(p, l)) start = p == prev ? 0 : (prev < 0 ? 0 : yellow) + (qq >= 1 ? STARTUP : 0);
        for (int j = 0; j < S; j++) {
            qq += arr[l][t0 + j];
            if (j >= start) qq -= qq < 1 / H ? qq : 1 / H;
            cost += qq;
        }
        q[l] = qq;
    }
    return cost;
}

/* The cheapest K-interval plan from this state (exhaustive; ties keep the
 * current green); returns its cost, *first its first green. */
static double plan(const double *q, int t0, int prev, int k, int K, int *first)
{
    double best = INFINITY;
    for (int p = 0; p < NP; p++) {
        double qq[NL];
        memcpy(qq, q, sizeof qq);
        double c = interval(qq, t0, p, prev);
        if (k + 1 < K) {
            int f;
            c += plan(qq, t0 + S, p, k + 1, K, &f);
        } else
            for (int l = 0; l < NL; l++) c += TERM * qq[l];
        if (c < best - 1e-9 || (fabs(c - best) <= 1e-9 && p == prev)) { best = c; *first = p; }
    }
    return best;
}

static double run_planner(int K)
{
    double q[NL] = { 0 }, cost = 0;
    int prev = -1;
    for (int s = 0; s < NS; s++) {
        int f = 0;
        plan(q, s * S, prev, 0, K, &f);
        cost += interval(q, s * S, f, prev);
        prev = f;
    }
    return cost;
}

typedef struct node { double q[NL]; int prev; double cost; } node;

static int by_cost(const void *a, const void *b)
{
    double x = ((const node *)a)->cost, y = ((const node *)b)->cost;
    return x < y ? -1 : x > y;
}

static double run_beam(int B)
{
    node *cur = calloc((size_t)B * NP, sizeof *cur), *next = calloc((size_t)B * NP, sizeof *next);
    if (!cur || !next) { fprintf(stderr, "out of memory\n"); exit(1); }
    int n = 1;
    cur[0].prev = -1;
    for (int s = 0; s < NS; s++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < NP; p++) {
                node x = cur[i];
                x.cost += interval(x.q, s * S, p, x.prev);
                x.prev = p;
                next[m++] = x;
            }
        qsort(next, (size_t)m, sizeof *next, by_cost);
        n = 0;
        for (int i = 0; i < m && n < B; i++) {
            bool same = false;
            for (int j = 0; j < n && !same; j++) {
                if (cur[j].prev != next[i].prev) continue;
                double d = 0;
                for (int l = 0; l < NL; l++) d += fabs(cur[j].q[l] - next[i].q[l]);
                same = d < 0.05;
            }
            if (!same) cur[n++] = next[i];
        }
    }
    double best = cur[0].cost;
    free(cur);
    free(next);
    return best;
}

static uint64_t rng = 88172645463325252ull;
static double uniform01(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    /* vehicles per second per lane, lanes as above */
    static const double rate[NL] = { 0.092, 0.028, 0.068, 0.019, 0.063, 0.019, 0.083, 0.025 };
    int seed = argc > 1 ? atoi(argv[1]) : 1;
    yellow = argc > 2 ? atof(argv[2]) : 5;
    double scale = argc > 3 ? atof(argv[3]) : 1;
    bool uniform = argc > 4 && strcmp(argv[4], "uniform") == 0;
    rng += (uint64_t)seed * 0x9E3779B97F4A7C15ull;
    double vehicles = 0;
    for (int l = 0; l < NL; l++)
        for (int t = 0; t < T + SPARE; t++) {
            double r = rate[l] * scale;
            arr[l][t] = uniform ? floor((t + 1) * r + 0.37 * l) - floor(t * r + 0.37 * l) : uniform01() < r;
            if (t < T) vehicles += arr[l][t];
        }
    printf("seed %d, yellow %g s, demand x%g%s: %.0f vehicles\n", seed, yellow, scale, uniform ? " (uniform)" : "",
           vehicles);
    for (int K = 1; K <= 4; K++) printf("planner, %d interval(s):  %6.2f s queued per vehicle\n", K, run_planner(K) / vehicles);
    for (int B = 50; B <= 800; B *= 4) printf("clairvoyant beam, %4d:   %6.2f s queued per vehicle\n", B, run_beam(B) / vehicles);
    return 0;
}
