/* inc_detect.c -- incident detection on loop data: rules per lane, each
 * a comparison between what the lane's entry loop and its stop-line loop
 * (and its mid-block loops, if any) report (the California-algorithm idea
 * of comparing upstream and downstream detectors, applied to one lane).
 *
 * Rule OVERDUE (an obstacle between the loops).  Without lane changes a
 * lane is first-in first-out between its loops, so which vehicles are still
 * between them is known exactly from the counts: the entry loop pushes one,
 * the stop-line loop pops the oldest.  Each is pushed with the time it is
 * due at the stop line: its free run from the speed the entry loop
 * measured (accelerating to the limit), stretched by `stretch` and
 * `slack`.  A vehicle past due has been stopped somewhere.  In normal
 * traffic that somewhere is a queue whose head stands on or beyond the
 * stop-line loop (a red light, a jammed exit, a turn waiting for a gap: the
 * loop sits where a standing queue always covers it, docs/incidents.md),
 * so the loop is covered or counting.  An obstacle holds vehicles back with
 * the stop line empty: alert when the oldest vehicle is past due AND the
 * stop-line loop has been neither covered nor passed for `quiet` seconds
 * AND no lane this one feeds is queued back to its start.
 *
 * A queue from downstream explains a silent stop line only for `block`
 * seconds: its head waits in the box for a gap and those behind it soon
 * stand in the stop-bar zone, so overdue vehicles that stay away from an
 * empty zone longer than that are held by something else (found on the
 * tuning set: gridlocked New York hid obstacles near lane starts for ten
 * minutes).
 *
 * Rule BLOCKED (an obstacle at the stop line).  The vehicle stopped by it
 * covers the stop-line loop.  A red light does that too, so only green time
 * counts: alert when the loop has been covered with nobody leaving for
 * `block` seconds of green.  Green time does not count while any lane
 * leaving the intersection is queued back to its start: a vehicle stuck in
 * the box behind such a queue blocks crossing movements too (gridlock looks
 * exactly like this from the loops, and is not an incident).
 *
 * Rule START (an obstacle at the start of a lane, before its entry loop).
 * Nobody can enter the lane, so no loop of it sees anything; the vehicles
 * that want it stop at the stop lines upstream, which then look BLOCKED.
 * When BLOCKED holds for a lane, the lanes it feeds are examined: one that
 * has not seen a single vehicle enter since the blockage began, although
 * its usual traffic makes such a silence unlikely (probability below 5%
 * under Poisson arrivals at its rate of the five minutes before the
 * silence), is where the obstacle is.  The alert names that lane -- unless
 * the head of the standing queue never reached the line loop (the last
 * INC_LINE_M metres) during the blockage: then the obstacle stands inside
 * this lane's stop-bar zone, holding its first vehicle back from the line,
 * and the alert is BLOCKED on this lane (an obstacle at the start of the
 * next lane lets the head drive up to the line and wait there).
 *
 * Rule MIDBLOCK (an obstacle between two mid-block loops, when the lane
 * has them).  Each stretch between adjacent loops is a FIFO of its own;
 * see midblock() for how a normal queue is told from it.  The
 * whole-lane rules keep running, so the loops do not delay their alerts.
 *
 * Alerts clear at the first sign of movement where they were seen: a
 * vehicle passing the stop line (or, for OVERDUE, the stop-bar detector
 * occupied again; for START, a vehicle entering the lane), which is what
 * the end of an incident looks like from the loops.  After a clear the
 * lane rests for `quiet` seconds, so one incident raises one alert.
 *
 * Every input is aggregate: counts, occupancy and mean speed per loop and
 * step, and the signal's own state.  The FIFO holds times, not vehicles. */
#include "incident.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Metres a vehicle takes in a standing queue: 5 m of car and a 2.5 m gap
 * in every dataset. */
#define INC_JAM_SPACING 7.5
/* m/s^2 a vehicle accelerates with after passing the entry loop slowly
 * (the datasets' usualPosAcc). */
#define INC_ACCEL 2.0
/* m/s: a queue's start wave travels upstream at least this fast (one
 * 7.5 m place in 2.5 s; the data's waves are faster) */
#define INC_WAVE 3.0

/* The vehicles between two loops, oldest first: a ring in a slice of
 * inc_det.entered / due.  Times, not vehicles. */
typedef struct inc_fifo {
    uint32_t first;           /* the slice */
    uint32_t cap;             /* its capacity (vehicles the stretch can hold) */
    uint32_t head, n;         /* oldest at head */
} inc_fifo;

