/* ctl_best.c -- "horizon", the best controller citybrain has (`--control
 * auto`): at every decision it plans the next `horizon` (3) decision
 * intervals of one intersection with a queue model fed by its detectors,
 * and requests the first phase of the cheapest plan.  docs/control.md
 * explains the design and gives the ablation.
 *
 * What it sees (cb_site_obs, nothing else): per approach lane the stopped
 * vehicles on the whole lane and, from advance zones of `bin` (5) s of
 * travel each, the moving vehicles that will reach the stop line in
 * 0-5 s, 5-10 s ...; per exit lane the vehicles on it (free room); its own
 * signal state; what its upstream neighbours published.
 *
 * The model, per approach lane (a fluid queue, 1 s steps over the horizon):
 *   - the queue starts at the stopped vehicles; moving vehicles join it
 *     when their zone says they arrive, and so do the vehicles an upstream
 *     neighbour plans to release into the road (after its travel time);
 *   - a green that continues from the previous interval discharges one
 *     vehicle per `h` seconds from its first second;
 *   - a new green (a change of phase) first shows the yellow (+ all-red)
 *     and then loses `startup` seconds while a stopped queue starts (a
 *     loss longer than its interval goes on into the next one);
 *   - vehicles cannot leave into exit lanes that are full;
 *   - cost = vehicle-seconds spent queued, plus `term` seconds for every
 *     vehicle still queued at the end of the horizon (it will keep waiting),
 *     times an ageing weight 1 + ((wait - grace) / age)^2 for a queue that
 *     has waited at red longer than `grace`, so nobody waits for ever (the
 *     clock starts when the queue forms, not at the lane's last green: a
 *     car stopping at a lane idle for minutes has not waited minutes).
 * A plan is one candidate phase per interval (8^3 = 512 plans with the
 * benchmark's eight greens), searched depth first with the current green's
 * plans first; lane costs are >= 0, so a partial sum above the best plan
 * stops early.  A lane only cares whether each interval is red, a
 * continued green or a new green, so its cost is computed once per such
 * pattern, and the queue after every prefix of states is memoised.  After
 * deciding, the site publishes what its plan releases into each exit road
 * per interval, for its downstream neighbours.
 *
 * "horizon1s" is the same planner deciding every second (`every` = 1), as
 * a field controller can, where the papers' protocol decides every 15 s:
 * its plan's first interval lasts until the next decision (1 s), then come
 * `horizon` - 1 decision intervals, and a new green holds `hold` (5) s.
 * Deciding "switch now, or in a second?" instead of "now, or in 15 s?"
 * wastes less green: docs/control.md has its results.
 *
 * Limits: the first 16 candidates and 32 approach lanes of a site are
 * planned (the benchmark's have 8 and 8).  Ties keep the current green.
 * No randomness: decisions are a function of the observations, the
 * neighbours' publications and the site's own history. */
#include "ctl_int.h"
#include "../util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { P_H, P_STARTUP, P_K, P_BIN, P_TERM, P_GRACE, P_AGE, P_SPACE, P_VEHLEN, P_COORD, P_EVERY, P_HOLD, P_N };

/* The parameters of both settings ("horizon", "horizon1s"), which differ
 * only in the default of `every`. */
#define HORIZON_PARAMS(every_default)                                                                     \
    { "h", 2.0, 0.5, 10, "seconds per vehicle per lane leaving a queue" },                                \
    { "startup", 2.0, 0, 20, "seconds a stopped queue needs to start moving" },                           \
    { "horizon", 3, 1, 4, "decision intervals planned ahead" },                                           \
    { "bin", 5, 0, 60, "seconds of travel per advance zone (0: no advance zones)" },                      \
    { "term", 45, 0, 3600, "seconds charged per vehicle still queued at the horizon" },                   \
    { "grace", 90, 0, 3600, "seconds a queue may wait at red before it starts to weigh more" },           \
    { "age", 60, 0, 3600, "seconds past the grace after which it weighs double (0: off)" },               \
    { "space", 1, 0, 1, "1: vehicles cannot leave into full exit lanes" },                                \
    { "vehlen", 7.5, 1, 50, "metres of lane per queued vehicle (room on exit lanes)" },                   \
    { "coord", 1, 0, 1, "1: use the releases upstream neighbours publish" },                              \
    { "every", every_default, 0, 60,                                                                      \
      "seconds between decisions (0: at the decision interval; else the first planned interval)" },      \
    { "hold", 5, 0, 3600, "with every > 0: seconds a new green shows before it is reconsidered" },        \
    { NULL, 0, 0, 0, NULL }

