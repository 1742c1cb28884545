/* test_engine.c -- the simulation rules on tiny cities with known answers.
 *
 * The city is tests/test_city.h.  Expected values are derived in the comments from the model's definition
 * (cityflow-semantics.md s. 6-8, docs/engine.md), not from the engine. */
#include "test.h"
#include "citybrain.h"

#include <stdio.h>

#include "test_city.h"

/* One vehicle, green throughout.  Speeds 0,2,4,6,8,10 then 10 (maxSpeed):
 * position after k steps is 1,4,9,16,25, then 25 + 10(k-5).  It passes the
 * end (600 m) when 25 + 10(k-5) > 600, i.e. k = 63, during step 62: travel
 * time 62 s.  It leaves r1 (290 m) when 25 + 10(k-5) > 290, k = 32: on r1
 * from "after step 0" (t=1) to "after step 31" (t=32), so published ATT 31. */
TEST(free_flow_travel_time)
{
    cb_engine *e = new_city("free", "[{\"time\":1000,\"availableRoadLinks\":[0]}]",
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]", false, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.created, 1);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 62.0, 1e-9);
    ASSERT_NEAR(m.published_att, 31.0, 1e-9);
    ASSERT_EQ_INT(m.published_vehicles, 1);
    ASSERT_EQ_INT(m.veh_updates, 63);              /* it was decided in steps 0..62 */
    cb_engine_close(e);
}

/* All red: the vehicle must stop before the stop line and never enter the
 * intersection; it then counts as waiting (speed < 0.1 m/s). */
TEST(red_light_stops_vehicle)
{
    cb_engine *e = new_city("red", "[{\"time\":1000,\"availableRoadLinks\":[]}]",
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]", false, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 200), 0);
    cb_vehicle v;
    cb_error err;
    ASSERT_EQ_INT(cb_engine_vehicle(e, "flow_0_0", &v, &err), CB_OK);
    ASSERT(v.running);
    ASSERT_EQ_INT(v.drivable, 0);                  /* still on r1's lane */
    ASSERT(v.distance <= 290.0 && v.distance > 285.0);
    ASSERT(v.speed < 0.1);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 0);
    ASSERT_EQ_INT(m.waiting, 1);
    uint32_t counts[2], waiting[2];
    cb_engine_lane_vehicle_counts(e, counts);
    cb_engine_lane_waiting_counts(e, waiting);
    ASSERT_EQ_INT(counts[0], 1);
    ASSERT_EQ_INT(waiting[0], 1);
    ASSERT_EQ_INT(counts[1], 0);
    cb_engine_close(e);
}

/* External signals: red until we switch B to phase 1 (green) at t = 100;
 * then the stopped vehicle leaves.  Its travel time is at least 100 s
 * plus the 310 m from the stop line at full acceleration. */
TEST(external_phase_switch)
{
    cb_engine *e = new_city("ext", "[{\"time\":5,\"availableRoadLinks\":[]},{\"time\":5,\"availableRoadLinks\":[0]}]",
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]", true, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    ASSERT_EQ_INT(cb_engine_phase(e, 1), 0);       /* external mode: no cycling */
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 0);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_set_phase(e, 1, 1, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_set_phase(e, 1, 2, &err), CB_EINVAL);   /* no phase 2 */
    ASSERT_EQ_INT(cb_engine_set_phase(e, 7, 0, &err), CB_EINVAL);   /* no intersection 7 */
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 1);
    /* from rest at the line: 310 m take 1,4,9,16,25 then +10: 25+10(k-5) > 310 -> k = 34 */
    ASSERT_NEAR(m.engine_att, 100.0 + 33.0, 1e-9);
    cb_engine_close(e);
}

/* Fixed-time plan: phases of 5, 30 and 30 s cycle in file order from
 * phase 0; a phase ends when its remaining time drops to 0. */
