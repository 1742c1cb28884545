/* test_control_controllers.c -- the built-in controllers on a hand-made
 * site, where the right decision can be worked out on paper: a four-leg
 * intersection with two lanes per approach (0 left, 1 straight), phase 0
 * empty (the clearance), greens 1 = W+E straight, 2 = S+N straight,
 * 3 = W+E left, 4 = S+N left.  Controllers only ever see cb_site and
 * cb_site_obs, so no engine is needed. */
#include "test.h"
#include "citybrain.h"

enum { W, S, E, N };                 /* approaches; exit road of approach a is 4 + a */

typedef struct fake {
    cb_site site;
    cb_site_lane lanes[16];
    cb_site_road roads[8];
    cb_site_movement mov[8];
    uint32_t refs[16];
    uint8_t allows[5 * 8];
    int cand[4];
    cb_lane_obs obs[16];
    cb_lane_obs zones[CB_ZONES_MAX * 16];
    double published[CB_PUBLISH_N];
} fake;

/* movement 2a = straight of approach a, 2a+1 = its left */
static int in_lane(int a, bool is_left) { return 2 * a + (is_left ? 0 : 1); }
static int out_lane(int a, int j) { return 8 + 2 * a + j; }

static void fake_init(fake *f)
{
    memset(f, 0, sizeof *f);
    for (int r = 0; r < 8; r++) {
        f->roads[r] = (cb_site_road){ .incoming = r < 4, .first_lane = (uint32_t)(2 * r), .n_lanes = 2,
                                      .length = 300, .neighbour = -1 };
        for (int j = 0; j < 2; j++) f->lanes[2 * r + j] = (cb_site_lane){ 300, 11.11, (uint32_t)r, (uint32_t)j };
    }
    int nref = 0;
    for (int a = 0; a < 4; a++)
        for (int l = 0; l < 2; l++) {
            /* straight goes to the opposite side, left to the next one clockwise */
            int to = l ? (a + 1) % 4 : (a + 2) % 4;
            cb_site_movement *m = &f->mov[2 * a + l];
            m->type = l ? 2 : 3;
            m->in_road = (uint32_t)a;
            m->out_road = (uint32_t)(4 + to);
            m->first_in = (uint32_t)nref;
            m->n_in = 1;
            f->refs[nref++] = (uint32_t)in_lane(a, l);
            m->first_out = (uint32_t)nref;
            m->n_out = 1;
            f->refs[nref++] = (uint32_t)out_lane(to, l);
        }
    static const int greens[5][2] = { { -1, -1 }, { 0, 4 }, { 2, 6 }, { 1, 5 }, { 3, 7 } };
    for (int p = 1; p <= 4; p++)
        for (int j = 0; j < 2; j++) f->allows[p * 8 + greens[p][j]] = 1;
    for (int i = 0; i < 4; i++) f->cand[i] = i + 1;
    f->site = (cb_site){ .id = "fake", .n_lanes = 16, .n_roads = 8, .n_movements = 8, .n_phases = 5,
                         .lanes = f->lanes, .roads = f->roads, .movements = f->mov, .lane_refs = f->refs,
                         .allows = f->allows, .yellow_phase = 0, .allred_phase = 0, .n_candidates = 4,
                         .candidates = f->cand, .min_green = 5, .yellow = 5, .all_red = 0 };
}

/* A queue of `stopped` vehicles standing at the stop line of a lane. */
static void queue(fake *f, int lane, uint32_t stopped)
{
    f->obs[lane].count = f->obs[lane].stopped = stopped;
    f->obs[lane].zone = 300;
}

static cb_site_obs observe(fake *f, const cb_controller *c, double t, cb_sig_state st, int green, double state_time)
{
    const double *zone_m;
    uint32_t nz = cb_controller_zones(c, &zone_m);
    /* stopped vehicles stand at the stop line: every zone sees them */
    for (uint32_t z = 0; z < nz; z++)
        for (int l = 0; l < 16; l++) f->zones[z * 16 + l] = f->obs[l];
    return (cb_site_obs){ .time = t, .state = st, .phase = st == CB_SIG_GREEN ? green : 0, .green = green,
                          .pending = -1, .state_time = state_time, .lanes = f->obs, .n_zones = nz,
                          .zone_m = zone_m, .zones = f->zones, .published = f->published };
}