/* The stretch upstream of a mid-block loop (from the previous loop). */
typedef struct mid_state {
    inc_fifo q;
    double last_act;          /* s: the loop last passed or covered */
    double last_pass;         /* s: the loop last passed */
} mid_state;

typedef struct lane_state {
    inc_fifo q;               /* from the entry loop to the stop-line loop */
    double last_act;          /* s: last step the stop loop was covered or
                                 passed, or explained by a queue downstream */
    double block_green;       /* s of counted green in the covered-no-exit run */
    double block_since;       /* s: that run began; -1 none */
    bool block_line;          /* the line loop was covered during that run */
    double backed_since;      /* s: a queue downstream has explained a silent
                                 stop line since; -1 none */
    double occ_in;            /* entry-loop occupancy, smoothed over ~10 s */
    double last_in;           /* s: last vehicle past the entry loop */
    double lambda;            /* entries per s, smoothed over ~300 s */
    double lambda_in;         /* lambda when the last vehicle entered: the
                                 rate a silence since then is judged by (the
                                 smoothed rate itself decays in the silence) */
    double rest_until;        /* s: no new alert before (after a clear) */
    double last_out;          /* s: last vehicle past the stop-line loop */
    double mid_cleared;       /* s: a MIDBLOCK alert cleared; until the stop
                                 line sees traffic again, the vehicles it held
                                 are still on their way there (-1: none) */
    int32_t alert;            /* active alert index, -1 none */
    uint32_t alert_mid;       /* MIDBLOCK: the mid-block loop (index into
                                 inc_det.ms) it was raised at */
} lane_state;

typedef struct inc_event {
    uint32_t alert;
    bool raised;
} inc_event;

struct inc_det {
    inc_config cfg;
    lane_state *ls;
    mid_state *ms;            /* per mid-block loop */
    uint8_t *box_backed;      /* per intersection, this step */
    double *entered;          /* s each held vehicle passed the entry loop */
    double *due;              /* s it is due at the stop-line loop */
    inc_alert *alerts;
    size_t n_alerts, cap_alerts;
    inc_event *events;
    size_t n_events, cap_events;
};

/* Vehicles a stretch of d metres can hold: one per 6 m (a 5 m car and a
 * 1 m gap is denser than any queue of the data), plus room for error. */
static uint32_t stretch_capacity(double d)
{
    return (uint32_t)(d > 0 ? d / 6.0 : 0) + 16;
}

static double mid_upstream_pos(const inc_config *c, const inc_lane *L, uint32_t k)
{
    return k ? c->mid_pos[L->first_mid + k - 1] : L->entry_pos;
}

inc_det *inc_open(const inc_config *cfg)
{
    inc_det *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = *cfg;
    d->ls = calloc(cfg->n_lanes + 1, sizeof *d->ls);
    d->box_backed = calloc(cfg->n_boxes + 1, 1);
    d->ms = calloc(cfg->n_mid + 1, sizeof *d->ms);
    size_t total = 0;
    for (size_t l = 0; l < cfg->n_lanes; l++) {
        const inc_lane *L = &cfg->lanes[l];
        total += stretch_capacity(L->stop_pos - L->entry_pos);
        for (uint32_t k = 0; k < L->n_mid; k++)
            total += stretch_capacity(cfg->mid_pos[L->first_mid + k] - mid_upstream_pos(cfg, L, k));
    }
    d->entered = malloc((total + 1) * sizeof *d->entered);
    d->due = malloc((total + 1) * sizeof *d->due);
    if (!d->ls || !d->box_backed || !d->ms || !d->entered || !d->due) {
        inc_close(d);
        return NULL;
    }
    uint32_t at = 0;
    for (size_t l = 0; l < cfg->n_lanes; l++) {
        const inc_lane *L = &cfg->lanes[l];
        for (uint32_t k = 0; k < L->n_mid; k++) {
            inc_fifo *q = &d->ms[L->first_mid + k].q;
            q->first = at;
            q->cap = stretch_capacity(cfg->mid_pos[L->first_mid + k] - mid_upstream_pos(cfg, L, k));
            at += q->cap;
        }
        d->ls[l].q.first = at;
        d->ls[l].q.cap = stretch_capacity(L->stop_pos - L->entry_pos);
        at += d->ls[l].q.cap;
        d->ls[l].block_since = -1;
        d->ls[l].backed_since = -1;
        d->ls[l].alert = -1;
        d->ls[l].mid_cleared = -1;
    }
    return d;
}

