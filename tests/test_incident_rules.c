/* test_incident_rules.c -- the incident detector's rules (src/incident) on
 * hand-made loop data, where every answer follows from the rules' text:
 *
 * Lanes are 300 m long with the entry loop at 5 m and the stop-bar counting
 * edge at 285 m, limit 10 m/s: a vehicle passing the entry at 10 m/s runs
 * the 280 m in 28 s, and with stretch 0.05 and slack 3 it is due at the
 * stop line 32.4 s after it passed the entry (it passed at the middle of
 * its step, now - 0.5). */
#include "test.h"
#include "incident/incident.h"

enum { N_LANES = 4 };

/* Lane 0 feeds lanes 1 and 2 (one intersection, box 0, whose exits are
 * lanes 1 and 2); lane 3 stands alone. */
static const uint32_t down[] = { 1, 2 };
static const uint32_t box_first[] = { 0, 2 };
static const uint32_t box_exits[] = { 1, 2 };

static inc_det *open_detector(inc_lane *lanes)
{
    for (int l = 0; l < N_LANES; l++)
        lanes[l] = (inc_lane){ 300, 5, 285, 10, 0, 0, UINT32_MAX, 0, 0 };
    lanes[0].first_down = 0;
    lanes[0].n_down = 2;
    lanes[0].box = 0;
    inc_config c = { 1.0, 0.05, 3, 4, 60, N_LANES, lanes, down, 1, box_first, box_exits, 0, NULL };
    return inc_open(&c);
}

/* One step of lane l: n vehicles past the entry at 10 m/s, m past the stop
 * bar; a covered stop bar has its head at the line (the line loop covered). */
static void put(inc_obs *o, int l, int n, int m, int occ_out, int green)
{
    o[l] = (inc_obs){ n ? 10.0f : 0.0f, (uint16_t)n, (uint16_t)m, 0, (uint8_t)occ_out, (uint8_t)green, (uint8_t)occ_out };
}

/* Free-flowing lane 3: a vehicle every 10 s, each leaving 28 s later (the
 * stop bar covered for the 2 steps it takes to cross it). */
static void free_flow(inc_obs *o, int t, int l, int until)
{
    int in = t % 10 == 0 && t < until;
    int out = t >= 38 && (t - 28) % 10 == 0 && t - 28 < until;
    int cover = t >= 38 && (t - 28) % 10 <= 1 && t - 28 < until;
    put(o, l, in, out, cover, 1);
}

TEST(steady_traffic_raises_nothing)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 3600; t++) {
        memset(o, 0, sizeof o);
        free_flow(o, t, 3, 4000);
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 0);
    inc_close(d);
}

/* Vehicles keep entering lane 3, but from t = 200 none reaches the stop
 * bar.  The last to leave entered at t = 170 and left at 198; the first
 * held entered at 180 (passed at 179.5), so it is due at 211.9: the alert
 * comes at 212 (the stop bar silent since 199 > 4 s), with a start between
 * its last exit (198) and that due time.  It clears when vehicles leave
 * again, and is raised once. */
TEST(vehicles_held_between_the_loops_raise_one_alert)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 400; t++) {
        memset(o, 0, sizeof o);
        free_flow(o, t, 3, 4000);
        if (t > 199 && t < 400) o[3].out = 0, o[3].occ_out = 0;   /* nothing reaches the stop bar */
        if (t == 400) o[3].out = 1, o[3].occ_out = 1;             /* the blockage is gone */
        inc_step(d, t, o);
        if (t == 211) ASSERT_EQ_INT(inc_alert_count(d), 0);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    const inc_alert *a = inc_alert_get(d, 0);
    ASSERT_EQ_INT(a->lane, 3);
    ASSERT_EQ_INT(a->rule, INC_RULE_OVERDUE);
    ASSERT_NEAR(a->raised, 212, 1e-9);
    ASSERT_NEAR(a->start, 199, 1e-9);     /* the stop bar last saw traffic at 199 (covered) */
    ASSERT_NEAR(a->cleared, 400, 1e-9);
    ASSERT(a->confidence >= 0.5 && a->confidence < 1);
    uint64_t cur = 0;
    size_t k;
    bool raised;
    ASSERT(inc_event_next(d, &cur, &k, &raised) && raised && k == 0);
    ASSERT(inc_event_next(d, &cur, &k, &raised) && !raised && k == 0);
    ASSERT(!inc_event_next(d, &cur, &k, &raised));
    inc_close(d);
}

