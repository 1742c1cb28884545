/* test_emergency_preempt.c -- emergency vehicles and signal preemption on
 * generated grids.
 *
 * The corridor is the 1x3 grid's middle row: road_0_1_0 (270 m),
 * road_1_1_0 and road_2_1_0 (240 m each), road_3_1_0 (270 m), through the
 * three signals intersection_1_1..3_1, limit 16.67 m/s: 1020 m that the
 * emergency vehicle runs in 45.9 s without signals (its free_flow): on duty
 * it may drive at 1.5 times the limit, 25 m/s, but its max speed of
 * 22.22 m/s (80 km/h) caps it.  An ordinary vehicle (speed factor 1) needs
 * 61.2 s.  The signals run the papers' FixedTime (25 s greens, 5 s
 * yellow, a 120 s cycle) through the safety layer (minimum green 5 s). */
#include "test.h"
#include "citybrain_ops.h"

/* Traffic, when there is some: a vehicle every 20 s on each flow. */
static cb_engine *open_grid(int rows, int cols, bool empty, bool turns, bool external)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = rows;
    g.cols = cols;
    g.empty = empty;
    g.turns = turns;
    g.flow_interval = 20;
    cb_options o;
    cb_options_init(&o);
    o.external_signals = external ? 1 : 0;
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (cb_engine_open_grid(&g, &o, &e, &err)) fprintf(stderr, "  grid: %s\n", err.msg);
    return e;
}

static size_t road(const cb_engine *e, const char *id)
{
    long k = cb_engine_road_find(e, id);
    return k < 0 ? (size_t)-1 : (size_t)k;
}

/* What the engine showed at every site, step by step, checked against the
 * safety layer's rules from the outside: a change between two different
 * greens shows the yellow phase for the full yellow time, and a green that
 * ends has shown at least the minimum green. */
typedef struct watch {
    size_t n;
    int *inter, *yellow, *shown, *run, *last_green;
    int violations;
} watch;

static void watch_open(watch *w, const cb_signals *sig)
{
    w->n = cb_signals_site_count(sig);
    w->inter = calloc(w->n + 1, sizeof *w->inter);
    w->yellow = calloc(w->n + 1, sizeof *w->yellow);
    w->shown = calloc(w->n + 1, sizeof *w->shown);
    w->run = calloc(w->n + 1, sizeof *w->run);
    w->last_green = calloc(w->n + 1, sizeof *w->last_green);
    w->violations = 0;
    for (size_t i = 0; i < w->n; i++) {
        w->inter[i] = (int)cb_signals_site_intersection(sig, i);
        w->yellow[i] = cb_signals_sites(sig)[i].yellow_phase;
        w->shown[i] = w->last_green[i] = -1;
    }
}

/* After a step: phases are what the engine shows (cb_engine_phase). */
static void watch_step(watch *w, const cb_engine *e)
{
    for (size_t i = 0; i < w->n; i++) {
        int p = cb_engine_phase(e, (size_t)w->inter[i]);
        if (p == w->shown[i]) {
            w->run[i]++;
            continue;
        }
        int prev = w->shown[i], len = w->run[i];
        if (prev >= 0 && prev != w->yellow[i] && w->last_green[i] >= 0 && len < 5) w->violations++;  /* min green */
        if (prev == w->yellow[i] && w->last_green[i] >= 0 && p != w->last_green[i] && len < 5) w->violations++;
        if (prev >= 0 && prev != w->yellow[i] && p != w->yellow[i]) w->violations++;   /* green to green */
        if (p != w->yellow[i]) w->last_green[i] = p;
        w->shown[i] = p;
        w->run[i] = 1;
    }
}

static void watch_close(watch *w)
{
    free(w->inter);
    free(w->yellow);
    free(w->shown);
    free(w->run);
    free(w->last_green);
}

typedef struct trip_result {
    cb_ev_status st;
    int violations;
    int64_t switches_after;   /* greens begun after the arrival */
    bool holds_after;         /* a hold seen after the arrival */
    double t_end;
} trip_result;

/* One corridor trip dispatched at `t`, until 120 s after its arrival;
 * speed_factor 0 keeps the default vehicle's. */