void inc_close(inc_det *d)
{
    if (!d) return;
    free(d->ls);
    free(d->box_backed);
    free(d->ms);
    free(d->entered);
    free(d->due);
    free(d->alerts);
    free(d->events);
    free(d);
}

/*--- alerts -------------------------------------------------------------------------*/

static void log_event(inc_det *d, size_t k, bool raised)
{
    if (d->n_events == d->cap_events) {
        size_t cap = d->cap_events ? 2 * d->cap_events : 64;
        inc_event *p = realloc(d->events, cap * sizeof *p);
        if (!p) return;       /* the alert itself stays; only its event is lost */
        d->events = p;
        d->cap_events = cap;
    }
    d->events[d->n_events++] = (inc_event){ (uint32_t)k, raised };
}

static bool raise_alert(inc_det *d, uint32_t lane, int rule, double start, double now, double conf, int vehicles)
{
    if (d->n_alerts == d->cap_alerts) {
        size_t cap = d->cap_alerts ? 2 * d->cap_alerts : 32;
        inc_alert *p = realloc(d->alerts, cap * sizeof *p);
        if (!p) return false; /* out of memory: no alert rather than a crash */
        d->alerts = p;
        d->cap_alerts = cap;
    }
    size_t k = d->n_alerts++;
    d->alerts[k] = (inc_alert){ lane, (uint8_t)rule, start, now, -1, conf, vehicles, 0, 0 };
    d->ls[lane].alert = (int32_t)k;
    log_event(d, k, true);
    return true;
}

static void clear_alert(inc_det *d, uint32_t lane, double now)
{
    lane_state *s = &d->ls[lane];
    if (s->alert < 0) return;
    d->alerts[s->alert].cleared = now;
    log_event(d, (size_t)s->alert, false);
    if (d->alerts[s->alert].rule == INC_RULE_MIDBLOCK) s->mid_cleared = now;
    s->alert = -1;
    s->rest_until = now + d->cfg.quiet;
}

/*--- lane memories --------------------------------------------------------------------*/

/* Seconds to drive `dist` metres for a vehicle that passed a loop at
 * speed v and then drives freely. */
static double free_run(const inc_lane *L, double dist, double v)
{
    double vmax = L->vmax > 0.1 ? L->vmax : 0.1;
    if (v >= vmax) return dist / vmax;
    if (v < 0) v = 0;
    double d_acc = (vmax * vmax - v * v) / (2 * INC_ACCEL);
    if (d_acc >= dist) return (sqrt(v * v + 2 * INC_ACCEL * dist) - v) / INC_ACCEL;
    return (vmax - v) / INC_ACCEL + (dist - d_acc) / vmax;
}

static void fifo_push(inc_det *d, inc_fifo *s, double entered, double due)
{
    if (s->n == s->cap) {     /* more than the loops can hold: counts lost; start over */
        s->n = 0;
        s->head = 0;
    }
    uint32_t at = s->first + (s->head + s->n) % s->cap;
    d->entered[at] = entered;
    d->due[at] = due;
    s->n++;
}

static void fifo_pop(inc_fifo *s)
{
    if (!s->n) return;        /* a vehicle counted out that was never counted in */
    s->head = (s->head + 1) % s->cap;
    s->n--;
}

/* Held vehicles past due (the first ones: none passes the one ahead). */
static int fifo_late(const inc_det *d, const inc_fifo *s, double now)
{
    int k = 0;
    while ((uint32_t)k < s->n && d->due[s->first + (s->head + (uint32_t)k) % s->cap] < now) k++;
    return k;
}

/* Vehicles held between the lane's mid-block loop k and its stop-line
 * loop: all between its end loops but those before loop k (the stretches'
 * counts can disagree for a step when a vehicle passes two loops in it). */
static uint32_t held_after(const inc_det *d, uint32_t lane, uint32_t k)
{
    const inc_lane *L = &d->cfg.lanes[lane];
    uint32_t n = d->ls[lane].q.n, before = 0;
    for (uint32_t j = 0; j <= k; j++) before += d->ms[L->first_mid + j].q.n;
    return n > before ? n - before : 0;
}

/* Vehicles held between the lane's entry and stop-line loops. */
static uint32_t held(const inc_det *d, uint32_t lane)
{
    return d->ls[lane].q.n;
}