static cb_controller *make(fake *f, const char *name, const char *assign)
{
    cb_params *p = NULL;
    cb_error err = { 0 };
    cb_params_new(&p, &err);
    if (assign) cb_params_parse(p, assign, &err);
    cb_controller *c = NULL;
    int rc = cb_controller_create(name, &f->site, 1, p, &c, &err);
    if (rc) fprintf(stderr, "  create %s: %s\n", name, err.msg);
    cb_params_free(p);
    return c;
}

TEST(maxpressure_picks_the_largest_pressure_lowest_on_ties)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "maxpressure", NULL);
    ASSERT(c);
    cb_decision d;
    cb_site_obs o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);                     /* all zero: the lowest */
    ASSERT_NEAR(d.next, 15, 1e-9);
    queue(&f, in_lane(W, false), 5);               /* phase 1: 5 + 2 = 7 */
    queue(&f, in_lane(E, false), 2);
    queue(&f, in_lane(S, false), 6);               /* phase 2: 6 */
    o = observe(&f, c, 30, CB_SIG_GREEN, 2, 10);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    /* W straight exits east (exit road 4 + E); 4 stopped there: 7 - 4 = 3 < 6 */
    queue(&f, out_lane(E, 1), 4);
    o = observe(&f, c, 37, CB_SIG_GREEN, 1, 7);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 8, 1e-9);                  /* back on the 15 s grid: t = 45 */
    cb_controller_destroy(c);
}

TEST(mp1s_waits_for_its_minimum_and_keeps_the_green_on_ties)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "mp1s", NULL);
    cb_decision d;
    cb_site_obs o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    ASSERT_NEAR(d.next, 10, 1e-9);
    queue(&f, in_lane(S, false), 9);
    o = observe(&f, c, 6, CB_SIG_GREEN, 1, 6);       /* too young: no decision */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    ASSERT_NEAR(d.next, 4, 1e-9);
    queue(&f, in_lane(W, false), 9);               /* phase 1 = 9 = phase 2: keep */
    o = observe(&f, c, 12, CB_SIG_GREEN, 1, 12);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    ASSERT_NEAR(d.next, 1, 1e-9);
    queue(&f, in_lane(N, false), 1);               /* phase 2 = 10 > 9 */
    o = observe(&f, c, 13, CB_SIG_GREEN, 1, 13);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 15, 1e-9);                 /* 5 s yellow + 10 s minimum */
    cb_controller_destroy(c);
}

TEST(fixedtime_cycles_the_candidates)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "fixedtime", NULL);
    cb_decision d;
    cb_site_obs o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    ASSERT_NEAR(d.next, 25, 1e-9);
    o = observe(&f, c, 25, CB_SIG_GREEN, 1, 25);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 30, 1e-9);                 /* 5 s yellow + 25 s green */
    o = observe(&f, c, 115, CB_SIG_GREEN, 4, 25);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);                     /* wraps around */
    cb_controller_destroy(c);
    c = make(&f, "fixedtime", "green=40");
    o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_NEAR(d.next, 40, 1e-9);
    cb_controller_destroy(c);
}

TEST(fixedtime_offset_lengthens_only_the_first_green)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "fixedtime", "offset=10");
    cb_decision d;
    cb_site_obs o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    ASSERT_NEAR(d.next, 35, 1e-9);
    o = observe(&f, c, 25, CB_SIG_GREEN, 1, 25);      /* (asked early) the first green runs on */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    ASSERT_NEAR(d.next, 10, 1e-9);
    o = observe(&f, c, 35, CB_SIG_GREEN, 1, 35);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 30, 1e-9);
    o = observe(&f, c, 65, CB_SIG_GREEN, 2, 25);      /* later greens: 25 s, so the cycle is shifted by 10 s */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 3);
    cb_controller_destroy(c);
}

TEST(sotl_switches_only_when_red_waits_and_green_is_idle)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "sotl", NULL);
    cb_decision d;
    queue(&f, in_lane(S, false), 7);               /* >= theta 6 on red */
    queue(&f, in_lane(W, false), 5);               /* > mu 3 on the green */
    cb_site_obs o = observe(&f, c, 20, CB_SIG_GREEN, 1, 20);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    queue(&f, in_lane(W, false), 2);
    o = observe(&f, c, 21, CB_SIG_GREEN, 1, 21);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);                     /* the next candidate */
    o = observe(&f, c, 5, CB_SIG_GREEN, 1, 5);     /* before min_green 10 */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    cb_controller_destroy(c);
}

