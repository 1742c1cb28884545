/* test_incident_twin.c -- incident detection on the twin: incidents
 * injected into the engine (cb_engine_add_incident) are found by cb_ops
 * from its detectors alone.
 *
 * The city is test_city.h's: A --r1--> B --r2--> C, one 290 m lane per road
 * at 10 m/s, B always green, a vehicle every 5 s.  cb_ops puts the entry
 * loop at 5 m and the 15 m stop bar's counting edge at 275 m: the run
 * between them takes 27 s, so a vehicle is due at the stop bar 29.35 s
 * after it passed the entry (stretch 0.05, slack 1). */
#include "test.h"
#include "test_city.h"
#include "citybrain_ops.h"

#define GREEN "[{\"time\":1000,\"availableRoadLinks\":[0]}]"
#define EVERY_5S "[{\"vehicle\":" VEH ",\"route\":[\"r1\",\"r2\"],\"interval\":5,\"startTime\":0,\"endTime\":-1}]"

/* Run `steps` steps with operations attached; returns the ops (caller
 * closes it before the engine). */
static cb_ops *run_city_spaced(cb_engine *e, int steps, double spacing)
{
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.loop_spacing_m = spacing;
    cb_ops *o = NULL;
    cb_error err = { 0 };
    if (cb_ops_open(e, &cfg, &o, &err)) {
        fprintf(stderr, "  ops: %s\n", err.msg);
        return NULL;
    }
    for (int i = 0; i < steps; i++)
        if (cb_engine_step(e, &err) || cb_ops_update(o, NULL, &err)) {
            fprintf(stderr, "  step: %s\n", err.msg);
            cb_ops_close(o);
            return NULL;
        }
    return o;
}

static cb_ops *run_city(cb_engine *e, int steps) { return run_city_spaced(e, steps, 0); }

TEST(no_incident_no_alert)
{
    cb_engine *e = new_city("inc0", GREEN, EVERY_5S, false, NULL);
    ASSERT(e);
    cb_ops *o = run_city(e, 1800);
    ASSERT(o);
    ASSERT_EQ_INT(cb_ops_alert_count(o), 0);
    cb_ops_close(o);
    cb_engine_close(e);
}

/* r1 blocked at 150 m from 300 s to 600 s.  Vehicles 50 m apart: the last
 * one beyond the obstacle reaches the stop bar within 12.5 s, the first
 * one held (it passed the entry at most 14.5 s before the start) was due
 * at most 29.35 s after it passed: the alert comes within [312, 332] s.
 * It names r1's lane, starts between 290 and 320 s, and clears once the
 * held vehicles move again (the first needs ~15 s to the stop bar). */
TEST(a_blocked_lane_is_found_between_its_loops)
{
    cb_engine *e = new_city("inc1", GREEN, EVERY_5S, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 150, 300, 600, NULL, &err), CB_OK);
    cb_ops *o = run_city(e, 900);
    ASSERT(o);
    ASSERT_EQ_INT(cb_ops_alert_count(o), 1);
    cb_alert a;
    ASSERT_EQ_INT(cb_ops_alert(o, 0, &a, &err), CB_OK);
    ASSERT_EQ_INT(a.lane, 0);
    ASSERT_EQ_INT(a.road, 0);
    ASSERT_EQ_INT(a.lane_index, 0);
    ASSERT_STR_EQ(a.where, "between the loops");
    ASSERT(a.raised >= 312 && a.raised <= 332);
    ASSERT(a.start >= 290 && a.start <= 320);
    ASSERT(a.cleared >= 600 && a.cleared <= 630);
    ASSERT(a.confidence >= 0.5 && a.confidence <= 1);
    ASSERT(a.vehicles >= 1);
    /* raised once, cleared once, in that order */
    uint64_t cur = 0;
    size_t k;
    bool raised;
    ASSERT(cb_ops_alert_next(o, &cur, &k, &raised) && k == 0 && raised);
    ASSERT(cb_ops_alert_next(o, &cur, &k, &raised) && k == 0 && !raised);
    ASSERT(!cb_ops_alert_next(o, &cur, &k, &raised));
    ASSERT_EQ_INT(cb_ops_alert(o, 1, &a, &err), CB_ENOTFOUND);
    cb_ops_close(o);
    cb_engine_close(e);
}