/* A queue standing on the stop bar at red is normal, however long; in green
 * it must move: after 60 s of green with nobody leaving, BLOCKED, with the
 * start when the stop bar became covered. */
TEST(a_covered_stop_bar_counts_only_green_time)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 500; t++) {
        memset(o, 0, sizeof o);
        /* vehicles arrive every 10 s and queue; the bar is covered from t = 30 */
        put(o, 3, t % 10 == 0, 0, t >= 30, t > 400);
        inc_step(d, t, o);
        if (t == 459) ASSERT_EQ_INT(inc_alert_count(d), 0);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    const inc_alert *a = inc_alert_get(d, 0);
    ASSERT_EQ_INT(a->lane, 3);
    ASSERT_EQ_INT(a->rule, INC_RULE_BLOCKED);
    ASSERT_NEAR(a->raised, 460, 1e-9);
    ASSERT_NEAR(a->start, 29, 1e-9);
    inc_close(d);
}

/* Lane 0's vehicles are overdue and its stop bar silent, but lane 1, which
 * it feeds, is queued back over its entry loop: a jam, not an incident --
 * for 60 s (block).  Lane 1 is full from t = 1 (its smoothed entry
 * occupancy passes 0.5 at t = 7), so the silence is explained until
 * t = 66; the first vehicle (entry at 9.5 s) is long overdue by then and
 * the alert comes when the quiet clock (4 s) runs out: t = 70. */
TEST(a_queue_downstream_explains_a_silent_stop_line)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 600; t++) {
        memset(o, 0, sizeof o);
        put(o, 0, t % 10 == 0, 0, 0, 1);
        o[1].occ_in = 1;
        inc_step(d, t, o);
        if (t == 69) ASSERT_EQ_INT(inc_alert_count(d), 0);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    ASSERT_EQ_INT(inc_alert_get(d, 0)->lane, 0);
    ASSERT_NEAR(inc_alert_get(d, 0)->raised, 70, 1e-9);
    /* a stop bar that keeps seeing its head (the queue reaches it) is never
     * overdue, however long lane 1 stays full */
    inc_close(d);
    d = open_detector(lanes);
    for (int t = 1; t <= 600; t++) {
        memset(o, 0, sizeof o);
        put(o, 0, t % 10 == 0, 0, t > 40, 1);
        o[1].occ_in = 1;
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 0);
    /* the same without the queue downstream: an alert on lane 0 */
    inc_close(d);
    d = open_detector(lanes);
    for (int t = 1; t <= 600; t++) {
        memset(o, 0, sizeof o);
        put(o, 0, t % 10 == 0, 0, 0, 1);
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    ASSERT_EQ_INT(inc_alert_get(d, 0)->lane, 0);
    inc_close(d);
}

/* Lane 0 stands blocked in green with its stop bar covered from t = 601;
 * of the lanes it feeds, lane 1 had a vehicle every 4 s until t = 600 and
 * none since (a silence of 60 s at that rate has odds below 1e-4), lane 2
 * keeps receiving them: the obstacle is at lane 1's start. */
TEST(a_blocked_lane_start_is_named)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 700; t++) {
        memset(o, 0, sizeof o);
        put(o, 0, 0, t <= 600 && t % 4 == 0, t > 600, 1);
        put(o, 1, t <= 600 && t % 4 == 0, t > 30 && t <= 630 && t % 4 == 0, 0, 1);
        put(o, 2, t % 4 == 0, t > 30 && t % 4 == 0, 0, 1);
        inc_step(d, t, o);
        if (t == 659) ASSERT_EQ_INT(inc_alert_count(d), 0);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    const inc_alert *a = inc_alert_get(d, 0);
    ASSERT_EQ_INT(a->lane, 1);
    ASSERT_EQ_INT(a->rule, INC_RULE_START);
    ASSERT_NEAR(a->raised, 660, 1e-9);    /* 60 s of green from the covered start at 601 */
    ASSERT_NEAR(a->start, 600, 1e-9);
    ASSERT(a->confidence > 0.999);
    inc_close(d);
}