TEST(horizon_serves_the_queue_and_does_not_switch_for_little)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "auto", NULL);
    ASSERT(c);
    ASSERT_STR_EQ(cb_controller_name(c), cb_controller_auto());
    const double *zm;
    ASSERT(cb_controller_zones(c, &zm) > 0);       /* it asks for advance zones */
    cb_decision d;
    queue(&f, in_lane(N, true), 6);                /* only N left waits: phase 4 */
    cb_site_obs o = observe(&f, c, 0, CB_SIG_START, -1, 0);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 4);
    /* green 1 discharging a long queue; 1 vehicle waits elsewhere: keep 1 */
    fake_init(&f);
    queue(&f, in_lane(W, false), 12);
    queue(&f, in_lane(E, false), 10);
    queue(&f, in_lane(S, true), 1);
    o = observe(&f, c, 15, CB_SIG_GREEN, 1, 15);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    /* the green's lanes are empty and a queue waits elsewhere: change */
    fake_init(&f);
    queue(&f, in_lane(S, false), 5);
    queue(&f, in_lane(N, false), 5);
    o = observe(&f, c, 30, CB_SIG_GREEN, 1, 30);
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 15, 1e-9);
    cb_controller_destroy(c);
}

/* Ageing counts from when a queue forms, not from the lane's last green: a
 * car stopping at a lane that has been idle for ten minutes has waited
 * nothing yet, and must not pull the green away from two long queues; but
 * if it keeps waiting, it is served within a few minutes. */
TEST(horizon_ages_a_queue_from_when_it_formed)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "horizon", NULL);
    ASSERT(c);
    cb_decision d;
    double t = 0;
    cb_sig_state st = CB_SIG_START;
    int green = -1;
    for (; t <= 600; t += 15) {                   /* ten minutes of W+E straight traffic only */
        fake_init(&f);
        queue(&f, in_lane(W, false), 10);
        queue(&f, in_lane(E, false), 10);
        cb_site_obs o = observe(&f, c, t, st, green, t);
        cb_controller_decide(c, 0, &o, &d);
        ASSERT_EQ_INT(d.phase, 1);
        st = CB_SIG_GREEN;
        green = 1;
    }
    /* one car stops on the S left lane, never green so far: keep 1 */
    double stopped_at = t, served_at = -1;
    for (; t <= stopped_at + 900 && served_at < 0; t += 15) {
        fake_init(&f);
        queue(&f, in_lane(W, false), 10);
        queue(&f, in_lane(E, false), 10);
        queue(&f, in_lane(S, true), 1);
        cb_site_obs o = observe(&f, c, t, CB_SIG_GREEN, 1, t);
        cb_controller_decide(c, 0, &o, &d);
        if (t == stopped_at) ASSERT_EQ_INT(d.phase, 1);
        if (d.phase == 4) served_at = t;          /* S+N left */
        else ASSERT_EQ_INT(d.phase, 1);
    }
    /* the weight doubles 60 s after the 90 s grace: well inside 10 min */
    ASSERT(served_at > stopped_at + 90);
    ASSERT(served_at <= stopped_at + 600);
    cb_controller_destroy(c);
}

TEST(horizon_is_deterministic)
{
    fake f;
    fake_init(&f);
    uint64_t first = 0;
    for (int run = 0; run < 3; run++) {
        cb_controller *c = make(&f, "horizon", NULL);
        cb_decision d;
        uint64_t trace = 0;
        for (int t = 0; t < 300; t += 15) {
            for (int l = 0; l < 8; l++) queue(&f, l, (uint32_t)((t * 7 + l * 13) % 9));
            cb_site_obs o = observe(&f, c, t, t ? CB_SIG_GREEN : CB_SIG_START, t ? 1 + (t / 15) % 4 : -1, 15);
            cb_controller_decide(c, 0, &o, &d);
            trace = trace * 31 + (uint64_t)(d.phase + 1);
        }
        if (run == 0) first = trace;
        ASSERT(trace == first);
        cb_controller_destroy(c);
    }
}