static const ctl_param_def params[] = { HORIZON_PARAMS(0) };
static const ctl_param_def params_1s[] = { HORIZON_PARAMS(1) };

enum { MAX_AL = 32, MAX_C = 16, MAX_K = 4, MAX_PAT = 256, MAX_T = 4 * 240 };
enum { ST_RED, ST_CONT, ST_NEW, ST_FIRST };    /* a lane in one interval */

/* What a site's plan needs, prepared once: its approach lanes (the start
 * lanes of non-right movements; right turns go on every phase), which of
 * them each candidate lets go, and each approach lane's exit lanes. */
typedef struct site_plan {
    uint32_t n_al;
    uint32_t al[MAX_AL];            /* site lane of each approach lane */
    uint32_t n_c;
    uint32_t green[MAX_C];          /* per candidate: bit a = approach lane a goes */
    uint32_t out_first[MAX_AL + 1]; /* exit lanes of approach lane a: outl[out_first[a]..] */
    uint32_t outl[MAX_AL * 8];
    double last_pub[CB_PUBLISH_N];  /* the last plan's publication (every > 0) */
    double wait_since[MAX_AL];      /* since when approach lane a has had a queue
                                       waiting at red, s (= now while it is green
                                       or nobody is stopped on it) */
    uint32_t al_road[MAX_AL];       /* site road of approach lane a */
    uint32_t al_exit[MAX_AL];       /* exit road its (first) movement leads to */
    int exit_slot[64];              /* per site road: its slot among exit roads, -1 */
} site_plan;

/* Publication layout: [0] the time of the plan, then per exit road slot j
 * (< PUB_SLOTS) and interval k: vehicles the plan releases into it. */
enum { PUB_SLOTS = (CB_PUBLISH_N - 1) / 4 };
static int pub_index(int slot, int k) { return 1 + slot * 4 + k; }

/* One approach lane now.  Its cost depends only on its state in each
 * interval, so the queue after every prefix of states is memoised: with
 * three states and a horizon of 3 that is at most 3 + 9 + 27 interval
 * simulations per lane, however many plans share them. */
typedef struct lane_now {
    double q0;                      /* queued (stopped) vehicles now */
    double room0;                   /* vehicles its exit lanes can still take */
    double weight;                  /* ageing factor >= 1 */
    const double *arrive;           /* vehicles arriving in each model second */
    /* after a prefix of `len` intervals with states `code` (base 4):
     * queue, room left and vehicle-seconds so far; done = computed */
    struct { float q, room, cost, lost; uint8_t done; } pre[MAX_K][MAX_PAT];
    double total[MAX_PAT];          /* full-horizon cost, < 0: not yet */
} lane_now;

/* The run: per-site plans, and scratch for one decision (a controller is
 * used by one thread at a time, like the engine). */
typedef struct horizon_run {
    site_plan *plan;                /* per site */
    double bin;                     /* seconds of travel per advance zone */
    lane_now *lanes;                /* scratch: MAX_AL lanes */
    double (*arrive)[MAX_T];        /* scratch: arrivals per lane and second */
} horizon_run;

static void add_out(site_plan *sp, uint32_t a, uint32_t lane)
{
    for (uint32_t j = sp->out_first[a]; j < sp->out_first[a + 1]; j++)
        if (sp->outl[j] == lane) return;
    if (sp->out_first[a + 1] < MAX_AL * 8) sp->outl[sp->out_first[a + 1]++] = lane;
}

