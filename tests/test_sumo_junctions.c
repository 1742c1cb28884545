/* test_sumo_junctions.c -- SUMO's rules at junctions without a signal:
 * stop signs, all-way stops, right before left, and how a driver
 * approaches a link it must yield at.
 *
 * The networks are one cross, made three times by SUMO 1.15's netconvert
 * from the same nodes and edges with only the centre's type changed
 * (tests/data/sumo/cross_stop, cross_allway and cross_rbl.net.xml): four
 * one-lane arms of 150 m at 13.89 m/s, W-E the major road.  Cars have
 * sigma 0 and speedDev 0 and depart at full speed.  Known answers are SUMO
 * 1.15's own (sumo -n NET -r ROUTES --tripinfo-output):
 *   - priority_stop, one car at a time: W->E 22 s, no stop; S->N 26 s,
 *     standing 1 s: it stops at the sign although nobody comes.
 *   - allway_stop: every car stands 1 s.  Left turns from S and N at 0 s
 *     and straights from W and E at 3 s: the lefts, which stood first,
 *     arrive at 26 s, the straights at 29 s.  W, S, E at 0, 1, 2 s: they
 *     arrive in that order (26, 29, 31 s).
 *   - right_before_left, one car W->E: 22 s with 0.6 s of time loss (it
 *     keeps a speed from which it could stop until it sees the foes, 4.5 m
 *     before the junction; at the major road of priority_stop: none).  W,
 *     S, E at 0, 1, 2 s: E, with nobody on its right, passes first, then
 *     S, then W (arrivals 24, 27, 29 s).
 *   - priority_stop, a left turn from N (NC->CE, into the major road's
 *     lane) at 0 s behind a W->E car at 1 s: with a second W->E car at
 *     10 s, the turner waits 10 s and arrives 35 s, after it (32 s); with
 *     the second car at 14 s it waits 1 s (the sign) and arrives 26 s,
 *     before it (36 s).
 *   - priority_stop, a W->E stream of one car every 4 s from 0 to 300 s
 *     and one S->N car at 30 s: it waits 58 s and takes 84 s; with a car
 *     every 7 s, 6 s and 31 s.
 *   - priority_stop, the stream every 5 and 6 s: 50 s and 76 s, 42 s and
 *     68 s.
 *   - right_before_left, a left turn from N (NC->CE) at 30 s across an S->N
 *     stream every 6 s: it slows behind one car and goes before the next
 *     without stopping (waits 0 s, takes 25 s); every 8 s: 3 s and 28 s.
 *     Merging into a W->E stream every 6 and 8 s: 55 s and 80 s, 35 s and
 *     60 s.
 * Our cars enter as SUMO's do, their back at the lane start (SUMO's
 * departPos "base"), so a lone car is where SUMO's is at every step; ours
 * is counted from the step after it enters, so times differ by a second.
 * The tests hold the order and the stands, and times within 2 s. */
#include "test.h"
#include "test_sumo.h"

#define DATA CB_SOURCE_DIR "/tests/data/sumo/"
#define CAR "<vType id=\"c\" sigma=\"0\" speedDev=\"0\"/>"
#define MAX_CARS 4

typedef struct trip {
    double seen, gone;   /* first step it is running, first step it is not */
    int stood;           /* steps it ended below 0.1 m/s */
} trip;

/* Run `routes` on `net` for 200 s, following the cars flow_0_0 ..
 * flow_{n-1}_0 (SUMO's vehicles in file order); *time_loss: the mean. */
static int run_cars(const char *net, const char *routes, int n, trip *t, double *time_loss)
{
    cb_engine *e = NULL;
    cb_error err = { 0 };
    if (test_sumo_open(net, "cb_test_junctions.rou.xml", routes, 1, &e, &err) != CB_OK) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return -1;
    }
    for (int i = 0; i < n; i++) t[i] = (trip){ -1, -1, 0 };
    while (cb_engine_time(e) < 200) {
        if (cb_engine_step(e, &err) != CB_OK) break;
        for (int i = 0; i < n; i++) {
            char id[32];
            snprintf(id, sizeof id, "flow_%d_0", i);
            cb_vehicle v;
            if (cb_engine_vehicle(e, id, &v, &err) == CB_OK) {
                if (t[i].seen < 0) t[i].seen = cb_engine_time(e);
                if (v.running && v.speed < 0.1) t[i].stood++;
            } else if (t[i].seen >= 0 && t[i].gone < 0) {
                t[i].gone = cb_engine_time(e);
            }
        }
    }
    cb_trip_stats ts;
    cb_engine_trip_stats(e, &ts);
    if (time_loss) *time_loss = ts.mean_time_loss;
    cb_engine_close(e);
    for (int i = 0; i < n; i++)
        if (t[i].gone < 0) return -1;
    return 0;
}