/* Is a lane queued back to its entry?  Its entry loop says so when a
 * vehicle stands over it; but a point loop falls into the gap between two
 * standing cars one time in three, so the count between the loops says so
 * too when it fills 80% of the stretch at jam spacing (real queues stand a
 * little looser than bumper to bumper). */
static bool lane_full(const inc_det *d, uint32_t lane)
{
    const inc_lane *L = &d->cfg.lanes[lane];
    const lane_state *s = &d->ls[lane];
    double run = L->stop_pos - L->entry_pos;
    return s->occ_in > 0.5 || (double)held(d, lane) * INC_JAM_SPACING >= 0.8 * run;
}

/* A lane this one feeds is queued back to its start. */
static bool downstream_backed(const inc_det *d, uint32_t lane)
{
    const inc_lane *L = &d->cfg.lanes[lane];
    for (uint32_t j = 0; j < L->n_down; j++)
        if (lane_full(d, d->cfg.down[L->first_down + j])) return true;
    return false;
}

/* Rule START: the lane fed by `lane` that nobody has entered since
 * `lane` was blocked, although its traffic made that unlikely; or
 * UINT32_MAX; or INC_EXPLAINED while such a lane already has an alert
 * (the upstream blockage is its effect, not a second incident). */
#define INC_EXPLAINED (UINT32_MAX - 1)
static uint32_t blocked_start(const inc_det *d, uint32_t lane, double now)
{
    const inc_lane *L = &d->cfg.lanes[lane];
    const lane_state *s = &d->ls[lane];
    uint32_t best = UINT32_MAX;
    double best_p = 0.05;
    for (uint32_t j = 0; j < L->n_down; j++) {
        uint32_t x = d->cfg.down[L->first_down + j];
        const lane_state *sx = &d->ls[x];
        if (sx->alert >= 0 && d->alerts[sx->alert].rule == INC_RULE_START) return INC_EXPLAINED;
        if (sx->last_in > s->block_since || lane_full(d, x)) continue;
        double p = exp(-sx->lambda_in * (now - sx->last_in));
        if (p < best_p) {
            best_p = p;
            best = x;
        }
    }
    return best;
}

/*--- the step ------------------------------------------------------------------------*/

/* Could `n` vehicles stand as a queue over a stretch of `len` metres?
 * Within a place (a short stretch holds 2.5 places: two vehicles fill it)
 * and 20% (real queues stand a little looser than bumper to bumper). */
static bool stands_full(uint32_t n, double len)
{
    return (double)(n + 1) * INC_JAM_SPACING >= 0.8 * len;
}

/* Rule MIDBLOCK at mid-block loop k of lane l: its oldest vehicle is
 * overdue there, the loop has been neither passed nor covered for `quiet`
 * seconds and nobody has passed the stop line for as long; the vehicles
 * below the loop (to the stop line, and to the next loop) could not stand
 * there as a queue; and the next loop (or the stop line) has not been
 * passed for `quiet` plus the time a queue's start wave takes from there.
 * A normal queue stands from the stop line back: where it holds vehicles
 * before a loop, the loop is covered or, in the gap between two cars, the
 * stretch below is full; while it discharges, movement comes up through
 * the loops below.  An obstacle leaves the stretch below it to drain. */
static bool midblock(const inc_det *d, uint32_t l, uint32_t k, double now)
{
    const inc_config *c = &d->cfg;
    const inc_lane *L = &c->lanes[l];
    const lane_state *s = &d->ls[l];
    const mid_state *m = &d->ms[L->first_mid + k];
    if (!m->q.n || d->due[m->q.first + m->q.head] >= now) return false;
    if (now - m->last_act < c->quiet || now - s->last_out < c->quiet) return false;
    double pos = c->mid_pos[L->first_mid + k], below = L->stop_pos - pos;
    /* a standing queue below the loop, to the stop line or to the next loop */
    if (stands_full(held_after(d, l, k), below)) return false;
    bool last = k + 1 == L->n_mid;
    double next_pos = last ? L->stop_pos : c->mid_pos[L->first_mid + k + 1];
    uint32_t between = last ? held_after(d, l, k) : d->ms[L->first_mid + k + 1].q.n;
    if (stands_full(between, next_pos - pos)) return false;
    /* movement at the next loop reaches this one through a queue between
     * them within their distance over the start wave's speed (movement
     * further down passes the next loop first) */
    double next_pass = last ? s->last_out : d->ms[L->first_mid + k + 1].last_pass;
    return now - next_pass >= c->quiet + (next_pos - pos) / INC_WAVE;
}