/* horizon1s decides every second, as a field controller can: nothing while
 * a clearance runs or before a new green has shown `hold` (5) s; once the
 * green's queue is gone it moves on at once, not at the next 15 s mark. */
TEST(horizon1s_decides_every_second_once_a_green_has_held)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "horizon1s", NULL);
    ASSERT(c);
    cb_decision d;
    queue(&f, in_lane(S, false), 5);
    queue(&f, in_lane(N, false), 5);
    cb_site_obs o = observe(&f, c, 21, CB_SIG_GREEN, 1, 2);       /* green 1 for 2 s only */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    ASSERT_NEAR(d.next, 3, 1e-9);                                  /* back when it has held 5 s */
    o = observe(&f, c, 24, CB_SIG_YELLOW, 2, 3);                   /* a clearance: wait for it */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, -1);
    ASSERT_NEAR(d.next, 1, 1e-9);
    o = observe(&f, c, 37, CB_SIG_GREEN, 1, 7);                    /* W+E empty, S+N wait: go */
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 2);
    ASSERT_NEAR(d.next, 1, 1e-9);
    cb_controller_destroy(c);
}

/* Its plan's first interval lasts one second, shorter than the yellow
 * (5 s) and start-up (2 s) a new green loses: the loss runs on into the
 * next interval.  With 3 vehicles still queued on each lane of the green
 * and 8 on each of the other, one more second of the green (serving half
 * a vehicle per lane, each charged `term` = 45 s if left at the horizon)
 * is worth more than the second the 16 waiting vehicles wait longer; a
 * model whose lost time ended with the first second would see the new
 * green serve 6 s sooner, and switch (checked by breaking it). */
TEST(horizon1s_charges_a_new_green_its_whole_clearance)
{
    fake f;
    fake_init(&f);
    cb_controller *c = make(&f, "horizon1s", NULL);
    ASSERT(c);
    queue(&f, in_lane(W, false), 3);
    queue(&f, in_lane(E, false), 3);
    queue(&f, in_lane(S, false), 8);
    queue(&f, in_lane(N, false), 8);
    cb_site_obs o = observe(&f, c, 30, CB_SIG_GREEN, 1, 30);
    cb_decision d;
    cb_controller_decide(c, 0, &o, &d);
    ASSERT_EQ_INT(d.phase, 1);
    cb_controller_destroy(c);
}

TEST(unknown_names_and_parameters_are_refused)
{
    fake f;
    fake_init(&f);
    cb_controller *c = NULL;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cb_controller_create("max-pressure", &f.site, 1, NULL, &c, &err), CB_ENOTFOUND);
    ASSERT_CONTAINS(err.msg, "available: fixedtime, maxpressure");
    ASSERT(c == NULL);
    cb_params *p = NULL;
    ASSERT_EQ_INT(cb_params_new(&p, &err), CB_OK);
    ASSERT_EQ_INT(cb_params_parse(p, "green=abc", &err), CB_OK);
    ASSERT_EQ_INT(cb_controller_create("fixedtime", &f.site, 1, p, &c, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "green: 'abc' is not a number");
    ASSERT_EQ_INT(cb_params_parse(p, "green=0.5", &err), CB_OK);
    ASSERT_EQ_INT(cb_controller_create("fixedtime", &f.site, 1, p, &c, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, "outside [1, 3600]");
    ASSERT_EQ_INT(cb_params_parse(p, "green=30", &err), CB_OK);
    ASSERT_EQ_INT(cb_params_parse(p, "gren=30", &err), CB_OK);
    ASSERT_EQ_INT(cb_controller_create("fixedtime", &f.site, 1, p, &c, &err), CB_OK);
    ASSERT_STR_EQ(cb_params_unused(p), "gren");     /* the misspelt key is reported */
    cb_controller_destroy(c);
    cb_params_free(p);
}

TEST(every_controller_is_listed_with_its_parameters)
{
    ASSERT(cb_controller_count() >= 5);
    bool auto_listed = false;
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        ASSERT(info.name && info.summary && info.params);
        auto_listed |= strcmp(info.name, cb_controller_auto()) == 0;
    }
    ASSERT(auto_listed);
    cb_controller_info info;
    ASSERT_EQ_INT(cb_controller_info_get(cb_controller_count(), &info), CB_EINVAL);
}

TEST_MAIN()
