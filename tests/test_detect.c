/* test_detect.c -- loop detectors and lane-blocking incidents on the tiny
 * city of test_city.h, with answers derived from the kinematics there: a
 * lone vehicle is at 1, 4, 9, 16, 25 m after 1..5 steps, then gains 10 m
 * per step; r1's lane is 290 m long. */
#include "test.h"
#include "test_city.h"

#define ONE_VEHICLE "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":1,\"startTime\":0,\"endTime\":0}]"
#define GREEN "[{\"time\":1000,\"availableRoadLinks\":[0]}]"
#define RED "[{\"time\":1000,\"availableRoadLinks\":[]}]"

/* Loops at 10 m and at 285 m.  The front passes 10 m in step 4 (9 -> 16 m,
 * ending at 8 m/s) and 285 m in step 31 (275 -> 285 m, at 10 m/s).  A 5 m
 * vehicle covers the 10 m loop at no step end (9 m, then 16 m), and the
 * 285 m loop only at the end of step 31. */
TEST(detectors_count_a_passing_vehicle)
{
    cb_engine *e = new_city("det", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    cb_detector_reading r[2];
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, false, r, &err), CB_ESTATE);
    ASSERT_EQ_INT(cb_engine_enable_detectors(e, 10, 5, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, true, r, &err), CB_OK);
    ASSERT_NEAR(r[0].position, 10, 1e-9);
    ASSERT_NEAR(r[1].position, 285, 1e-9);
    ASSERT_EQ_INT(r[0].count, 1);
    ASSERT_NEAR(r[0].mean_speed, 8.0, 1e-9);
    ASSERT_NEAR(r[0].occupancy, 0.0, 1e-12);
    ASSERT_EQ_INT(r[1].count, 1);
    ASSERT_NEAR(r[1].mean_speed, 10.0, 1e-9);
    ASSERT_NEAR(r[1].occupancy, 0.01, 1e-12);
    ASSERT_NEAR(r[1].period, 100.0, 1e-9);
    ASSERT_NEAR(r[1].flow_per_hour, 36.0, 1e-9);
    /* after the reset: nothing more passed */
    ASSERT_EQ_INT(run_steps(e, 10), 0);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, false, r, &err), CB_OK);
    ASSERT_EQ_INT(r[0].count + r[1].count, 0);
    ASSERT_NEAR(r[1].period, 10.0, 1e-9);
    /* r2 (lane 1): its entry loop saw the vehicle arrive from the link */
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 1, false, r, &err), CB_OK);
    ASSERT_EQ_INT(r[0].count, 1);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 9, false, r, &err), CB_EINVAL);
    cb_engine_close(e);
}

/* A queue at a red light sits on the stop-line loop: occupancy near 1. */
TEST(queue_occupies_stop_line_loop)
{
    cb_engine *e = new_city("detq", RED,
                           "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":5,\"startTime\":0,\"endTime\":100}]", false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_enable_detectors(e, 10, 5, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_detector_reading r[2];
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, true, r, &err), CB_OK);   /* first vehicle arrives ~t=35 */
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, false, r, &err), CB_OK);
    ASSERT_NEAR(r[1].occupancy, 1.0, 1e-12);
    ASSERT_EQ_INT(r[1].count, 0);                 /* nobody passed the stop line */
    cb_engine_close(e);
}

/* An incident at 100 m from t = 0 to 60: the vehicle stops before it and
 * waits; once it clears, it drives on and finishes.  Its travel time is
 * then 60 s plus the 500 m from a standing start at 100 m (with a small
 * creep margin: it stops at most 1 m short of the obstacle... checked as
 * a range), against 62 s without the incident. */