void inc_step(inc_det *d, double now, const inc_obs *obs)
{
    inc_step_loops(d, now, obs, NULL);
}

void inc_step_loops(inc_det *d, double now, const inc_obs *obs, const inc_mid_obs *mid)
{
    const inc_config *c = &d->cfg;
    const double alpha = c->dt / 10.0 < 1 ? c->dt / 10.0 : 1;
    const double alpha_l = c->dt / 300.0 < 1 ? c->dt / 300.0 : 1;
    /* First every lane's memories, so that the downstream tests below
     * read this step's state for all of them.  Vehicles passing the entry
     * loop in this step passed it during the step: at now - dt/2. */
    for (size_t l = 0; l < c->n_lanes; l++) {
        lane_state *s = &d->ls[l];
        const inc_lane *L = &c->lanes[l];
        s->occ_in += alpha * ((double)obs[l].occ_in - s->occ_in);
        s->lambda += alpha_l * ((double)obs[l].in / c->dt - s->lambda);
        double t_in = now - c->dt / 2;
        /* the whole lane's stretch, and with mid-block loops the stretches
         * before each, upstream to downstream so that a vehicle passing two
         * loops in one step is pushed before it is popped */
        if (obs[l].in) {
            s->last_in = now;
            s->lambda_in = s->lambda;
            double due = t_in + free_run(L, L->stop_pos - L->entry_pos, obs[l].v_in) * (1 + c->stretch) + c->slack;
            for (uint16_t k = 0; k < obs[l].in; k++) fifo_push(d, &s->q, t_in, due);
            if (L->n_mid) {
                due = t_in + free_run(L, c->mid_pos[L->first_mid] - L->entry_pos, obs[l].v_in) * (1 + c->stretch) +
                      c->slack;
                for (uint16_t k = 0; k < obs[l].in; k++) fifo_push(d, &d->ms[L->first_mid].q, t_in, due);
            }
        }
        for (uint32_t j = 0; j < L->n_mid && mid; j++) {
            const inc_mid_obs *mo = &mid[L->first_mid + j];
            mid_state *m = &d->ms[L->first_mid + j];
            if (mo->n || mo->occ) m->last_act = now;
            if (!mo->n) continue;
            m->last_pass = now;
            for (uint16_t k = 0; k < mo->n; k++) fifo_pop(&m->q);
            if (j + 1 == L->n_mid) continue;       /* past the last: the lane's FIFO */
            double pos = c->mid_pos[L->first_mid + j], next_pos = c->mid_pos[L->first_mid + j + 1];
            double due = t_in + free_run(L, next_pos - pos, mo->v) * (1 + c->stretch) + c->slack;
            for (uint16_t k = 0; k < mo->n; k++) fifo_push(d, &d->ms[L->first_mid + j + 1].q, t_in, due);
        }
        if (obs[l].out) s->last_out = now;
        for (uint16_t k = 0; k < obs[l].out; k++) fifo_pop(&s->q);
    }
    for (size_t b = 0; b < c->n_boxes; b++) {
        d->box_backed[b] = 0;
        for (uint32_t j = c->box_first[b]; j < c->box_first[b + 1] && !d->box_backed[b]; j++)
            d->box_backed[b] = lane_full(d, c->box_exits[j]);
    }
    for (size_t l = 0; l < c->n_lanes; l++) {
        lane_state *s = &d->ls[l];
        const inc_obs *o = &obs[l];
        const inc_lane *L = &c->lanes[l];
        /* A queue from downstream explains a silent or blocked stop line:
         * while one stands, the lane's clocks do not run. */
        bool backed = downstream_backed(d, (uint32_t)l);
        if (o->out || o->occ_out) {
            s->last_act = now;
            s->backed_since = -1;
        } else if (backed) {
            /* explains the silence for `block` seconds at most */
            if (s->backed_since < 0) s->backed_since = now;
            if (now - s->backed_since < c->block) s->last_act = now;
        } else {
            s->backed_since = -1;
        }
        if (o->out || !o->occ_out) {
            s->block_green = 0;
            s->block_since = -1;
            s->block_line = false;
        } else {
            if (s->block_since < 0) s->block_since = now - c->dt;
            if (o->occ_line) s->block_line = true;
            bool box = L->box != UINT32_MAX && d->box_backed[L->box];
            if (o->green && !backed && !box) s->block_green += c->dt;
        }
        if (s->alert >= 0) {
            const inc_alert *a = &d->alerts[s->alert];
            bool moved = a->rule == INC_RULE_OVERDUE    ? (o->out || o->occ_out)
                         : a->rule == INC_RULE_BLOCKED  ? (o->out || !o->occ_out)
                         : a->rule == INC_RULE_MIDBLOCK ? d->ms[s->alert_mid].last_act >= now
                                                        : o->in > 0;
            if (moved) clear_alert(d, (uint32_t)l, now);
            continue;
        }
        if (now < s->rest_until) continue;
        bool raised = false;
        for (uint32_t k = 0; k < L->n_mid && !raised; k++) {
            if (!midblock(d, (uint32_t)l, k, now)) continue;
            const mid_state *m = &d->ms[L->first_mid + k];
            uint32_t h = m->q.first + m->q.head;
            double start = m->last_act > d->entered[h] ? m->last_act : d->entered[h];
            if (start > d->due[h]) start = d->due[h];
            double conf = 1 - pow(0.5, fifo_late(d, &m->q, now));
            if (raise_alert(d, (uint32_t)l, INC_RULE_MIDBLOCK, start, now, conf > 0.99 ? 0.99 : conf,
                            (int)held(d, (uint32_t)l))) {
                s->alert_mid = L->first_mid + k;
                d->alerts[s->alert].from_m = mid_upstream_pos(c, L, k);
                d->alerts[s->alert].to_m = c->mid_pos[L->first_mid + k];
            }
            raised = true;
        }
        if (raised) continue;
        const inc_fifo *q = &s->q;
        uint32_t h = q->first + q->head;
        bool released = s->mid_cleared >= 0 && s->last_act <= s->mid_cleared;   /* the same incident */
        if (q->n && d->due[h] < now && now - s->last_act >= c->quiet && !released) {
            int late = fifo_late(d, q, now);
            /* The obstacle appeared after the stop loop last saw traffic
             * and before the oldest held vehicle was due there. */
            double start = s->last_act > d->entered[h] ? s->last_act : d->entered[h];
            if (start > d->due[h]) start = d->due[h];
            double conf = 1 - pow(0.5, late);
            raise_alert(d, (uint32_t)l, INC_RULE_OVERDUE, start, now, conf > 0.99 ? 0.99 : conf, (int)held(d, (uint32_t)l));
            continue;
        }
        if (s->block_since >= 0 && s->block_green >= c->block) {
            /* a head held back from the line: the obstacle is in this zone */
            uint32_t x = s->block_line ? blocked_start(d, (uint32_t)l, now) : UINT32_MAX;
            if (x == INC_EXPLAINED) continue;
            if (x == UINT32_MAX) {
                double conf = 1 - pow(0.5, 1 + s->block_green / c->block);
                raise_alert(d, (uint32_t)l, INC_RULE_BLOCKED, s->block_since, now, conf, (int)held(d, (uint32_t)l) + 1);
            } else if (d->ls[x].alert < 0 && now >= d->ls[x].rest_until) {
                /* silence that long at its rate: p = exp(-lambda t) */
                double p = exp(-d->ls[x].lambda_in * (now - d->ls[x].last_in));
                raise_alert(d, x, INC_RULE_START, s->block_since, now, 1 - p, (int)held(d, (uint32_t)l) + 1);
            }
        }
    }
}

void inc_restart(inc_det *d, double now)
{
    for (size_t l = 0; l < d->cfg.n_lanes; l++) {
        clear_alert(d, (uint32_t)l, now);
        lane_state *s = &d->ls[l];
        s->q.head = s->q.n = 0;
        s->mid_cleared = -1;
        s->last_act = now;
        s->last_out = now;
        s->block_green = 0;
        s->block_since = -1;
        s->block_line = false;
        s->backed_since = -1;
        s->occ_in = 0;
        s->rest_until = 0;
    }
    for (size_t k = 0; k < d->cfg.n_mid; k++) {
        d->ms[k].q.head = d->ms[k].q.n = 0;
        d->ms[k].last_act = d->ms[k].last_pass = now;
    }
}

size_t inc_alert_count(const inc_det *d) { return d->n_alerts; }
const inc_alert *inc_alert_get(const inc_det *d, size_t k) { return k < d->n_alerts ? &d->alerts[k] : NULL; }

bool inc_event_next(const inc_det *d, uint64_t *cursor, size_t *k, bool *raised)
{
    if (*cursor >= d->n_events) return false;
    const inc_event *ev = &d->events[*cursor];
    *k = ev->alert;
    *raised = ev->raised;
    ++*cursor;
    return true;
}