static int corridor_trip(double t, bool preempt, double speed_factor, trip_result *r)
{
    memset(r, 0, sizeof *r);
    cb_engine *e = open_grid(1, 3, true, false, true);
    if (!e) return -1;
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.preempt = preempt;
    if (speed_factor > 0) cfg.ev.speed_factor = speed_factor;
    cb_opsloop *l = NULL;
    cb_error err = { 0 };
    int rc = cb_opsloop_open(e, "fixedtime", NULL, &cfg, &l, &err);
    size_t id = 0;
    if (!rc) rc = cb_ops_dispatch(cb_opsloop_ops(l), road(e, "road_0_1_0"), road(e, "road_3_1_0"), t, &id, &err);
    if (rc) {
        fprintf(stderr, "  %s\n", err.msg);
        cb_opsloop_close(l);
        cb_engine_close(e);
        return rc;
    }
    watch w;
    watch_open(&w, cb_opsloop_signals(l));
    int hold[8];
    cb_control_stats st0 = { 0 };
    double arrived = -1;
    while (!rc && (arrived < 0 || cb_engine_time(e) < arrived + 120) && cb_engine_time(e) < t + 600) {
        rc = cb_opsloop_step(l, &err);
        watch_step(&w, e);
        cb_ops_ev(cb_opsloop_ops(l), id, &r->st, NULL);
        if (r->st.state == CB_EV_ARRIVED && arrived < 0) {
            arrived = cb_engine_time(e);
            cb_opsloop_stats(l, &st0);
        }
        if (arrived >= 0) {
            cb_ops_holds(cb_opsloop_ops(l), hold);
            for (size_t i = 0; i < cb_signals_site_count(cb_opsloop_signals(l)); i++) r->holds_after |= hold[i] >= 0;
        }
    }
    cb_control_stats st1;
    cb_opsloop_stats(l, &st1);
    r->switches_after = st1.switches - st0.switches;
    r->violations = w.violations;
    r->t_end = cb_engine_time(e);
    watch_close(&w);
    cb_opsloop_close(l);
    cb_engine_close(e);
    return rc;
}

/* Over a whole cycle of dispatch times, the vehicle without preemption
 * meets red (stops) in most; with it, it never stops and its travel time
 * no longer depends on when it left: the same, to one step, for every
 * dispatch time, and within 15 s of its free flow (it starts from rest and
 * crosses three 30 m boxes, which free_flow leaves out); never slower than
 * without.  The layer's rules hold throughout, the holds end with the
 * trip, and FixedTime goes on switching afterwards. */
TEST(green_waves_on_the_corridor)
{
    int stopped_without = 0;
    double first = -1;
    for (double t = 0; t < 120; t += 10) {
        trip_result a, b;
        ASSERT_EQ_INT(corridor_trip(t, false, 0, &a), CB_OK);
        ASSERT_EQ_INT(corridor_trip(t, true, 0, &b), CB_OK);
        ASSERT_EQ_INT(a.st.state, CB_EV_ARRIVED);
        ASSERT_EQ_INT(b.st.state, CB_EV_ARRIVED);
        ASSERT_NEAR(a.st.free_flow, 1020 / 22.22, 0.01);
        ASSERT_NEAR(b.st.free_flow, 1020 / 22.22, 0.01);
        stopped_without += a.st.stops > 0;
        ASSERT_EQ_INT(a.st.preemptions, 0);
        ASSERT_EQ_INT(b.st.stops, 0);
        ASSERT(b.st.preemptions >= 1 && b.st.preemptions <= 3);
        ASSERT(b.st.travel_time <= b.st.free_flow + 15);
        if (first < 0) first = b.st.travel_time;
        ASSERT_NEAR(b.st.travel_time, first, 1.0 + 1e-9);     /* one step */
        ASSERT(b.st.travel_time <= a.st.travel_time);
        ASSERT_NEAR(b.st.start, t, 1e-9);
        ASSERT_NEAR(b.st.arrival - b.st.start, b.st.travel_time, 1e-9);
        ASSERT_EQ_INT(a.violations, 0);
        ASSERT_EQ_INT(b.violations, 0);
        ASSERT(!b.holds_after);
        ASSERT(b.switches_after > 0);
        ASSERT_STR_EQ(b.st.vehicle, "manually_pushed_0");
    }
    ASSERT(stopped_without >= 6);
}

/* The vehicle on duty drives above the limit, an ordinary one does not:
 * with green waves on the empty corridor neither stops, the first runs
 * within 15 s of 1020 m at 22.22 m/s (start from rest and three boxes), the
 * second takes at least 1020 m at the 16.67 m/s limit. */