/* The same incident with mid-block loops every 50 m (55, 105, ..., 255 m).
 * On a lane this short the whole lane's rule is as quick as the stretch's
 * (the stretch waits 4 + 50 / 3 s after the last vehicle beyond the
 * obstacle passed 205 m, in case movement there reaches 155 m through a
 * queue; tests/test_incident_rules.c checks that rule on its own): the
 * loops must not delay, duplicate or misplace the alert.  Whichever rule
 * raises it, it is raised no later than with two loops, once, on r1, and
 * a stretch it names holds the obstacle. */
TEST(mid_block_loops_do_not_delay_or_duplicate_the_alert)
{
    cb_error err;
    double raised[2];
    for (int run = 0; run < 2; run++) {
        cb_engine *e = new_city(run ? "inc1m" : "inc1e", GREEN, EVERY_5S, false, NULL);
        ASSERT(e);
        ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 150, 300, 600, NULL, &err), CB_OK);
        cb_ops *o = run_city_spaced(e, 900, run ? 50 : 0);
        ASSERT(o);
        ASSERT_EQ_INT(cb_ops_alert_count(o), 1);
        cb_alert a;
        ASSERT_EQ_INT(cb_ops_alert(o, 0, &a, &err), CB_OK);
        ASSERT_EQ_INT(a.lane, 0);
        ASSERT(a.cleared >= 600 && a.cleared <= 630);
        if (a.to_m > 0) ASSERT(a.from_m <= 150 && a.to_m >= 150);
        raised[run] = a.raised;
        cb_ops_close(o);
        cb_engine_close(e);
    }
    ASSERT(raised[1] <= raised[0]);
}

/* r2 blocked 2 m after its start: nobody can enter it (the link into it is
 * closed), the vehicles for it stand at r1's stop line in green.  After
 * 40 s of that (block) the lane named is r2's, "at the lane start". */
TEST(a_blocked_lane_start_is_found_from_upstream)
{
    cb_engine *e = new_city("inc2", GREEN, EVERY_5S, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 1, 2, 300, 700, NULL, &err), CB_OK);
    cb_ops *o = run_city(e, 800);
    ASSERT(o);
    ASSERT_EQ_INT(cb_ops_alert_count(o), 1);
    cb_alert a;
    ASSERT_EQ_INT(cb_ops_alert(o, 0, &a, &err), CB_OK);
    ASSERT_EQ_INT(a.lane, 1);
    ASSERT_STR_EQ(a.where, "at the lane start");
    ASSERT(a.raised >= 340 && a.raised <= 380);
    ASSERT(a.cleared >= 700 && a.cleared <= 720);
    cb_ops_close(o);
    cb_engine_close(e);
}

/* Without detection configured there are no alerts, whatever happens. */
TEST(detection_off_raises_nothing)
{
    cb_engine *e = new_city("inc3", GREEN, EVERY_5S, false, NULL);
    ASSERT(e);
    cb_error err;
    ASSERT_EQ_INT(cb_engine_add_incident(e, 0, 150, 100, 400, NULL, &err), CB_OK);
    ASSERT_EQ_INT(run_steps(e, 10), 0);       /* operations may start at any time */
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.incidents = false;
    cb_ops *o = NULL;
    ASSERT_EQ_INT(cb_ops_open(e, &cfg, &o, &err), CB_OK);
    for (int i = 0; i < 400; i++) {
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        ASSERT_EQ_INT(cb_ops_update(o, NULL, &err), CB_OK);
    }
    ASSERT_EQ_INT(cb_ops_alert_count(o), 0);
    cb_alert a;
    ASSERT_EQ_INT(cb_ops_alert(o, 0, &a, &err), CB_ENOTFOUND);
    cb_ops_close(o);
    cb_engine_close(e);
}

/* Bad settings are refused with the setting's name. */
TEST(bad_settings_are_named)
{
    cb_engine *e = new_city("inc4", GREEN, EVERY_5S, false, NULL);
    ASSERT(e);
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.inc_quiet = 0;
    cb_ops *o = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_ops_open(e, &cfg, &o, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "inc_quiet");
    ASSERT(!o);
    cb_ops_config_init(&cfg);
    cfg.entry_m = -1;
    ASSERT_EQ_INT(cb_ops_open(e, &cfg, &o, &err), CB_EINVAL);
    cb_ops_config_init(&cfg);
    cfg.ev.speed_factor = 5;
    ASSERT_EQ_INT(cb_ops_open(e, &cfg, &o, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "ev.speed_factor");
    cb_engine_close(e);
}

TEST_MAIN()