TEST(incident_blocks_lane_until_cleared)
{
    cb_engine *e = new_city("inc", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    size_t id;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 100, 0, 60, &id, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 400, 0, 60, NULL, &err), CB_EINVAL);   /* beyond the lane */
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 50, 30, 20, NULL, &err), CB_EINVAL);   /* ends first */
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 50, 30, 2e302, NULL, &err), CB_EINVAL); /* no step number */
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 50, 30, NAN, NULL, &err), CB_EINVAL);
    ASSERT_EQ_INT(run_steps(e, 55), 0);
    cb_vehicle v;
    ASSERT_EQ_INT(cb_engine_vehicle(e, "flow_0_0", &v, &err), CB_OK);
    ASSERT(v.distance <= 100.0 && v.distance > 90.0);
    ASSERT(v.speed < 0.1);
    cb_incident in;
    ASSERT_EQ_INT(cb_engine_incident(e, id, &in, &err), CB_OK);
    ASSERT(in.active);
    ASSERT_EQ_INT(run_steps(e, 200), 0);
    ASSERT_EQ_INT(cb_engine_incident(e, id, &in, &err), CB_OK);
    ASSERT(!in.active);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 1);
    /* from rest at <= 100 m: 1,4,9,16,25 then +10: 500 m need 53 steps, after t = 60 */
    ASSERT(m.engine_att >= 60 + 52 && m.engine_att <= 60 + 54);
    /* at most 10,000 incidents in one engine (cleared ones count) */
    for (size_t k = cb_engine_incident_count(e); k < 10000; k++)
        ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 10, 1000, 1001, NULL, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 10, 1000, 1001, NULL, &err), CB_ELIMIT);
    ASSERT_CONTAINS(err.msg, "at most 10000 incidents");
    cb_engine_close(e);
}

/* A vehicle already past the obstacle when it appears is not affected. */
TEST(incident_behind_a_vehicle_does_not_stop_it)
{
    cb_engine *e = new_city("inc2", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 100, 20, -1, NULL, &err), CB_OK);   /* at t=20 it is at 175 m */
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_EQ_INT(m.finished, 1);
    ASSERT_NEAR(m.engine_att, 62.0, 1e-9);
    cb_engine_close(e);
}

/* Mid-block loops every 100 m after the 10 m entry loop, the last at
 * least a metre before the 285 m stop-line loop: 110 and 210 m.  The front
 * passes 110 m in step 14 (105 -> 115 m) and 210 m in step 24, at 10 m/s,
 * and covers each at the end of that one step. */
TEST(mid_block_loops_count_a_passing_vehicle)
{
    cb_engine *e = new_city("detm", GREEN, ONE_VEHICLE, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_lane_loop_count(e, 0), 0);
    ASSERT_EQ_INT(cb_engine_enable_loops(e, 10, 5, 5, &err), CB_EINVAL);      /* closer than 10 m */
    ASSERT(strstr(err.msg, "spacing") != NULL);
    ASSERT_EQ_INT(cb_engine_enable_loops(e, 10, 5, 100, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_lane_loop_count(e, 0), 4);
    ASSERT_EQ_INT(run_steps(e, 100), 0);
    cb_detector_reading r[4];
    size_t n = 0;
    ASSERT_EQ_INT(cb_engine_read_lane_loops(e, 0, false, r, 3, &n, &err), CB_EINVAL);   /* no room */
    ASSERT_EQ_INT(cb_engine_read_lane_loops(e, 0, false, r, 4, &n, &err), CB_OK);
    ASSERT_EQ_INT(n, 4);
    const double pos[4] = { 10, 110, 210, 285 }, speed[4] = { 8, 10, 10, 10 };
    for (int k = 0; k < 4; k++) {
        ASSERT_NEAR(r[k].position, pos[k], 1e-9);
        ASSERT_EQ_INT(r[k].count, 1);
        ASSERT_NEAR(r[k].mean_speed, speed[k], 1e-9);
    }
    ASSERT_NEAR(r[1].occupancy, 0.01, 1e-12);
    ASSERT_NEAR(r[2].occupancy, 0.01, 1e-12);
    /* the two-loop reading is still the lane's ends */
    cb_detector_reading ends[2];
    ASSERT_EQ_INT(cb_engine_read_detectors(e, 0, true, ends, &err), CB_OK);
    ASSERT_NEAR(ends[0].position, 10, 1e-9);
    ASSERT_NEAR(ends[1].position, 285, 1e-9);
    /* its reset covered the mid-block loops too */
    ASSERT_EQ_INT(cb_engine_read_lane_loops(e, 0, false, r, 4, &n, &err), CB_OK);
    ASSERT_EQ_INT(r[1].count + r[2].count, 0);
    ASSERT_EQ_INT(r[1].total_count, 1);
    cb_engine_close(e);
}

TEST_MAIN()