TEST(on_duty_it_exceeds_the_limit)
{
    trip_result fast, slow;
    ASSERT_EQ_INT(corridor_trip(40, true, 0, &fast), CB_OK);
    ASSERT_EQ_INT(corridor_trip(40, true, 1, &slow), CB_OK);
    ASSERT_EQ_INT(fast.st.state, CB_EV_ARRIVED);
    ASSERT_EQ_INT(slow.st.state, CB_EV_ARRIVED);
    ASSERT_EQ_INT(fast.st.stops, 0);
    ASSERT_EQ_INT(slow.st.stops, 0);
    ASSERT_NEAR(slow.st.free_flow, 1020 / 16.67, 0.01);
    ASSERT(fast.st.travel_time <= 1020 / 22.22 + 15);
    ASSERT(fast.st.travel_time < 1020 / 16.67);
    ASSERT(slow.st.travel_time >= 1020 / 16.67);
    ASSERT_EQ_INT(fast.violations, 0);
    ASSERT_EQ_INT(slow.violations, 0);
}

/* Background traffic is the same in runs with and without preemption
 * until the dispatch (the engine's digests agree); the vehicle itself
 * is never slower with preemption. */
TEST(same_background_until_the_dispatch)
{
    uint64_t digest[2] = { 0, 0 };
    double tt[2] = { 0, 0 };
    for (int k = 0; k < 2; k++) {
        cb_engine *e = open_grid(1, 3, false, true, true);
        ASSERT(e);
        cb_ops_config cfg;
        cb_ops_config_init(&cfg);
        cfg.preempt = k == 1;
        cb_opsloop *l = NULL;
        cb_error err = { 0 };
        ASSERT_EQ_INT(cb_opsloop_open(e, "maxpressure", NULL, &cfg, &l, &err), CB_OK);
        size_t id;
        ASSERT_EQ_INT(cb_ops_dispatch(cb_opsloop_ops(l), road(e, "road_0_1_0"), road(e, "road_3_1_0"), 300, &id, &err),
                      CB_OK);
        cb_ev_status st;
        do {
            if (cb_engine_time(e) == 299) digest[k] = cb_engine_digest(e);
            ASSERT_EQ_INT(cb_opsloop_step(l, &err), CB_OK);
            cb_ops_ev(cb_opsloop_ops(l), id, &st, NULL);
        } while (st.state != CB_EV_ARRIVED && cb_engine_time(e) < 1200);
        ASSERT_EQ_INT(st.state, CB_EV_ARRIVED);
        tt[k] = st.travel_time;
        ASSERT(cb_opsloop_held_steps(l) == 0 || k == 1);
        if (k == 1) ASSERT(cb_opsloop_held_steps(l) > 0);
        cb_opsloop_close(l);
        cb_engine_close(e);
    }
    ASSERT(digest[0] != 0);
    ASSERT(digest[0] == digest[1]);
    ASSERT(tt[1] <= tt[0]);
}

/* Without emergency vehicles the operations loop is cb_control's loop: the
 * same controller gives the same run, step for step. */
TEST(without_vehicles_the_loop_is_cb_control)
{
    const char *ctls[] = { "maxpressure", "fixedtime", "auto", "fixed" };
    for (int c = 0; c < 4; c++) {
        bool fixed = strcmp(ctls[c], "fixed") == 0;
        cb_engine *a = open_grid(2, 2, false, true, !fixed), *b = open_grid(2, 2, false, true, !fixed);
        ASSERT(a && b);
        cb_error err = { 0 };
        cb_control *ctl = NULL;
        cb_opsloop *l = NULL;
        cb_ops_config cfg;
        cb_ops_config_init(&cfg);
        ASSERT_EQ_INT(cb_control_open(a, ctls[c], NULL, &ctl, &err), CB_OK);
        ASSERT_EQ_INT(cb_opsloop_open(b, ctls[c], NULL, &cfg, &l, &err), CB_OK);
        ASSERT_STR_EQ(cb_opsloop_name(l), cb_control_name(ctl));
        for (int i = 0; i < 900; i++) {
            ASSERT_EQ_INT(cb_control_step(ctl, &err), CB_OK);
            ASSERT_EQ_INT(cb_opsloop_step(l, &err), CB_OK);
        }
        ASSERT(cb_engine_digest(a) == cb_engine_digest(b));
        cb_control_stats s1, s2;
        cb_control_stats_get(ctl, &s1);
        cb_opsloop_stats(l, &s2);
        ASSERT_EQ_INT(s1.switches, s2.switches);
        ASSERT_EQ_INT(s1.decisions, s2.decisions);
        ASSERT_NEAR(s1.mean_queue, s2.mean_queue, 1e-12);
        cb_control_close(ctl);
        cb_opsloop_close(l);
        cb_engine_close(a);
        cb_engine_close(b);
    }
}

