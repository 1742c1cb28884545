/* test_sumo_dynroute.c -- SUMO trips are routed when they depart, on the
 * traffic of that moment (src/sim/sim_dynroute.c).
 *
 * On the bundled 4x4 grid (examples/sumo_4x4: one-way streets, east and
 * south) a trip from the north-west corner's western entry (20to0) to the
 * south-east corner's eastern exit (15to31) has many routes of the same
 * length.  Known answers:
 *   - in an empty network every trip takes the route the load-time router
 *     chose (ties keep it), so nothing changes for a network without
 *     queues;
 *   - when one street of that route is closed for the whole run, the
 *     vehicles stop in a queue behind the closure, its mean speed falls,
 *     and once the street's average over the last 180 s has fallen far
 *     enough, trips that depart go round it; vehicles that departed before
 *     the queue had formed still take it;
 *   - each road's speed is the mean of its 180 kept samples (the running
 *     sum does not drift from it);
 *   - a sample is SUMO's mean speed of the edge (MSEdge::getMeanSpeed):
 *     over its lanes weighted by their vehicles, an empty lane counting as
 *     one vehicle at its limit, the lanes closed to cars included.  On the
 *     hand-written cross (tests/data/sumo/cross.net.xml) given a sidewalk
 *     (5 m/s) beside WJ, with N vehicles stopped on one lane of WJ behind a
 *     blocked spot and the other lane (13.89 m/s) empty, it is
 *     (0 N + 13.89 + 5) / (N + 2);
 *   - a trip with one possible path needs no search at departure: along
 *     the grid's top row, from its western entry (20to0) to its eastern
 *     exit (3to28), streets only lead east and south, and no street south
 *     of the row leads back to it, so that trip has one path; the diagonal
 *     trip above has many. */
#include "test.h"
#include "test_sumo.h"
#include "sim/sim.h"
#include "util/landmarks.h"

#define NET CB_SOURCE_DIR "/examples/sumo_4x4/4x4.net.xml"

/* 60 trips, one every 5 s, then one more long after the others have left;
 * sigma 0 (no dawdling: the same run each time) */
static const char ROUTES[] =
    "<routes><vType id=\"c\" sigma=\"0\" speedDev=\"0\"/>"
    "<flow id=\"t\" type=\"c\" begin=\"0\" end=\"300\" period=\"5\" from=\"20to0\" to=\"15to31\"/>"
    "<trip id=\"late\" type=\"c\" depart=\"1500\" from=\"20to0\" to=\"15to31\"/></routes>";

typedef struct seen {
    char route[61][256];             /* each trip's route, road ids joined by ' '; [60]: the late one */
    bool have[61];
} seen;