static bool lane_starts(const cb_site *s, const cb_site_movement *m, uint32_t lane)
{
    for (uint32_t j = 0; j < m->n_in; j++)
        if (s->lane_refs[m->first_in + j] == lane) return true;
    return false;
}

static void prepare_site(const cb_site *s, site_plan *sp)
{
    for (uint32_t k = 0; k < s->n_movements; k++) {
        const cb_site_movement *m = &s->movements[k];
        if (m->type == 1) continue;
        for (uint32_t j = 0; j < m->n_in; j++) {
            uint32_t l = s->lane_refs[m->first_in + j], a = 0;
            while (a < sp->n_al && sp->al[a] != l) a++;
            if (a == sp->n_al && sp->n_al < MAX_AL) sp->al[sp->n_al++] = l;
        }
    }
    for (uint32_t a = 0; a < sp->n_al; a++) {
        sp->out_first[a + 1] = sp->out_first[a];
        for (uint32_t k = 0; k < s->n_movements; k++) {
            const cb_site_movement *m = &s->movements[k];
            if (m->type == 1 || !lane_starts(s, m, sp->al[a])) continue;
            for (uint32_t j = 0; j < m->n_out; j++) add_out(sp, a, s->lane_refs[m->first_out + j]);
        }
    }
    for (uint32_t r = 0, slot = 0; r < s->n_roads && r < 64; r++)
        sp->exit_slot[r] = s->roads[r].incoming || slot >= PUB_SLOTS ? -1 : (int)slot++;
    for (uint32_t a = 0; a < sp->n_al; a++) {
        sp->al_road[a] = s->lanes[sp->al[a]].road;
        for (uint32_t k = 0; k < s->n_movements; k++)
            if (s->movements[k].type != 1 && lane_starts(s, &s->movements[k], sp->al[a])) {
                sp->al_exit[a] = s->movements[k].out_road;
                break;
            }
    }
    sp->n_c = s->n_candidates < MAX_C ? s->n_candidates : MAX_C;
    for (uint32_t ci = 0; ci < sp->n_c; ci++)
        for (uint32_t k = 0; k < s->n_movements; k++) {
            const cb_site_movement *m = &s->movements[k];
            if (m->type == 1 || !ctl_allows(s, s->candidates[ci], k)) continue;
            for (uint32_t a = 0; a < sp->n_al; a++)
                if (lane_starts(s, m, sp->al[a])) sp->green[ci] |= 1u << a;
        }
}

static int init(ctl_ctx *c, cb_error *err)
{
    horizon_run *r = calloc(1, sizeof *r);
    if (!r) return cbu_err_nomem(err);
    c->shared = r;
    r->plan = calloc(c->n_sites + 1, sizeof *r->plan);
    r->lanes = calloc(MAX_AL, sizeof *r->lanes);
    r->arrive = calloc(MAX_AL, sizeof *r->arrive);
    if (!r->plan || !r->lanes || !r->arrive) return cbu_err_nomem(err);
    double vmax = 0;
    for (size_t i = 0; i < c->n_sites; i++) {
        prepare_site(&c->sites[i], &r->plan[i]);
        for (uint32_t l = 0; l < c->sites[i].n_lanes; l++)
            if (c->sites[i].lanes[l].max_speed > vmax) vmax = c->sites[i].lanes[l].max_speed;
    }
    /* Advance zones: rings of `bin` seconds of travel at the speed limit,
     * covering the horizon (at most CB_ZONES_MAX rings, widened if needed). */
    double H = c->p[P_K] * c->interval;
    if (c->p[P_BIN] > 0 && vmax > 0) {
        double rings = ceil(H / c->p[P_BIN] - 1e-9);      /* compared before it becomes an int */
        int nz = rings > CB_ZONES_MAX ? CB_ZONES_MAX : rings < 1 ? 1 : (int)rings;
        r->bin = H / nz;
        c->n_zones = (uint32_t)nz;
        for (int z = 0; z < nz; z++) c->zone_m[z] = (z + 1) * r->bin * vmax;
    }
    return CB_OK;
}