TEST(fixed_time_cycle)
{
    cb_engine *e = new_city("cycle",
                           "[{\"time\":5,\"availableRoadLinks\":[]},{\"time\":30,\"availableRoadLinks\":[0]},"
                           "{\"time\":30,\"availableRoadLinks\":[]}]",
                           "[]", false, NULL);
    ASSERT(e);
    int expect[] = { 0, 0, 0, 0, 0, 1 };
    for (int t = 0; t < 6; t++) {
        ASSERT_EQ_INT(cb_engine_phase(e, 1), expect[t]);
        ASSERT_EQ_INT(run_steps(e, 1), 0);
    }
    ASSERT_EQ_INT(run_steps(e, 29), 0);            /* t = 35 */
    ASSERT_EQ_INT(cb_engine_phase(e, 1), 2);
    ASSERT_EQ_INT(run_steps(e, 30), 0);            /* t = 65: back to 0 */
    ASSERT_EQ_INT(cb_engine_phase(e, 1), 0);
    cb_engine_close(e);
}

/* Flow schedule: interval 10 from 0 to 35 creates vehicles at 0,10,20,30
 * (4), and the entering queue holds them until there is room: two
 * vehicles due at the same second on one lane enter one per step at most. */
TEST(flow_schedule_and_entering_queue)
{
    cb_engine *e = new_city("flows", "[{\"time\":1000,\"availableRoadLinks\":[0]}]",
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":10,\"startTime\":0,\"endTime\":35},"
                           " {\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":50,\"endTime\":50},"
                           " {\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":50,\"endTime\":50}]", false, NULL);
    ASSERT(e);
    cb_metrics m;
    ASSERT_EQ_INT(run_steps(e, 45), 0);
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.created, 4);
    ASSERT_EQ_INT(m.queued, 0);
    ASSERT_EQ_INT(run_steps(e, 6), 0);             /* step 50 done */
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.created, 6);
    ASSERT_EQ_INT(m.queued, 1);                    /* the second waits: the first is at 1 m */
    /* the first moves 1, 4, 9: its rear (x - 5) exceeds minGap 2.5 only at x = 9,
     * after step 52, so the second enters in step 53 */
    ASSERT_EQ_INT(run_steps(e, 2), 0);
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.queued, 1);
    ASSERT_EQ_INT(run_steps(e, 1), 0);
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.queued, 0);
    cb_engine_close(e);
}

/* Engine ATT counts unfinished vehicles up to "now" (and the time they
 * waited to enter): one vehicle stopped at a red light since t=0 has an
 * engine ATT equal to the simulated time, and no published ATT (it never
 * left its incoming lane). */
TEST(engine_att_counts_unfinished)
{
    cb_engine *e = new_city("unf", "[{\"time\":1000,\"availableRoadLinks\":[]}]",
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]", false, NULL);
    ASSERT(e);
    ASSERT_EQ_INT(run_steps(e, 300), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_NEAR(m.engine_att, 300.0, 1e-9);
    ASSERT_EQ_INT(m.published_vehicles, 0);
    ASSERT_NEAR(m.published_att, 0.0, 1e-12);
    cb_engine_close(e);
}

/* A step of a millisecond at least (CB_INTERVAL_MIN): 1e-300 s would turn
 * an incident at 1e9 s, or a flow's period, into a step count beyond 64
 * bits.  NaN is no interval either. */
TEST(intervals_below_a_millisecond_are_refused)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 1;
    const double bad[] = { 1e-300, 0.0009, -1, NAN, 3601 };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cb_options o;
        cb_options_init(&o);
        o.interval = bad[k];
        cb_engine *e = NULL;
        cb_error err;
        ASSERT_EQ_INT(cb_engine_open_grid(&g, &o, &e, &err), CB_EINVAL);
        ASSERT_CONTAINS(err.msg, "interval must be between 0.001 and 3600 s");
    }
    cb_options o;
    cb_options_init(&o);
    o.interval = CB_INTERVAL_MIN;
    cb_engine *e = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_engine_open_grid(&g, &o, &e, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 1, 1e9 - 1, 1e9, NULL, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
    cb_engine_close(e);
}

TEST_MAIN()