/* The same blockage as above, but the queue's head stands back from the
 * line (the stop-bar zone covered, its line loop never): the obstacle is in
 * lane 0's own stop-bar zone, and the alert is BLOCKED on lane 0, although
 * lane 1 went silent as well (lane 0 was its only feeder). */
TEST(a_head_held_back_from_the_line_is_this_lane)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 700; t++) {
        memset(o, 0, sizeof o);
        put(o, 0, 0, t <= 600 && t % 4 == 0, t > 600, 1);
        o[0].occ_line = 0;
        put(o, 1, t <= 600 && t % 4 == 0, t > 30 && t <= 630 && t % 4 == 0, 0, 1);
        put(o, 2, t % 4 == 0, t > 30 && t % 4 == 0, 0, 1);
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    const inc_alert *a = inc_alert_get(d, 0);
    ASSERT_EQ_INT(a->lane, 0);
    ASSERT_EQ_INT(a->rule, INC_RULE_BLOCKED);
    ASSERT_NEAR(a->raised, 660, 1e-9);
    ASSERT_NEAR(a->start, 600, 1e-9);
    inc_close(d);
}

/* A restart (the twin's demand looping) clears what is active. */
TEST(a_restart_clears_active_alerts)
{
    inc_lane lanes[N_LANES];
    inc_det *d = open_detector(lanes);
    ASSERT(d);
    inc_obs o[N_LANES];
    for (int t = 1; t <= 300; t++) {
        memset(o, 0, sizeof o);
        put(o, 3, t % 10 == 0, 0, 0, 1);
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    ASSERT(inc_alert_get(d, 0)->cleared < 0);
    inc_restart(d, 300);
    ASSERT_NEAR(inc_alert_get(d, 0)->cleared, 300, 1e-9);
    /* an empty lane afterwards stays quiet */
    for (int t = 301; t <= 600; t++) {
        memset(o, 0, sizeof o);
        inc_step(d, t, o);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    inc_close(d);
}

/*--- mid-block loops ---------------------------------------------------------------*/

/* One lane 1000 m long: entry loop at 5 m, stop-bar counting edge at 985 m
 * (its presence zone to the line at 1000 m), mid-block loops every 50 m
 * after the entry (55, 105, ..., 955: 19 loops), limit 10 m/s.  Vehicles
 * are 5 m long and drive at 10 m/s until they reach their `cap` (where
 * they stand), or leave at 1000 m; the loops see exactly that. */
enum { MID_N = 19, MID_CARS = 64 };
static double mid_pos[MID_N];

typedef struct mid_car {
    double enter, cap;        /* s it passed 5 m; where it stands (or 1e9) */
    double go;                /* s it drives on from there (or 1e9) */
} mid_car;

static double car_pos(const mid_car *c, double t)
{
    if (t < c->enter) return -1;
    double at = t < c->go ? t : c->go;
    double p = 5 + 10 * (at - c->enter);
    if (p > c->cap) p = c->cap;
    return p + (t > c->go ? 10 * (t - c->go) : 0);
}

static inc_det *open_mid_detector(inc_lane *lane)
{
    for (int j = 0; j < MID_N; j++) mid_pos[j] = 5 + 50.0 * (j + 1);
    *lane = (inc_lane){ 1000, 5, 985, 10, 0, 0, UINT32_MAX, 0, MID_N };
    static const uint32_t none[] = { 0 };
    inc_config c = { 1.0, 0.05, 3, 4, 60, 1, lane, none, 0, none, none, MID_N, mid_pos };
    return inc_open(&c);
}

/* The loops' readings of step t (from t - 1 to t). */
static void mid_observe(const mid_car *cars, int n, int t, inc_obs *o, inc_mid_obs *m)
{
    memset(o, 0, sizeof *o);
    memset(m, 0, MID_N * sizeof *m);
    o->green = 1;
    for (int i = 0; i < n; i++) {
        double a = car_pos(&cars[i], t - 1), b = car_pos(&cars[i], t);
        if (b < 0 || a > 1000) continue;          /* not yet, or gone */
        if (a < 5 && b >= 5) o->in++, o->v_in = 10;
        if (a < 985 && b >= 985) o->out++;
        for (int j = 0; j < MID_N; j++) {
            if (a < mid_pos[j] && b >= mid_pos[j]) m[j].n++, m[j].v = 10;
            if (b <= 1000 && b >= mid_pos[j] && b - 5 <= mid_pos[j]) m[j].occ = 1;
        }
        if (b <= 1000 && b >= 985) o->occ_out = 1;
        if (b <= 1000 && b >= 998) o->occ_line = 1;
    }
}

/* A vehicle every 10 s from t = 0 to 290.  At t = 200 an obstacle appears
 * at 130 m: the vehicle that passed 105 m at 200 (entered at 190) and all
 * behind it stand in a queue behind it; those ahead drive on and leave.
 * That vehicle is due at the 155 m loop at 199.5 + 5 * 1.05 + 3 = 207.75;
 * the 205 m loop was last passed at 200 (the vehicle of 180), so movement
 * there could reach 155 m through a queue until 200 + 4 + 50 / 3 = 220.7;
 * the stop line counts a vehicle every 10 s (the one of 120 at 218), so it
 * is quiet for 4 s first at 222.  The alert comes at 222 and names the
 * stretch between the 105 and 155 m loops; the whole lane's rule would
 * wait for the vehicle of 130, due at the stop line at 235.4.  At 300 the
 * obstacle goes and the queue leaves, one vehicle every 2 s: the first
 * passes 155 m during step 303, which clears the alert; the vehicles it
 * held are late at the stop line, but that is the same incident, not a
 * second alert. */
TEST(mid_block_loops_find_an_obstacle_between_them)
{
    inc_lane lane;
    inc_det *d = open_mid_detector(&lane);
    ASSERT(d);
    mid_car cars[30];
    for (int i = 0; i < 30; i++) {
        cars[i].enter = 10.0 * i;
        cars[i].cap = cars[i].enter >= 190 ? 130 - 7.5 * (i - 19) : 1e9;
        cars[i].go = cars[i].enter >= 190 ? 300 + 2.0 * (i - 19) : 1e9;
    }
    inc_obs o;
    inc_mid_obs m[MID_N];
    for (int t = 1; t <= 600; t++) {
        mid_observe(cars, 30, t, &o, m);
        inc_step_loops(d, t, &o, m);
        if (t == 221) ASSERT_EQ_INT(inc_alert_count(d), 0);
    }
    ASSERT_EQ_INT(inc_alert_count(d), 1);
    const inc_alert *a = inc_alert_get(d, 0);
    ASSERT_EQ_INT(a->rule, INC_RULE_MIDBLOCK);
    ASSERT_NEAR(a->raised, 222, 1e-9);
    ASSERT_NEAR(a->from_m, 105, 1e-9);
    ASSERT_NEAR(a->to_m, 155, 1e-9);
    ASSERT_NEAR(a->start, 199.5, 1e-9);   /* the held vehicle passed 105 m then */
    ASSERT_NEAR(a->cleared, 303, 1e-9);
    ASSERT(car_pos(&cars[29], 600) > 1000);   /* everybody left: nothing more to see */
    inc_close(d);
}

/* A red light that never ends: vehicles stand from the line back at 7.5 m
 * spacing (fronts at 999, 991.5, ...), so the 955 m loop falls into the
 * gap between the fifth and sixth (954 to 956.5): nobody covers or passes
 * it while the sixth and those behind it are overdue there.  The four
 * standing between it and the stop-bar edge fill that 30 m stretch, which
 * says queue, not obstacle: no alert. */
TEST(mid_block_loop_in_a_standing_queue_gap_raises_nothing)
{
    inc_lane lane;
    inc_det *d = open_mid_detector(&lane);
    ASSERT(d);
    mid_car cars[MID_CARS];
    for (int i = 0; i < MID_CARS; i++) cars[i] = (mid_car){ 10.0 * i, 999 - 7.5 * i, 1e9 };
    inc_obs o;
    inc_mid_obs m[MID_N];
    for (int t = 1; t <= 400; t++) {
        mid_observe(cars, 30, t, &o, m);
        o.green = 0;
        inc_step_loops(d, t, &o, m);
    }
    /* the queue did reach past the loop in its gap */
    ASSERT(car_pos(&cars[6], 400) < 955 && car_pos(&cars[5], 400) > 955 + 1.5);
    /* the stop bar is covered: the whole lane's rules stay quiet as well */
    ASSERT_EQ_INT(inc_alert_count(d), 0);
    inc_close(d);
}

TEST_MAIN()