static void fini(ctl_ctx *c)
{
    horizon_run *r = c->shared;
    if (!r) return;
    free(r->plan);
    free(r->lanes);
    free(r->arrive);
    free(r);
}

typedef struct model {
    int K, n_t, per;                /* intervals, seconds modelled, seconds per interval */
    int start[MAX_K + 1];           /* second each interval starts at (start[K] = n_t) */
    double h, startup, yellow, term;
} model;

/* Advance one lane through interval k in state st (a fluid queue with 1 s
 * steps): arrivals join, a green discharges one vehicle per h seconds once
 * its yellow and start-up are over, never into full exit lanes. */
static void interval_step(const model *M, int k, const double *arr, int st, double *q, double *room, double *cost,
                          double *lost)
{
    int start, len = M->start[k + 1] - M->start[k];
    if (st == ST_RED) start = len;
    else if (st == ST_CONT) start = (int)ceil(*lost - 1e-9);
    else {
        double s = (st == ST_NEW ? M->yellow : 0) + (*q >= 1 ? M->startup : 0);
        start = (int)ceil(s - 1e-9);
    }
    /* a clearance longer than the interval goes on into the next one */
    *lost = st != ST_RED && start > len ? start - len : 0;
    arr += M->start[k];
    double rate = 1.0 / M->h, qq = *q, rr = *room, cc = *cost;
    for (int j = 0; j < len; j++) {
        qq += arr[j];
        if (j >= start) {
            double sv = rate < qq ? rate : qq;
            if (sv > rr) sv = rr;
            qq -= sv;
            rr -= sv;
        }
        cc += qq;
    }
    *q = qq;
    *room = rr;
    *cost = cc;
}

/* Vehicle-seconds queued at one lane over the horizon for a pattern of
 * per-interval states (base-4 digits, interval 0 lowest), plus `term` s
 * per vehicle left at the end, times the ageing weight. */
static double lane_cost(const model *M, lane_now *L, int pattern)
{
    if (L->total[pattern] >= 0) return L->total[pattern];
    double q = L->q0, room = L->room0, cost = 0, lost = 0;
    int code = 0, mul = 1;
    for (int k = 0; k < M->K; k++, mul *= 4) {
        code += (pattern / mul % 4) * mul;
        if (L->pre[k][code].done) {
            q = L->pre[k][code].q;
            room = L->pre[k][code].room;
            cost = L->pre[k][code].cost;
            lost = L->pre[k][code].lost;
            continue;
        }
        interval_step(M, k, L->arrive, pattern / mul % 4, &q, &room, &cost, &lost);
        L->pre[k][code].q = (float)q;
        L->pre[k][code].room = (float)room;
        L->pre[k][code].cost = (float)cost;
        L->pre[k][code].lost = (float)lost;
        L->pre[k][code].done = 1;
    }
    return L->total[pattern] = (cost + q * M->term) * L->weight;
}

/* The plan search: depth-first over the K intervals; `codes` holds each
 * approach lane's pattern so far (base 4), `mul` the next digit's weight. */
typedef struct search {
    const model *M;
    const site_plan *sp;
    lane_now *L;
    int cur;                        /* the candidate showing, -1 at the start */
    bool in_clearance;              /* deciding during a yellow / all-red */
    double bound;                   /* the cheapest full plan so far */
    double first_cost[MAX_C];       /* cheapest plan starting with each candidate */
    int first_codes[MAX_C][MAX_AL]; /* its lanes' patterns */
} search;