/* The roadnet's own plans cannot be preempted (no safety layer to ask):
 * the vehicle is still routed and followed, and no hold is made. */
TEST(fixed_plans_route_without_holds)
{
    cb_engine *e = open_grid(1, 3, true, false, false);
    ASSERT(e);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cb_opsloop *l = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_opsloop_open(e, "fixed", NULL, &cfg, &l, &err), CB_OK);
    ASSERT(cb_opsloop_signals(l) == NULL);
    size_t id;
    ASSERT_EQ_INT(cb_ops_dispatch(cb_opsloop_ops(l), road(e, "road_0_1_0"), road(e, "road_3_1_0"), 5, &id, &err), CB_OK);
    cb_ev_status st;
    ASSERT_EQ_INT(cb_ops_ev(cb_opsloop_ops(l), id, &st, &err), CB_OK);
    ASSERT_EQ_INT(st.state, CB_EV_SCHEDULED);
    ASSERT_NEAR(st.start, -1, 0);
    do {
        ASSERT_EQ_INT(cb_opsloop_step(l, &err), CB_OK);
        cb_ops_ev(cb_opsloop_ops(l), id, &st, NULL);
        if (st.state == CB_EV_ENROUTE) ASSERT(st.road != (size_t)-1);
    } while (st.state != CB_EV_ARRIVED && cb_engine_time(e) < 600);
    ASSERT_EQ_INT(st.state, CB_EV_ARRIVED);
    ASSERT_EQ_INT(st.preemptions, 0);
    ASSERT_EQ_INT(cb_opsloop_held_steps(l), 0);
    ASSERT_EQ_INT(cb_ops_ev(cb_opsloop_ops(l), 1, &st, &err), CB_ENOTFOUND);
    cb_opsloop_close(l);
    cb_engine_close(e);
}

/* Two vehicles crossing the middle signal on conflicting movements, one
 * west to east and one south to north, dispatched together: both arrive,
 * the layer's rules hold, and at most one hold is active at that site at
 * any step (the first comes first). */
TEST(two_vehicles_share_a_site)
{
    cb_engine *e = open_grid(1, 3, true, false, true);
    ASSERT(e);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cb_opsloop *l = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_opsloop_open(e, "fixedtime", NULL, &cfg, &l, &err), CB_OK);
    cb_ops *o = cb_opsloop_ops(l);
    ASSERT_EQ_INT(cb_ops_dispatch(o, road(e, "road_0_1_0"), road(e, "road_3_1_0"), 10, NULL, &err), CB_OK);
    ASSERT_EQ_INT(cb_ops_dispatch(o, road(e, "road_2_0_1"), road(e, "road_2_1_1"), 25, NULL, &err), CB_OK);
    ASSERT_EQ_INT(cb_ops_ev_count(o), 2);
    watch w;
    watch_open(&w, cb_opsloop_signals(l));
    cb_ev_status s0, s1;
    do {
        ASSERT_EQ_INT(cb_opsloop_step(l, &err), CB_OK);
        watch_step(&w, e);
        cb_ops_ev(o, 0, &s0, NULL);
        cb_ops_ev(o, 1, &s1, NULL);
    } while ((s0.state != CB_EV_ARRIVED || s1.state != CB_EV_ARRIVED) && cb_engine_time(e) < 600);
    ASSERT_EQ_INT(s0.state, CB_EV_ARRIVED);
    ASSERT_EQ_INT(s1.state, CB_EV_ARRIVED);
    ASSERT_EQ_INT(w.violations, 0);
    ASSERT(s0.preemptions >= 1 && s1.preemptions >= 1);
    watch_close(&w);
    cb_opsloop_close(l);
    cb_engine_close(e);
}

TEST_MAIN()