static double took(const trip *t) { return t->gone - t->seen; }

TEST(a_stop_sign_makes_the_minor_driver_stand_once)
{
    trip t[2];
    ASSERT_EQ_INT(run_cars(DATA "cross_stop.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"major\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"minor\" type=\"c\" depart=\"60\" departSpeed=\"max\"><route edges=\"SC CN\"/></vehicle>"
                           "</routes>", 2, t, NULL), 0);
    ASSERT_EQ_INT(t[0].stood, 0);                 /* the major road goes through */
    ASSERT_NEAR(took(&t[0]), 22, 2);
    ASSERT_EQ_INT(t[1].stood, 1);                 /* the sign: one step at rest */
    ASSERT(took(&t[1]) - took(&t[0]) >= 3);       /* SUMO: 4 s later */
    ASSERT(took(&t[1]) - took(&t[0]) <= 6);
}

/* Once it has stood, a driver merging into the major road's lane lets a
 * car it can see coming pass, even 10 s away (sim_speed.c, unsafe_merge);
 * one that is not in sight yet it does not wait for.  Before the rule
 * ours went in front of the car due at 10 s. */
TEST(a_standing_driver_merges_only_behind_the_cars_it_sees_coming)
{
    trip t[3];
    ASSERT_EQ_INT(run_cars(DATA "cross_stop.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"n\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"NC CE\"/></vehicle>"
                           "<vehicle id=\"w\" type=\"c\" depart=\"1\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"v\" type=\"c\" depart=\"10\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "</routes>", 3, t, NULL), 0);
    ASSERT(t[0].gone > t[2].gone);                /* SUMO: 35 s, after the car at 10 s (32 s) */
    ASSERT_NEAR(took(&t[0]), 35, 2);
    ASSERT_NEAR(t[0].stood, 10, 2);               /* SUMO: waits 10 s */
    ASSERT_EQ_INT(run_cars(DATA "cross_stop.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"n\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"NC CE\"/></vehicle>"
                           "<vehicle id=\"w\" type=\"c\" depart=\"1\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"v\" type=\"c\" depart=\"14\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "</routes>", 3, t, NULL), 0);
    ASSERT(t[0].gone < t[2].gone);                /* SUMO: 26 s, before the car at 14 s (36 s) */
    ASSERT_NEAR(took(&t[0]), 26, 2);
    ASSERT_EQ_INT(t[0].stood, 1);                 /* only the sign */
}

/* Crossing a stream rather than merging into it: SUMO lets a driver
 * standing at the sign go only when the next car of the stream, as its
 * impatience lets it expect that car to brake, arrives more than 1 s after
 * it has crossed the whole junction, both times as SUMO's drivers estimate
 * them (sim_speed.c, sumo_cross_first).  A car every 4, 5 or 6 s leaves no
 * such gap, so SUMO's driver waits 58, 50 or 42 s for its impatience;
 * every 7 s leaves one, and it waits 6 s.  Before the rule ours crossed the
 * 4 s stream after 10 s; with our own estimate of the time to cross, the
 * 6 s stream after 6 s. */
TEST(a_standing_driver_crosses_a_dense_stream_only_when_impatient)
{
    static const struct { int period; double stood, took; } cases[] = {
        { 4, 58, 84 }, { 5, 50, 76 }, { 6, 42, 68 }, { 7, 6, 31 } };
    for (int k = 0; k < 4; k++) {
        char routes[512];
        snprintf(routes, sizeof routes,
                 "<routes>" CAR
                 "<flow id=\"w\" type=\"c\" begin=\"0\" end=\"300\" period=\"%d\" departSpeed=\"max\"><route edges=\"WC CE\"/></flow>"
                 "<vehicle id=\"s\" type=\"c\" depart=\"30\" departSpeed=\"max\"><route edges=\"SC CN\"/></vehicle>"
                 "</routes>", cases[k].period);
        trip t[2];
        ASSERT_EQ_INT(run_cars(DATA "cross_stop.net.xml", routes, 2, t, NULL), 0);
        ASSERT_NEAR(t[1].stood, cases[k].stood, 2);   /* ours: 58, 50, 42 and 5 s */
        ASSERT_NEAR(took(&t[1]), cases[k].took, 2);
    }
}

/* Follow a lone car (`vehicle`, the route file's only element) on `net`:
 * after each of n steps from time `from` on, it is at want[k] (metres
 * along its lane, m/s), to 0.01 as SUMO's FCD prints them. */
static void lone_car_is_at(const char *net, const char *vehicle, double from, const double (*want)[2], int n)
{
    char routes[512];
    snprintf(routes, sizeof routes, "<routes>" CAR "%s</routes>", vehicle);
    cb_engine *e = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(test_sumo_open(net, "cb_test_junctions_lone.rou.xml", routes, 1, &e, &err), CB_OK);
    while (cb_engine_time(e) < from) ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
    for (int k = 0; k < n; k++) {
        cb_vehicle v;
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        ASSERT_EQ_INT(cb_engine_vehicle(e, "flow_0_0", &v, &err), CB_OK);
        ASSERT_NEAR(v.distance, want[k][0], 0.01);
        ASSERT_NEAR(v.speed, want[k][1], 0.01);
    }
    cb_engine_close(e);
}

/* A car enters with its back at the lane start, at its length plus 0.1 m
 * (SUMO's departPos "base"), and drives on from there: SUMO's car is at
 * 5.10 m in the step it enters and at 18.99 m one step later. */
TEST(a_car_enters_with_its_back_at_the_lane_start)
{
    static const double want[][2] = { { 5.10, 13.89 }, { 18.99, 13.89 } };
    lone_car_is_at(DATA "cross_stop.net.xml",
                   "<vehicle id=\"w\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>",
                   0, want, 2);
}

/* A driver that must stop at a red light stops a metre before the line,
 * as SUMO's does (its DIST_TO_STOPLINE_EXPECT_PRIORITY: it will get its
 * turn, so it need not stand at the line).  SUMO 1.15 on the signalised
 * cross of tests/data/sumo (its own program, red from 33 s), a car
 * entering W at 30 s: 85.53 m at 10.98 m/s, 92.02 at 6.48, 94.00 at 1.98,
 * then standing at 94.00 m of the 95 m lane.  Ours stood at 95 m before. */
TEST(a_car_stops_a_metre_before_a_red_light)
{
    static const double want[][2] = { { 85.53, 10.98 }, { 92.02, 6.48 }, { 94.00, 1.98 }, { 94.00, 0 }, { 94.00, 0 } };
    lone_car_is_at(DATA "cross.net.xml",
                   "<vehicle id=\"x\" type=\"c\" depart=\"30\" departLane=\"0\" departSpeed=\"max\"><route edges=\"WJ JE\"/></vehicle>",
                   36, want, 5);
}

/* At a right_before_left junction a left-turner yields to the oncoming
 * stream.  SUMO decides at the line only about the cars still approaching
 * (MSLink::opened) and follows one already on the junction as a leader
 * whose back must clear the crossing point (MSLink::getLeaderInfo): behind
 * a car of an S->N stream every 6 s it goes without stopping.  Asked about
 * the car on the junction too, ours stood 55 s.  Merging into a W->E
 * stream, it waits as SUMO's does (ours 75 and 52 s before, when our cars
 * entered 5 m further back than SUMO's). */
TEST(a_left_turner_goes_behind_a_car_on_the_junction)
{
    static const struct { const char *stream; int period; double stood, took; } cases[] = {
        { "SC CN", 6, 0, 25 }, { "SC CN", 8, 3, 28 }, { "WC CE", 6, 55, 80 }, { "WC CE", 8, 35, 60 } };
    for (int k = 0; k < 4; k++) {
        char routes[512];
        snprintf(routes, sizeof routes,
                 "<routes>" CAR
                 "<flow id=\"f\" type=\"c\" begin=\"0\" end=\"300\" period=\"%d\" departSpeed=\"max\"><route edges=\"%s\"/></flow>"
                 "<vehicle id=\"n\" type=\"c\" depart=\"30\" departSpeed=\"max\"><route edges=\"NC CE\"/></vehicle>"
                 "</routes>", cases[k].period, cases[k].stream);
        trip t[2];
        ASSERT_EQ_INT(run_cars(DATA "cross_rbl.net.xml", routes, 2, t, NULL), 0);
        ASSERT_NEAR(t[1].stood, cases[k].stood, 2);
        ASSERT_NEAR(took(&t[1]), cases[k].took, 2);
    }
}

TEST(an_all_way_stop_serves_drivers_in_the_order_they_stood)
{
    trip t[4];
    /* lefts from S and N first, straights from W and E 3 s later */
    ASSERT_EQ_INT(run_cars(DATA "cross_allway.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"sl\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"SC CW\"/></vehicle>"
                           "<vehicle id=\"nl\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"NC CE\"/></vehicle>"
                           "<vehicle id=\"w\" type=\"c\" depart=\"3\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"e\" type=\"c\" depart=\"3\" departSpeed=\"max\"><route edges=\"EC CW\"/></vehicle>"
                           "</routes>", 4, t, NULL), 0);
    for (int i = 0; i < 4; i++) ASSERT(t[i].stood >= 1);
    /* the lefts stood first and go first, though straights outrank lefts
     * at a priority junction */
    ASSERT(t[0].gone < t[2].gone && t[0].gone < t[3].gone);
    ASSERT(t[1].gone < t[2].gone && t[1].gone < t[3].gone);
    ASSERT_NEAR(took(&t[0]), 26, 2);
    ASSERT_NEAR(took(&t[2]), 26, 2);
    /* three straights a second apart: first come, first served */
    ASSERT_EQ_INT(run_cars(DATA "cross_allway.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"w\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"s\" type=\"c\" depart=\"1\" departSpeed=\"max\"><route edges=\"SC CN\"/></vehicle>"
                           "<vehicle id=\"e\" type=\"c\" depart=\"2\" departSpeed=\"max\"><route edges=\"EC CW\"/></vehicle>"
                           "</routes>", 3, t, NULL), 0);
    ASSERT(t[0].gone < t[1].gone);
    ASSERT(t[1].gone < t[2].gone);
}

TEST(right_before_left_slows_the_approach_and_yields_to_the_right)
{
    trip t[3];
    double loss_rbl, loss_major;
    const char *one = "<routes>" CAR
                      "<vehicle id=\"w\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                      "</routes>";
    ASSERT_EQ_INT(run_cars(DATA "cross_stop.net.xml", one, 1, t, &loss_major), 0);
    ASSERT(loss_major < 0.1);                     /* the major road: no loss */
    ASSERT_EQ_INT(run_cars(DATA "cross_rbl.net.xml", one, 1, t, &loss_rbl), 0);
    ASSERT_EQ_INT(t[0].stood, 0);                 /* no stop without a foe */
    ASSERT(loss_rbl > 0.3);                       /* but slower on the approach (SUMO 0.6 s) */
    ASSERT(loss_rbl < 3);
    ASSERT_EQ_INT(run_cars(DATA "cross_rbl.net.xml",
                           "<routes>" CAR
                           "<vehicle id=\"w\" type=\"c\" depart=\"0\" departSpeed=\"max\"><route edges=\"WC CE\"/></vehicle>"
                           "<vehicle id=\"s\" type=\"c\" depart=\"1\" departSpeed=\"max\"><route edges=\"SC CN\"/></vehicle>"
                           "<vehicle id=\"e\" type=\"c\" depart=\"2\" departSpeed=\"max\"><route edges=\"EC CW\"/></vehicle>"
                           "</routes>", 3, t, NULL), 0);
    ASSERT(t[2].gone < t[1].gone);                /* E has nobody on its right */
    ASSERT(t[1].gone < t[0].gone);                /* W has S on its right */
}

/* Stand times are kept between the two parallel phases of a step: busy
 * all-way stop traffic from every arm gives the same state for any thread
 * count, and it moves (every car crosses). */
TEST(all_way_stop_traffic_is_the_same_for_any_thread_count)
{
    const char *r = "<routes><vType id=\"c\" sigma=\"0.5\" speedDev=\"0.1\"/>"
                    "<flow id=\"w\" type=\"c\" begin=\"0\" end=\"300\" period=\"7\"><route edges=\"WC CE\"/></flow>"
                    "<flow id=\"e\" type=\"c\" begin=\"1\" end=\"300\" period=\"8\"><route edges=\"EC CS\"/></flow>"
                    "<flow id=\"s\" type=\"c\" begin=\"2\" end=\"300\" period=\"9\"><route edges=\"SC CN\"/></flow>"
                    "<flow id=\"n\" type=\"c\" begin=\"3\" end=\"300\" period=\"6\"><route edges=\"NC CE\"/></flow></routes>";
    uint64_t dig[2];
    for (int k = 0; k < 2; k++) {
        cb_engine *e = NULL;
        cb_error err = { 0 };
        ASSERT_EQ_INT(test_sumo_open(DATA "cross_allway.net.xml", "cb_test_allway_threads.rou.xml", r, k + 1, &e, &err),
                      CB_OK);
        while (cb_engine_time(e) < 600 && cb_engine_step(e, &err) == CB_OK) {}
        dig[k] = cb_engine_digest(e);
        cb_trip_stats t;
        cb_engine_trip_stats(e, &t);
        ASSERT(t.inserted > 150);
        ASSERT_EQ_INT((int)t.finished, (int)t.inserted);   /* nobody is left at the stop */
        ASSERT(t.mean_waiting_time >= 1);                     /* everybody stood at least once */
        cb_engine_close(e);
    }
    ASSERT(dig[0] == dig[1]);
}

TEST_MAIN()