static void plan_dfs(search *sr, int k, int prev, int first, const int *codes, int mul)
{
    const site_plan *sp = sr->sp;
    for (uint32_t i = 0; i < sp->n_c; i++) {
        /* the current green first: its plans make a good early bound */
        uint32_t ph = k > 0 || sr->cur < 0 ? i : i == 0 ? (uint32_t)sr->cur : i <= (uint32_t)sr->cur ? i - 1 : i;
        int next[MAX_AL];
        uint32_t mask = sp->green[ph];
        int st_green = prev < 0 ? ST_FIRST                       /* the first green owes no yellow */
                     : ((int)ph == prev && !(k == 0 && sr->in_clearance)) ? ST_CONT : ST_NEW;
        for (uint32_t a = 0; a < sp->n_al; a++) next[a] = codes[a] + (mask >> a & 1 ? st_green : ST_RED) * mul;
        int f = k == 0 ? (int)ph : first;
        if (k + 1 < sr->M->K) {
            plan_dfs(sr, k + 1, (int)ph, f, next, mul * 4);
            continue;
        }
        /* Lane costs are >= 0, so a partial sum already above the best
         * plan (or this first phase's best) cannot win: stop adding.  The
         * first plan found wins ties (later phases ascending). */
        double cost = 0, limit = sr->first_cost[f] - 1e-6;
        if (limit > sr->bound + 1e-6) limit = sr->bound + 1e-6;
        for (uint32_t a = 0; a < sp->n_al && cost < limit; a++) {
            double v = sr->L[a].total[next[a]];
            cost += v >= 0 ? v : lane_cost(sr->M, &sr->L[a], next[a]);
        }
        if (cost < limit && cost < sr->first_cost[f] - 1e-6) {
            sr->first_cost[f] = cost;
            memcpy(sr->first_codes[f], next, sp->n_al * sizeof next[0]);
            if (cost < sr->bound) sr->bound = cost;
        }
    }
}

/* Vehicles an upstream neighbour plans to send into approach lane a's
 * road, as arrivals at our stop line: released during its interval k,
 * they travel the road at its speed limit, and split over the road's
 * lanes as the vehicles on it now do (turns are not known in advance). */
static void add_upstream(const ctl_ctx *c, const cb_site *s, const site_plan *sp, const cb_site_obs *o, uint32_t a,
                         const model *M, double *arrive)
{
    const cb_site_road *rd = &s->roads[sp->al_road[a]];
    if (rd->neighbour < 0 || !o->published) return;
    const horizon_run *r = c->shared;
    const site_plan *up = &r->plan[rd->neighbour];
    int slot = rd->neighbour_road < 64 ? up->exit_slot[rd->neighbour_road] : -1;
    const double *pub = o->published + (size_t)rd->neighbour * CB_PUBLISH_N;
    if (slot < 0) return;
    double all = 0;
    for (uint32_t j = 0; j < rd->n_lanes; j++) all += o->lanes[rd->first_lane + j].count + 1;
    double share = (o->lanes[sp->al[a]].count + 1) / all;
    double travel = rd->length / (s->lanes[sp->al[a]].max_speed > 0 ? s->lanes[sp->al[a]].max_speed : 10);
    for (int k = 0; k < M->K && k < 4; k++) {
        /* the neighbour plans the same intervals (one parameter set) */
        double v = pub[pub_index(slot, k)] * share, len = M->start[k + 1] - M->start[k];
        double t0 = pub[0] + M->start[k] - o->time;        /* release window, from now */
        if (v <= 0 || t0 + len <= 0) continue;              /* released already: on our road */
        /* a road crawled at a tiny limit arrives past the horizon: no
         * effect, and no conversion of a huge time to int */
        double bt = t0 + travel + 0.5, et = bt + len;
        if (!(bt < M->n_t)) continue;
        int b = bt < 0 ? 0 : (int)bt, e = et > M->n_t ? M->n_t : (int)et;
        for (int t = b; t < e; t++) arrive[t] += v / len;
    }
}

/* What the chosen plan sends into each exit road per interval, for the
 * downstream neighbours (from the memoised queues of its lanes). */