static cb_engine *open_grid(void)
{
    cb_engine *e = NULL;
    cb_error err;
    if (test_sumo_open(NET, "cb_test_dynroute.rou.xml", ROUTES, 1, &e, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    return e;
}

typedef struct rec_ctx { cb_engine *e; seen *s; } rec_ctx;

static int record(const cb_vehicle *v, void *ud)
{
    rec_ctx *c = ud;
    unsigned flow, k;
    if (sscanf(v->id, "flow_%u_%u", &flow, &k) != 2 || k >= 60) return 0;
    if (flow == 1) k = 60;
    if (c->s->have[k]) return 0;
    cb_vehicle_info vi;
    cb_error err;
    if (cb_engine_vehicle_info(c->e, v->id, &vi, &err) != CB_OK) return 0;
    char *p = c->s->route[k];
    p[0] = '\0';
    for (size_t i = 0; i < vi.route_len; i++) {
        size_t used = strlen(p);
        snprintf(p + used, sizeof c->s->route[k] - used, "%s%s", i ? " " : "", cb_engine_road_id(c->e, vi.route[i]));
    }
    c->s->have[k] = true;
    return 0;
}

static void run_recording(cb_engine *e, seen *s, double until)
{
    cb_error err;
    rec_ctx c = { e, s };
    while (cb_engine_time(e) < until - 1e-9 && cb_engine_step(e, &err) == CB_OK)
        cb_engine_foreach_vehicle(e, true, record, &c);
}

/* The lanes of road `id`: their indices into out, how many. */
static size_t lanes_of(cb_engine *e, const char *id, size_t *out, size_t cap)
{
    size_t n = 0, len = strlen(id);
    for (size_t l = 0; l < cb_engine_lane_count(e) && n < cap; l++) {
        const char *lid = cb_engine_lane_id(e, l);
        if (strncmp(lid, id, len) == 0 && lid[len] == '_') out[n++] = l;
    }
    return n;
}

/* Trips depart into an empty network twice: the first of the run, and the
 * late one, 180 s of samples after the last vehicle has left.  Both take
 * the route of the load-time router; in between, light traffic (red lights
 * stop it) is enough for trips to spread over the routes of equal length. */
TEST(empty_network_routes_as_at_load_time)
{
    cb_engine *e = open_grid();
    ASSERT(e);
    static seen s;
    memset(&s, 0, sizeof s);
    run_recording(e, &s, 1800);
    cb_trip_stats t;
    ASSERT_EQ_INT(cb_engine_trip_stats(e, &t), CB_OK);
    ASSERT_EQ_INT(t.finished, 61);
    ASSERT(s.have[0] && s.have[60]);
    ASSERT_STR_EQ(s.route[60], s.route[0]);
    int differ = 0;
    for (int k = 1; k < 60; k++) differ += strcmp(s.route[k], s.route[0]) != 0;
    ASSERT(differ > 0);
    cb_engine_close(e);
}

/* The closed street: the first trip's route in an empty network, then a
 * run with that route's third road (two junctions in) closed 20 m in for
 * the whole run, 400 s.  The first trip departs into an empty network and
 * takes the closed street; the last twenty depart 200-295 s in, behind a
 * queue standing since the first vehicles reached the closure, and all go
 * round it, still from the entry to the exit.  `astar`: the routers search
 * with A* (as on a network of 1,000 roads or more).  *out: the engine,
 * open, for more checks. */
static void closed_street_run(bool astar, cb_engine **out)
{
    *out = NULL;
    if (astar) cbu_landmarks_min_nodes = 0;
    cb_engine *e = open_grid();
    cbu_landmarks_min_nodes = CBU_LANDMARKS_MIN_NODES;
    ASSERT(e);
    static seen free_run;
    memset(&free_run, 0, sizeof free_run);
    run_recording(e, &free_run, 10);
    cb_engine_close(e);
    ASSERT(free_run.have[0]);
    char third[64] = "";
    ASSERT(sscanf(free_run.route[0], "%*s %*s %63s", third) == 1);

    if (astar) cbu_landmarks_min_nodes = 0;
    e = open_grid();
    cbu_landmarks_min_nodes = CBU_LANDMARKS_MIN_NODES;
    ASSERT(e);
    *out = e;
    size_t lanes[8];
    size_t nl = lanes_of(e, third, lanes, 8);
    ASSERT(nl >= 1);
    cb_error err;
    size_t id;
    for (size_t i = 0; i < nl; i++)
        ASSERT_EQ_INT(cb_engine_add_incident(e, lanes[i], 20, 0, 1e6, &id, &err), CB_OK);
    static seen s;
    memset(&s, 0, sizeof s);
    run_recording(e, &s, 400);
    char pat[80];
    snprintf(pat, sizeof pat, " %s ", third);
    ASSERT(s.have[0]);
    ASSERT_STR_EQ(s.route[0], free_run.route[0]);
    for (int k = 40; k < 60; k++) {
        ASSERT(s.have[k]);
        char padded[300];
        snprintf(padded, sizeof padded, " %s ", s.route[k]);
        if (strstr(padded, pat)) TEST_FAIL_("trip %d still drives the closed street %s: %s", k, third, s.route[k]);
        ASSERT(strncmp(s.route[k], "20to0 ", 6) == 0);
        ASSERT(strcmp(s.route[k] + strlen(s.route[k]) - 6, "15to31") == 0);
    }
}

TEST(trips_go_round_a_closed_street_once_its_queue_has_stood)
{
    cb_engine *e;
    closed_street_run(false, &e);
    if (test_failed_) return;
    /* the kept mean is the mean of the kept samples */
    sim_dynroute_state v = sim_dynroute_view(e->s.dyn);
    for (uint32_t r = 0; r < v.n_roads; r++) {
        double sum = 0;
        for (uint32_t k = 0; k < v.n_samples; k++) sum += v.past[(size_t)k * v.n_roads + r];
        ASSERT_NEAR(v.speed[r], sum / v.n_samples, 1e-6);
    }
    /* with the queue standing, A* with landmark bounds taken at free flow
     * (large networks) finds legs as cheap as Dijkstra's, between every
     * two roads, and the same unreachable ones */
    uint32_t pairs = 0;
    for (uint32_t a = 0; a < v.n_roads; a++)
        for (uint32_t b = 0; b < v.n_roads; b++) {
            double c1 = sim_dynroute_leg_cost(&e->s, a, b, false), c2 = sim_dynroute_leg_cost(&e->s, a, b, true);
            ASSERT(c1 >= 0 && c2 >= 0);
            if (c1 == INFINITY) { ASSERT(c2 == INFINITY); continue; }
            ASSERT_NEAR(c2, c1, 1e-6 * c1);
            pairs++;
        }
    ASSERT(pairs >= 300);
    cb_engine_close(e);
}

TEST(astar_trips_go_round_a_closed_street_too)
{
    cb_engine *e;
    closed_street_run(true, &e);
    if (test_failed_) return;
    cb_engine_close(e);
}

/* The cross with a sidewalk on WJ (SUMO index 2, its leftmost, so that
 * the car lanes keep their indices), and trips WJ -> JE on its rightmost
 * lane, one every 4 s for a minute. */
static const char CROSS_TRIPS[] =
    "<routes><vType id=\"c\" sigma=\"0\" speedDev=\"0\"/>"
    "<flow id=\"t\" type=\"c\" begin=\"0\" end=\"60\" period=\"4\" from=\"WJ\" to=\"JE\" departLane=\"0\"/></routes>";

typedef struct lane_count { size_t lane; unsigned n, moving; } lane_count;

static int count_on(const cb_vehicle *v, void *ud)
{
    lane_count *c = ud;
    if (v->running && !v->shadow && v->drivable == c->lane) {
        c->n++;
        if (v->speed != 0) c->moving++;
    }
    return 0;
}

TEST(an_empty_lane_and_a_sidewalk_each_count_as_one_vehicle_at_their_limit)
{
    FILE *f = fopen(CB_SOURCE_DIR "/tests/data/sumo/cross.net.xml", "rb");
    ASSERT(f);
    static char net[65536], out[66000];
    size_t len = fread(net, 1, sizeof net - 1, f);
    fclose(f);
    net[len] = '\0';
    const char *lane1 = "<lane id=\"WJ_1\" index=\"1\" speed=\"13.89\" length=\"92.00\" shape=\"0.00,-1.60 92.00,-1.60\"/>";
    char *at = strstr(net, lane1);
    ASSERT(at);
    at += strlen(lane1);
    snprintf(out, sizeof out, "%.*s<lane id=\"WJ_2\" index=\"2\" allow=\"pedestrian\" speed=\"5.00\" length=\"92.00\" "
             "shape=\"0.00,1.60 92.00,1.60\"/>%s", (int)(at - net), net, at);
    const char *net_path = test_write_tmp("cb_test_dynroute_sidewalk.net.xml", out);
    ASSERT(net_path);
    cb_engine *e = NULL;
    cb_error err;
    if (test_sumo_open(net_path, "cb_test_dynroute_cross.rou.xml", CROSS_TRIPS, 1, &e, &err))
        TEST_FAIL_("%s", err.msg);
    ASSERT(e);
    size_t lanes[4];
    ASSERT_EQ_INT(lanes_of(e, "WJ", lanes, 4), 2);     /* the sidewalk is not imported */
    /* departLane 0 is SUMO's rightmost, our last: block it 60 m in */
    size_t right = lanes[1], id;
    ASSERT_EQ_INT(cb_engine_add_incident(e, right, 60, 0, 1e6, &id, &err), CB_OK);
    while (cb_engine_time(e) < 120 - 1e-9) ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
    lane_count q = { right, 0, 0 }, other = { lanes[0], 0, 0 };
    cb_engine_foreach_vehicle(e, false, count_on, &q);
    cb_engine_foreach_vehicle(e, false, count_on, &other);
    ASSERT(q.n >= 5);                                    /* a queue stands ... */
    ASSERT_EQ_INT(q.moving, 0);
    ASSERT_EQ_INT(other.n, 0);                           /* ... beside an empty lane */
    sim_dynroute_state v = sim_dynroute_view(e->s.dyn);
    uint32_t wj = UINT32_MAX;
    for (uint32_t r = 0; r < v.n_roads; r++)
        if (strcmp(cb_engine_road_id(e, r), "WJ") == 0) wj = r;
    ASSERT(wj != UINT32_MAX);
    float last = v.past[(size_t)((*v.k + v.n_samples - 1) % v.n_samples) * v.n_roads + wj];
    ASSERT_NEAR(last, (13.89 + 5.0) / (q.n + 2), 1e-5);
    cb_engine_close(e);
}

/* Which trips have a single path, on the grid (known answers above); each
 * trip is its own flow, in the order of the file. */
TEST(only_a_trip_with_one_possible_path_skips_the_search)
{
    static const char trips[] =
        "<routes><trip id=\"row\" depart=\"0\" from=\"20to0\" to=\"3to28\"/>"
        "<trip id=\"diagonal\" depart=\"1\" from=\"20to0\" to=\"15to31\"/>"
        "<trip id=\"column\" depart=\"2\" from=\"20to0\" to=\"12to24\"/>"
        "<trip id=\"corner\" depart=\"3\" from=\"0to1\" to=\"15to31\"/></routes>";
    cb_engine *e = NULL;
    cb_error err;
    ASSERT_EQ_INT(test_sumo_open(NET, "cb_test_dynroute_one.rou.xml", trips, 1, &e, &err), CB_OK);
    sim_engine *s = &e->s;
    ASSERT_EQ_INT(s->n_flows, 4);
    static const struct { const char *last; uint32_t roads; bool one; } want[] = {
        { "3to28", 5, true },          /* 20to0 0to1 1to2 2to3 3to28 */
        { "15to31", 8, false },        /* 20 routes of eight roads */
        { "12to24", 5, true },         /* down the western column */
        { "15to31", 7, false },        /* east and south from node 1: 10 */
    };
    for (uint32_t f = 0; f < 4; f++) {
        const sim_route *r = &s->routes[s->flows[f].route];
        ASSERT_EQ_INT(r->n, want[f].roads);
        ASSERT_STR_EQ(s->net->roads[r->roads[r->n - 1]].id, want[f].last);
        if (sim_dynroute_one_path(s, s->flows[f].route) != want[f].one)
            TEST_FAIL_("trip %u: one path %s, expected %s", f, want[f].one ? "no" : "yes", want[f].one ? "yes" : "no");
        /* the answer is kept, and asking again gives it again */
        ASSERT_EQ_INT(r->one_path, want[f].one ? 1 : 2);
        ASSERT(sim_dynroute_one_path(s, s->flows[f].route) == want[f].one);
    }
    cb_engine_close(e);
}

TEST_MAIN()