static void publish(const site_plan *sp, const model *M, const lane_now *L, const int *codes, double now,
                    cb_decision *out)
{
    out->publish[0] = now;
    for (uint32_t a = 0; a < sp->n_al; a++) {
        int slot = sp->al_exit[a] < 64 ? sp->exit_slot[sp->al_exit[a]] : -1;
        if (slot < 0) continue;
        double q = L[a].q0;
        int code = 0, mul = 1;
        for (int k = 0; k < M->K && k < 4; k++, mul *= 4) {
            code += codes[a] / mul % 4 * mul;
            if (!L[a].pre[k][code].done) break;
            double arrived = 0;
            for (int t = M->start[k]; t < M->start[k + 1]; t++) arrived += L[a].arrive[t];
            double left = L[a].pre[k][code].q;
            double served = q + arrived - left;
            out->publish[pub_index(slot, k)] += served > 0 ? served : 0;
            q = left;
        }
    }
}

static void decide(const ctl_ctx *c, size_t site, void *state, const cb_site_obs *o, cb_decision *out)
{
    (void)state;
    const cb_site *s = &c->sites[site];
    horizon_run *r = c->shared;
    site_plan *sp = &r->plan[site];
    out->next = ctl_next_multiple(o->time, c->interval);
    if (sp->n_c == 0) return;
    double every = c->p[P_EVERY];
    if (every > 0) {
        /* Deciding every `every` s: not during a clearance (a request
         * there only retargets it), nor before a new green has shown
         * `hold` s; meanwhile the neighbours keep the last plan's releases. */
        out->next = every;
        memcpy(out->publish, sp->last_pub, sizeof out->publish);
        if (o->state == CB_SIG_YELLOW || o->state == CB_SIG_ALLRED) return;
        if (o->state == CB_SIG_GREEN && o->state_time + 1e-9 < c->p[P_HOLD]) {
            if (c->p[P_HOLD] - o->state_time > every) out->next = c->p[P_HOLD] - o->state_time;
            return;
        }
    }

    model M = { .K = (int)c->p[P_K], .per = (int)(c->interval + 0.5), .h = c->p[P_H], .startup = c->p[P_STARTUP],
                .yellow = s->yellow + s->all_red, .term = c->p[P_TERM] };
    M.n_t = M.K * M.per;
    if (M.n_t > MAX_T) { M.per = MAX_T / M.K; M.n_t = M.K * M.per; }
    for (int k = 0; k <= M.K; k++) M.start[k] = k * M.per;
    if (every > 0) {              /* the first interval lasts until the next decision */
        int f = (int)(every + 0.5);
        if (f < 1) f = 1;
        if (f > M.per) f = M.per;
        for (int k = 1; k <= M.K; k++) M.start[k] = f + (k - 1) * M.per;
        M.n_t = M.start[M.K];
    }

    int cur = -1;                   /* the candidate showing (or coming after a clearance) */
    if (o->state != CB_SIG_START)
        for (uint32_t ci = 0; ci < sp->n_c; ci++)
            if (s->candidates[ci] == o->green) cur = (int)ci;
    bool in_clearance = o->state == CB_SIG_YELLOW || o->state == CB_SIG_ALLRED;
    for (uint32_t a = 0; a < sp->n_al; a++) {
        bool green = cur >= 0 && !in_clearance && (sp->green[cur] >> a & 1);
        if (green || o->lanes[sp->al[a]].stopped < 1) sp->wait_since[a] = o->time;
    }

    /* The lanes now: queue, arrivals per second from the zone rings, room. */
    double (*arrive)[MAX_T] = r->arrive;
    lane_now *L = r->lanes;
    for (uint32_t a = 0; a < sp->n_al; a++) {
        uint32_t l = sp->al[a];
        lane_now *ln = &L[a];
        ln->q0 = o->lanes[l].stopped;
        memset(arrive[a], 0, (size_t)M.n_t * sizeof arrive[a][0]);
        double before = 0;
        for (uint32_t z = 0; z < o->n_zones; z++) {
            const cb_lane_obs *zo = &o->zones[(size_t)z * s->n_lanes + l];
            double moving = (double)zo->count - zo->stopped, ring = moving - before;
            if (ring <= 0) continue;
            before = moving;
            /* spread evenly over the ring's seconds of travel */
            int t0 = (int)(z * r->bin + 0.5), t1 = (int)((z + 1) * r->bin + 0.5);
            if (t1 > M.n_t) t1 = M.n_t;
            for (int t = t0; t < t1; t++) arrive[a][t] += ring / (t1 - t0);
        }
        if (c->p[P_COORD] > 0) add_upstream(c, s, sp, o, a, &M, arrive[a]);
        ln->arrive = arrive[a];
        double room = 0;
        for (uint32_t j = sp->out_first[a]; j < sp->out_first[a + 1]; j++) {
            uint32_t x = sp->outl[j];
            /* the exit detector may cover more than the lane (a street
             * that goes on past a junction without a signal) */
            double len = o->lanes[x].zone > s->lanes[x].length ? o->lanes[x].zone : s->lanes[x].length;
            double f = len / c->p[P_VEHLEN] - o->lanes[x].count;
            room += f > 0 ? f : 0;
        }
        ln->room0 = c->p[P_SPACE] > 0 ? room : 1e9;
        ln->weight = 1;
        if (c->p[P_AGE] > 0 && ln->q0 >= 1) {
            double red = (o->time - sp->wait_since[a] - c->p[P_GRACE]) / c->p[P_AGE];
            if (red < 0) red = 0;
            ln->weight += red * red;
        }
        int n_pat = 1;
        for (int k = 0; k < M.K; k++) n_pat *= 4;
        for (int p = 0; p < n_pat; p++) ln->total[p] = -1;
        for (int k = 0; k < M.K; k++) {
            int n_code = 1;
            for (int j = 0; j <= k; j++) n_code *= 4;
            for (int p = 0; p < n_code; p++) ln->pre[k][p].done = 0;
        }
    }

    /* Every plan of K candidates, depth first so that each lane's pattern
     * code is extended one interval at a time. */
    search sr = { .M = &M, .sp = sp, .L = L, .cur = cur, .in_clearance = in_clearance, .bound = INFINITY };
    for (uint32_t ci = 0; ci < sp->n_c; ci++) sr.first_cost[ci] = INFINITY;
    int codes[MAX_AL] = { 0 };
    plan_dfs(&sr, 0, cur, -1, codes, 1);
    /* The cheapest first phase; on a tie the current green (no yellow for
     * nothing), then the lowest. */
    int best = -1;
    double best_cost = INFINITY;
    for (uint32_t ci = 0; ci < sp->n_c; ci++) {
        double cost = sr.first_cost[ci];
        if (cost < best_cost - 1e-6 || (cost <= best_cost + 1e-6 && (int)ci == cur)) {
            best = (int)ci;
            best_cost = cost;
        }
    }
    out->phase = s->candidates[best];
    memset(out->publish, 0, sizeof out->publish);
    publish(sp, &M, L, sr.first_codes[best], o->time, out);
    memcpy(sp->last_pub, out->publish, sizeof out->publish);
}

const ctl_def ctl_best = {
    .name = "horizon",
    .summary = "plans the next 3 decisions with a queue model fed by advance zones (the best; 'auto')",
    .uses_interval = true,
    .phase_set = CB_PHASES_ALL,
    .params = params,
    .init = init,
    .decide = decide,
    .fini = fini,
};

/* The same planner deciding every second, as a field controller can: not
 * the papers' protocol (which decides every 15 s), so never 'auto'. */
const ctl_def ctl_best_1s = {
    .name = "horizon1s",
    .summary = "horizon deciding every second once a green has shown 5 s (plans of 1 s + 2 decision intervals)",
    .uses_interval = false,
    .phase_set = CB_PHASES_ALL,
    .params = params_1s,
    .init = init,
    .decide = decide,
    .fini = fini,
};
