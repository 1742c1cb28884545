/* test_sumo_demand.c -- SUMO route files as demand, on the hand-written
 * tests/data/sumo/cross.{net,rou}.xml whose counts are known by
 * construction: a period flow (12 vehicles: 0, 300, ..., 3300 s), a
 * vehsPerHour flow (6: 100 ... 150 s), a number flow of trips (4 over
 * [0, 400): every 100 s), a vehicle with its own route at 10.5 s (so at
 * 11 s: our flows start on whole seconds) and a routed trip at 20 s. */
#include "test.h"
#include "load/sumo.h"
#include "util/landmarks.h"

#define DATA CB_SOURCE_DIR "/tests/data/sumo/"

typedef struct fixture {
    sumo_net n;
    net_spec s;
    demand_spec d;
    cb_warnings *w;
    cb_error err;
} fixture;

static int setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    net_spec_init(&f->s);
    demand_spec_init(&f->d);
    f->w = cb_warnings_new();
    int rc = sumo_net_load(&f->n, DATA "cross.net.xml", NULL, 0, NULL, &f->err);
    if (rc == CB_OK) rc = sumo_net_to_spec(&f->n, 0, &f->s, NULL, &f->err);
    return rc;
}

static void teardown(fixture *f)
{
    demand_spec_free(&f->d);
    net_spec_free(&f->s);
    sumo_net_free(&f->n);
    cb_warnings_free(f->w);
}

/* Parse `text` as t.rou.xml for a run [begin, end) (end < 0: none),
 * keeping at most max_entries vehicles and flows (0: the default). */
static int parse_max(fixture *f, const char *text, double begin, double end, uint32_t seed, uint64_t max_entries)
{
    demand_spec_free(&f->d);
    demand_spec_init(&f->d);
    sumo_demand_opts o = { begin, end, seed, max_entries };
    return sumo_demand_parse(&f->n, &f->s, "t.rou.xml", text, strlen(text), &o, &f->d, f->w, &f->err);
}

static int parse(fixture *f, const char *text, double begin, double end, uint32_t seed)
{
    return parse_max(f, text, begin, end, seed, 0);
}

/* A route file of one flow with these attributes, on the route WJ JE. */
static const char *one_flow(char *buf, size_t size, const char *attrs)
{
    snprintf(buf, size, "<routes><flow id=\"f\" %s><route edges=\"WJ JE\"/></flow></routes>", attrs);
    return buf;
}

static const char *road_id(const fixture *f, uint32_t r) { return f->s.roads[r].id; }

static bool warned(const fixture *f, const char *what, int64_t count)
{
    for (size_t i = 0; i < cb_warnings_count(f->w); i++)
        if (strstr(cb_warnings_text(f->w, i), what) && (count < 0 || cb_warnings_occurrences(f->w, i) == count))
            return true;
    return false;
}

TEST(every_kind_of_definition)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    cb_warnings *w = f.w;
    sumo_demand_opts o = { 0, 3600, 0, 0 };
    const char *files[] = { DATA "cross.rou.xml" };
    ASSERT_EQ_INT(sumo_demand_load(&f.n, &f.s, files, 1, &o, &f.d, w, &f.err), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 5);
    const demand_flow *period = &f.d.flows[0], *number = &f.d.flows[1], *veh = &f.d.flows[2],
                      *trip = &f.d.flows[3], *vph = &f.d.flows[4];
    /* the period flow stays one flow: vehicles at 0, 300, ..., 3300 */
    ASSERT_NEAR(period->interval, 300, 0);
    ASSERT_EQ_INT(period->start_time, 0);
    ASSERT_EQ_INT(period->end_time, 3300);
    ASSERT_EQ_INT(period->n_route, 2);
    ASSERT_STR_EQ(road_id(&f, period->route[0]), "WJ");
    ASSERT(period->krauss);
    ASSERT_NEAR(period->vtype.max_pos_acc, 2.6, 0);
    ASSERT_NEAR(period->vtype.usual_neg_acc, 4.5, 0);
    ASSERT_NEAR(period->vtype.min_gap, 2.5, 0);
    ASSERT_NEAR(period->vtype.max_speed, 50, 0);
    ASSERT_NEAR(period->sigma, 0, 0);
    /* number="4" over [0, 400): every 100 s, 0 .. 300; a trip, routed */
    ASSERT_NEAR(number->interval, 100, 0);
    ASSERT_EQ_INT(number->end_time, 300);
    ASSERT_STR_EQ(road_id(&f, number->route[0]), "NJ");
    ASSERT_STR_EQ(road_id(&f, number->route[number->n_route - 1]), "JE");
    ASSERT_NEAR(number->vtype.length, 6.5, 0);       /* vClass delivery's default */
    /* depart 10.5 -> 11, lane 1 in SUMO's numbering is our lane 0 (+1), speed "max" */
    ASSERT_EQ_INT(veh->start_time, 11);
    ASSERT_EQ_INT(veh->end_time, 11);
    ASSERT_EQ_INT(veh->depart_lane, 1);
    ASSERT_NEAR(veh->depart_speed, DEMAND_DEPART_MAX, 0);
    ASSERT_EQ_INT(trip->start_time, 20);
    ASSERT_EQ_INT(trip->n_route, 2);
    /* 360 veh/h in [100, 160): 100, 110, ..., 150 */
    ASSERT_NEAR(vph->interval, 10, 1e-12);
    ASSERT_EQ_INT(vph->start_time, 100);
    ASSERT_EQ_INT(vph->end_time, 150);
    /* what is not modelled is named, with counts */
    ASSERT(warned(&f, "<person> elements are ignored", 1));
    ASSERT(warned(&f, "departPos=\"random\" is not modelled", 1));
    teardown(&f);
}

TEST(window_shifts_and_skips)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    /* begin 1000: the period flow's 0..900 departures are skipped (4),
     * 1200 becomes 200; end 2000: 2100..3300 are not loaded (5) */
    const char *t = "<routes>\n"
                    "<vType id=\"car\" sigma=\"0\"/>\n"
                    "<flow id=\"a\" type=\"car\" begin=\"0\" end=\"3600\" period=\"300\"><route edges=\"WJ JE\"/></flow>\n"
                    "<vehicle id=\"v\" depart=\"999.2\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<vehicle id=\"w\" depart=\"1000.2\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "</routes>\n";
    ASSERT_EQ_INT(parse(&f, t, 1000, 2000, 0), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 2);
    ASSERT_EQ_INT(f.d.flows[0].start_time, 200);
    ASSERT_EQ_INT(f.d.flows[0].end_time, 800);          /* 1800 - 1000 */
    ASSERT_EQ_INT(f.d.flows[1].start_time, 1);          /* 1000.2 -> ceil(0.2) */
    ASSERT(warned(&f, "before the begin time (1000 s)", 5));   /* 4 of the flow + v */
    ASSERT(warned(&f, "at or after the end time (2000 s)", 5));
    teardown(&f);
}

TEST(random_flows_are_seeded)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    char t[256], e[256];
    one_flow(t, sizeof t, "begin=\"0\" end=\"3600\" probability=\"0.1\"");
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 7), CB_OK);
    uint32_t a = f.d.n_flows;
    int64_t first = f.d.flows[0].start_time;
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 7), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, a);                      /* same seed, same vehicles */
    ASSERT_EQ_INT(f.d.flows[0].start_time, first);
    /* 3600 Bernoulli(0.1) draws: 360 expected, sd 18 */
    ASSERT(a > 360 - 5 * 18 && a < 360 + 5 * 18);
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 8), CB_OK);
    ASSERT(f.d.n_flows != a || f.d.flows[0].start_time != first);
    /* exponential headways at rate 0.05/s: 180 expected over an hour */
    ASSERT_EQ_INT(parse(&f, one_flow(e, sizeof e, "begin=\"0\" end=\"3600\" period=\"exp(0.05)\""), 0, -1, 1), CB_OK);
    ASSERT(f.d.n_flows > 180 - 5 * 14 && f.d.n_flows < 180 + 5 * 14);
    teardown(&f);
}

TEST(random_flows_in_a_window)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    /* a trial each second at 0.1 from 0 to 3600, run [1000, 2000): about
     * 100 vehicles (sd 9.5), all at run times 0..999; the 1000 s before and
     * 1600 s after are counted by expectation: 100 and 160 */
    char t[256];
    ASSERT_EQ_INT(parse(&f, one_flow(t, sizeof t, "begin=\"0\" end=\"3600\" probability=\"0.1\""), 1000, 2000, 3),
                  CB_OK);
    ASSERT(f.d.n_flows > 100 - 5 * 10 && f.d.n_flows < 100 + 5 * 10);
    for (uint32_t i = 0; i < f.d.n_flows; i++) {
        ASSERT(f.d.flows[i].start_time >= 0 && f.d.flows[i].start_time < 1000);
        ASSERT(i == 0 || f.d.flows[i].start_time > f.d.flows[i - 1].start_time);   /* one trial a second */
    }
    ASSERT(warned(&f, "before the begin time (1000 s)", 100));
    ASSERT(warned(&f, "at or after the end time (2000 s)", 160));
    /* number="50" caps the flow, the early ones included: 100 expected
     * before the run leaves none */
    one_flow(t, sizeof t, "begin=\"0\" end=\"3600\" probability=\"0.1\" number=\"50\"");
    ASSERT_EQ_INT(parse(&f, t, 1000, 2000, 3), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 0);
    /* a span of 2e9 s at one vehicle in ~1e6 s: drawn gap by gap, so it
     * returns at once with ~2000 vehicles (sd 45), not after 2e9 trials */
    const char *w = "<routes><flow id=\"p\" begin=\"0\" end=\"2e9\" probability=\"1e-6\">"
                    "<route edges=\"WJ JE\"/></flow>"
                    "<flow id=\"x\" begin=\"0\" end=\"2e9\" period=\"exp(1e-6)\">"
                    "<route edges=\"WJ JE\"/></flow></routes>";
    ASSERT_EQ_INT(parse(&f, w, 0, -1, 3), CB_OK);
    ASSERT(f.d.n_flows > 4000 - 5 * 64 && f.d.n_flows < 4000 + 5 * 64);
    teardown(&f);
}

TEST(distributions_are_drawn_per_vehicle)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    /* 100 vehicles from a flow whose type and route are distributions:
     * both kinds of car and both routes appear, in about the given shares */
    const char *t = "<routes><vTypeDistribution id=\"mix\">"
                    "<vType id=\"car\" length=\"5\" probability=\"3\"/>"
                    "<vType id=\"truck\" vClass=\"truck\" probability=\"1\"/></vTypeDistribution>"
                    "<routeDistribution id=\"rd\"><route id=\"a\" edges=\"WJ JE\" probability=\"1\"/>"
                    "<route id=\"b\" edges=\"NJ JE\" probability=\"1\"/></routeDistribution>"
                    "<flow id=\"f\" type=\"mix\" route=\"rd\" begin=\"0\" period=\"10\" number=\"100\"/></routes>";
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 3), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 100);
    int trucks = 0, north = 0;
    for (uint32_t i = 0; i < f.d.n_flows; i++) {
        ASSERT_EQ_INT(f.d.flows[i].start_time, (int64_t)i * 10);
        trucks += f.d.flows[i].vtype.length > 7;
        north += strcmp(road_id(&f, f.d.flows[i].route[0]), "NJ") == 0;
    }
    ASSERT(trucks > 10 && trucks < 45);     /* 25 expected */
    ASSERT(north > 30 && north < 70);       /* 50 expected */
    teardown(&f);
}

/* Flow edges the fuzzer found: `number` vehicles with begin == end (a 0 / 0
 * once) is refused, naming the element; so is a period so short that the
 * flow would depart more than 1e7 vehicles in the run. */
TEST(flow_edge_cases)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    ASSERT_EQ_INT(parse(&f, "<routes>\n<route id=\"s\" edges=\"WJ JE\"/>\n"
                            "<flow id=\"f\" route=\"s\" begin=\"100\" end=\"100\" number=\"4\"/>\n</routes>", 0, -1, 0),
                  CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:3: <flow id=\"f\">: a flow of number=\"4\" vehicles needs end > begin");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<route id=\"s\" edges=\"WJ JE\"/>\n"
                            "<flow id=\"g\" route=\"s\" begin=\"0\" end=\"1e9\" period=\"1e-300\"/>\n</routes>", 0, -1, 0),
                  CB_ELIMIT);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:3: <flow id=\"g\">: this flow departs");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<route id=\"s\" edges=\"WJ JE\"/>\n"
                            "<flow id=\"h\" route=\"s\" begin=\"0\" end=\"50\" number=\"0\"/>\n</routes>", 0, -1, 0),
                  CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 0);
    /* a departure every 0.5 s is one entry per vehicle: 7200 in the hour,
     * against a limit on the demand's entries */
    char t[256];
    one_flow(t, sizeof t, "begin=\"0\" end=\"3600\" period=\"0.5\"");
    ASSERT_EQ_INT(parse_max(&f, t, 0, 3600, 1, 7200), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 7200);
    ASSERT_EQ_INT(parse_max(&f, t, 0, 3600, 1, 7199), CB_ELIMIT);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml: the demand has more than 7199 vehicles and flows");
    teardown(&f);
}

/* The router keeps every leg it has searched; a second question, or a
 * route through legs asked before, must get what a fresh router says
 * (found or not, and which waypoint failed).  On the bundled 4x4 grid
 * (40 roads), whose routes run over several roads, so that a kept path
 * handed out for the wrong leg shows. */
TEST(trip_routes_kept_answer_as_a_fresh_search)
{
    sumo_net n;
    net_spec s;
    cb_error err;
    net_spec_init(&s);
    ASSERT_EQ_INT(sumo_net_load(&n, CB_SOURCE_DIR "/examples/sumo_4x4/4x4.net.xml", NULL, 0, NULL, &err), CB_OK);
    ASSERT_EQ_INT(sumo_net_to_spec(&n, 0, &s, NULL, &err), CB_OK);
    sumo_router *shared;
    ASSERT_EQ_INT(sumo_router_new(&s, &shared), CB_OK);
    uint32_t nr = s.n_roads, found = 0, failed = 0, longest = 0;
    ASSERT(nr >= 40);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t a = 0; a < nr; a++)
            for (uint32_t b = 0; b < nr; b++)
                for (uint32_t via = 0; via <= nr; via += 9) {     /* via >= nr: none */
                    uint32_t pts[3] = { a, via, b }, np = 3;
                    if (via >= nr) { pts[1] = b; np = 2; }
                    sumo_router *fresh;
                    ASSERT_EQ_INT(sumo_router_new(&s, &fresh), CB_OK);
                    uint32_t *p1, *p2, n1, n2, bad1 = 99, bad2 = 99;
                    int rc1 = sumo_route(fresh, pts, np, &p1, &n1, &bad1);
                    int rc2 = sumo_route(shared, pts, np, &p2, &n2, &bad2);
                    sumo_router_free(fresh);
                    ASSERT_EQ_INT(rc2, rc1);
                    ASSERT_EQ_INT(bad2, bad1);
                    ASSERT_EQ_INT(n2, n1);
                    for (uint32_t i = 0; i < n1; i++) ASSERT_EQ_INT(p2[i], p1[i]);
                    free(p1);
                    free(p2);
                    if (rc1 == CB_OK) found++;
                    else failed++;
                    if (n1 > longest) longest = n1;
                }
    sumo_router_free(shared);
    /* both kinds were asked, and routes of several roads */
    ASSERT(found > 0 && failed > 0);
    ASSERT(longest >= 5);
    net_spec_free(&s);
    sumo_net_free(&n);
}

/* Large networks are searched with A* and landmark bounds
 * (util/landmarks.h).  Forced onto the bundled 4x4 grid, and onto
 * ingolstadt7 and cologne3 where ../shared/data has them, A* finds a route
 * for exactly the pairs Dijkstra does, costing the same (within the 1e-7
 * its tie-breaking allows; on the grid many routes cost the same, and the
 * two may pick different ones). */
static void astar_matches_dijkstra(const char *net_file, uint32_t *pairs, uint32_t *differ)
{
    sumo_net n;
    net_spec s;
    cb_error err;
    net_spec_init(&s);
    ASSERT_EQ_INT(sumo_net_load(&n, net_file, NULL, 0, NULL, &err), CB_OK);
    ASSERT_EQ_INT(sumo_net_to_spec(&n, 0, &s, NULL, &err), CB_OK);
    sumo_router *dij, *ast;
    ASSERT_EQ_INT(sumo_router_new(&s, &dij), CB_OK);
    cbu_landmarks_min_nodes = 0;
    int rc = sumo_router_new(&s, &ast);
    cbu_landmarks_min_nodes = CBU_LANDMARKS_MIN_NODES;
    ASSERT_EQ_INT(rc, CB_OK);
    uint32_t nr = s.n_roads;
    for (uint32_t a = 0; a < nr; a++)
        for (uint32_t b = 0; b < nr; b++) {
            if (a == b) continue;
            uint32_t pts[2] = { a, b }, *p1, *p2, n1, n2, bad1, bad2;
            int rc1 = sumo_route(dij, pts, 2, &p1, &n1, &bad1);
            int rc2 = sumo_route(ast, pts, 2, &p2, &n2, &bad2);
            ASSERT_EQ_INT(rc2, rc1);
            if (rc1 == CB_OK) {
                double c1 = sumo_route_cost(dij, p1, n1), c2 = sumo_route_cost(dij, p2, n2);
                ASSERT(c1 < INFINITY && c2 < INFINITY);
                ASSERT_NEAR(c2, c1, 1e-6 * c1 + 1e-9);
                ASSERT_EQ_INT(p2[0], a);
                ASSERT_EQ_INT(p2[n2 - 1], b);
                (*pairs)++;
                if (n1 != n2 || memcmp(p1, p2, n1 * sizeof *p1)) (*differ)++;
                free(p1);
                free(p2);
            }
        }
    sumo_router_free(dij);
    sumo_router_free(ast);
    net_spec_free(&s);
    sumo_net_free(&n);
}

TEST(astar_routes_cost_what_dijkstra_routes_cost)
{
    uint32_t pairs = 0, differ = 0;
    astar_matches_dijkstra(CB_SOURCE_DIR "/examples/sumo_4x4/4x4.net.xml", &pairs, &differ);
    /* routes were found, and some differ: equal-cost routes on the grid */
    ASSERT(pairs >= 300);
    ASSERT(differ > 0);
    const char *city[] = { CB_SHARED_DATA "/sumo/resco_ingolstadt7/ingolstadt7.net.xml",
                           CB_SHARED_DATA "/sumo/resco_cologne3/cologne3.net.xml" };
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(city[i], "r");
        if (!f) {
            fprintf(stderr, "  (%s absent: ../shared/data is not there; only the bundled grid checked)\n", city[i]);
            continue;
        }
        fclose(f);
        pairs = 0;
        astar_matches_dijkstra(city[i], &pairs, &differ);
        fprintf(stderr, "  %s: %u pairs, %u differ\n", city[i], pairs, differ);
        ASSERT(pairs > 1000);
    }
}

/* A trip that departs outside the run is not driven, so it is not routed:
 * one from JE back to WJ (no connection) after the end is counted as
 * after the end, not as unreachable; but its edges are still checked. */
TEST(trips_outside_the_run_are_checked_not_routed)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    ASSERT_EQ_INT(parse(&f, "<routes>\n<trip id=\"a\" depart=\"10\" from=\"WJ\" to=\"JE\"/>\n"
                            "<trip id=\"b\" depart=\"5000\" from=\"JE\" to=\"WJ\"/>\n</routes>", 0, 3600, 0),
                  CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 1);
    ASSERT(warned(&f, "at or after the end time", 1));
    ASSERT(!warned(&f, "cannot be reached", -1));
    /* inside the run, the same trip is unreachable */
    ASSERT_EQ_INT(parse(&f, "<routes>\n<trip id=\"b\" depart=\"50\" from=\"JE\" to=\"WJ\"/>\n</routes>", 0, 3600, 0),
                  CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 0);
    ASSERT(warned(&f, "cannot be reached", 1));
    ASSERT_EQ_INT(parse(&f, "<routes>\n<trip id=\"c\" depart=\"5000\" from=\"WJ\" to=\"XX\"/>\n</routes>", 0, 3600, 0),
                  CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:2");
    ASSERT_CONTAINS(f.err.msg, "XX");
    teardown(&f);
}

/* Trips that name the same edges are routed once at load time (a memo of
 * the text); each must still get the route, and each unreachable one its
 * own warning.  A trip outside the run (x) only checks its edges: it must
 * not leave an answer that a later trip between the same edges (a) would
 * take. */
TEST(trips_between_the_same_edges_share_one_answer)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    ASSERT_EQ_INT(parse(&f, "<routes>\n"
                            "<trip id=\"x\" depart=\"1\" from=\"WJ\" to=\"JE\"/>\n"
                            "<trip id=\"a\" depart=\"10\" from=\"WJ\" to=\"JE\"/>\n"
                            "<trip id=\"c\" depart=\"20\" from=\"JE\" to=\"WJ\"/>\n"
                            "<trip id=\"d\" depart=\"30\" from=\"JE\" to=\"WJ\"/>\n"
                            "<trip id=\"e\" depart=\"40\" from=\"WJ\" to=\"JE\"/>\n"
                            "<trip id=\"g\" depart=\"50\" from=\"NJ\" to=\"JE\"/>\n"
                            "<trip id=\"b\" depart=\"5000\" from=\"JE\" to=\"WJ\"/>\n"
                            "</routes>", 5, 3600, 0),
                  CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 3);
    ASSERT(warned(&f, "cannot be reached", 2));
    ASSERT(warned(&f, "before the begin time", 1));
    ASSERT(warned(&f, "at or after the end time", 1));
    const demand_flow *a = &f.d.flows[0], *e = &f.d.flows[1], *g = &f.d.flows[2];
    ASSERT_EQ_INT(a->n_route, 2);
    ASSERT_STR_EQ(road_id(&f, a->route[0]), "WJ");
    ASSERT_STR_EQ(road_id(&f, a->route[1]), "JE");
    ASSERT_EQ_INT(e->n_route, 2);
    ASSERT_EQ_INT(e->route[0], a->route[0]);
    ASSERT_EQ_INT(e->route[1], a->route[1]);
    ASSERT(e->route != a->route);                  /* each flow owns its copy */
    ASSERT_EQ_INT(e->n_trip, 2);
    ASSERT_EQ_INT(e->trip[0], a->trip[0]);
    ASSERT_EQ_INT(e->trip[1], a->trip[1]);
    ASSERT_EQ_INT(e->start_time, 35);              /* 40 s, 5 s after the begin */
    ASSERT_STR_EQ(road_id(&f, g->route[0]), "NJ");
    ASSERT_STR_EQ(road_id(&f, g->route[g->n_route - 1]), "JE");
    teardown(&f);
}

/* Routes that name the same edges text are read once (a memo of the
 * text): every vehicle must still drive exactly the edges it names, also
 * when its text is a prefix of one read before, differs only in spacing,
 * or comes through a named route; a bad text repeated is reported where it
 * first stands. */
TEST(routes_with_the_same_edges_text_share_one_reading)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    ASSERT_EQ_INT(parse(&f, "<routes>\n"
                            "<route id=\"r\" edges=\"NJ JE\"/>\n"
                            "<vehicle id=\"a\" depart=\"0\"><route edges=\"WJ JE\"/></vehicle>\n"
                            "<vehicle id=\"b\" depart=\"1\"><route edges=\"NJ JE\"/></vehicle>\n"
                            "<vehicle id=\"c\" depart=\"2\"><route edges=\"WJ\"/></vehicle>\n"
                            "<vehicle id=\"d\" depart=\"3\" route=\"r\"/>\n"
                            "<vehicle id=\"e\" depart=\"4\"><route edges=\"WJ JE\"/></vehicle>\n"
                            "<vehicle id=\"f\" depart=\"5\"><route edges=\"WJ  JE\"/></vehicle>\n"
                            "<vehicle id=\"g\" depart=\"6\"><route edges=\"JE\"/></vehicle>\n"
                            "</routes>", 0, 3600, 0),
                  CB_OK);
    static const char *want[] = { "WJ JE", "NJ JE", "WJ", "NJ JE", "WJ JE", "WJ JE", "JE" };
    ASSERT_EQ_INT(f.d.n_flows, 7);
    for (uint32_t i = 0; i < 7; i++) {
        const demand_flow *fl = &f.d.flows[i];
        char got[64] = "";
        for (uint32_t k = 0; k < fl->n_route; k++) {
            size_t used = strlen(got);
            snprintf(got + used, sizeof got - used, "%s%s", k ? " " : "", road_id(&f, fl->route[k]));
        }
        if (strcmp(got, want[i]) != 0) TEST_FAIL_("vehicle %c drives \"%s\", expected \"%s\"", 'a' + i, got, want[i]);
    }
    ASSERT(f.d.flows[4].route != f.d.flows[0].route);   /* each flow owns its copy */
    ASSERT_EQ_INT(parse(&f, "<routes>\n"
                            "<vehicle id=\"a\" depart=\"0\"><route edges=\"WJ JE\"/></vehicle>\n"
                            "<vehicle id=\"b\" depart=\"1\"><route edges=\"WJ NJ\"/></vehicle>\n"
                            "<vehicle id=\"c\" depart=\"2\"><route edges=\"WJ NJ\"/></vehicle>\n"
                            "</routes>", 0, 3600, 0),
                  CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:3: <route>: route: no connection for cars from edge \"WJ\" to edge \"NJ\"");
    teardown(&f);
}

TEST(bad_demand_names_file_line_and_element)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v1\" depart=\"0\">\n<route edges=\"WJ XX\"/>\n</vehicle>\n</routes>", 0, -1, 0),
                  CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:3: <route>: unknown edge \"XX\" in 'edges'");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<route id=\"r\" edges=\"WJ NJ\"/>\n</routes>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:2: <route id=\"r\">: route: no connection for cars from edge \"WJ\" to edge \"NJ\"");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<trip id=\"t\" depart=\"0\" from=\"WJ\" to=\"Q\"/>\n</routes>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:2: <trip id=\"t\">: unknown edge \"Q\" in 'to'");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v\" depart=\"0\" type=\"bus\" route=\"r\"/>\n</routes>", 0, -1, 0),
                  CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "unknown vType \"bus\"");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v\" depart=\"0\" route=\"nowhere\"/>\n</routes>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "unknown route \"nowhere\"");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v\"><route edges=\"WJ JE\"/></vehicle>\n</routes>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "attribute 'depart' is missing");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vType id=\"c\" decel=\"0\"/>\n</routes>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:2: <vType id=\"c\">: decel must be > 0");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<flow id=\"f\" begin=\"0\" end=\"10\" period=\"2\" vehsPerHour=\"5\" route=\"x\"/>\n</routes>",
                        0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "give only one of period, vehsPerHour and probability");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v\" depart=\"0\" departLane=\"5\"><route edges=\"WJ JE\"/></vehicle>\n</routes>",
                        0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "departLane 5 is not a lane");
    ASSERT_EQ_INT(parse(&f, "<routes>\n<vehicle id=\"v\" depart=\"0\">\n<route edges=\"WJ JE\"/>\n", 0, -1, 0), CB_ESYNTAX);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:4:");
    ASSERT_EQ_INT(parse(&f, "<net/>", 0, -1, 0), CB_ESCHEMA);
    ASSERT_CONTAINS(f.err.msg, "not a SUMO route file");
    teardown(&f);
}

TEST(unsupported_things_are_warned_with_counts)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    const char *t = "<routes>\n"
                    "<vType id=\"c\" carFollowModel=\"IDM\" sigma=\"0.5\"/>\n"
                    "<vehicle id=\"a\" type=\"c\" depart=\"5\" arrivalPos=\"10\"><route edges=\"WJ JE\"/><stop lane=\"JE_0\" duration=\"5\"/></vehicle>\n"
                    "<vehicle id=\"b\" type=\"c\" depart=\"1\" depart=\"1\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<trip id=\"c\" depart=\"6\" fromTaz=\"z1\" toTaz=\"z2\"/>\n"
                    "<container id=\"k\" depart=\"0\"/>\n"
                    "<vehicle id=\"d\" depart=\"triggered\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "</routes>\n";
    int rc = parse(&f, t, 0, -1, 0);
    /* a duplicate attribute is malformed XML, before anything else */
    ASSERT_EQ_INT(rc, CB_ESYNTAX);
    ASSERT_CONTAINS(f.err.msg, "t.rou.xml:4:");
    const char *t2 = "<routes>\n"
                     "<vType id=\"c\" carFollowModel=\"IDM\" sigma=\"0.5\"/>\n"
                     "<vehicle id=\"a\" type=\"c\" depart=\"5\" arrivalPos=\"10\"><route edges=\"WJ JE\"/><stop lane=\"JE_0\" duration=\"5\"/></vehicle>\n"
                     "<vehicle id=\"b\" type=\"c\" depart=\"1\"><route edges=\"WJ JE\"/></vehicle>\n"
                     "<trip id=\"c\" depart=\"6\" fromTaz=\"z1\" toTaz=\"z2\"/>\n"
                     "<container id=\"k\" depart=\"0\"/>\n"
                     "<vehicle id=\"d\" depart=\"triggered\"><route edges=\"WJ JE\"/></vehicle>\n"
                     "</routes>\n";
    ASSERT_EQ_INT(parse(&f, t2, 0, -1, 0), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 2);
    ASSERT_NEAR(f.d.flows[0].sigma, 0.5, 0);             /* Krauss dawdling is modelled */
    ASSERT(warned(&f, "carFollowModel \"IDM\"", 1));
    ASSERT(warned(&f, "arrivalPos is not modelled", 1));
    ASSERT(warned(&f, "<stop> of vehicles are ignored", 1));
    ASSERT(warned(&f, "fromTaz", 1));
    ASSERT(warned(&f, "<container> elements are ignored", 1));
    ASSERT(warned(&f, "depart=\"triggered\"", 1));
    ASSERT(warned(&f, "route file: SUMO ignores them", 1));   /* b departs before a */
    teardown(&f);
}

/* The six depart and arrival attributes are found in one pass over a
 * vehicle's attributes (read_depart_attrs): each wherever it stands, and
 * beside the bare depart and arrival that SUMO's own route output writes. */
TEST(depart_and_arrival_attributes_are_found_in_any_order)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    const char *t = "<routes>\n"
                    "<vehicle arrival=\"30\" arrivalSpeed=\"5\" id=\"a\" departPos=\"free\" departLane=\"0\" depart=\"3\" "
                    "arrivalLane=\"0\" departSpeed=\"7.5\" arrivalPos=\"1\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<vehicle departSpeed=\"max\" arrival=\"40\" depart=\"4\" id=\"b\" departLane=\"1\">"
                    "<route edges=\"WJ JE\"/></vehicle>\n"
                    "</routes>\n";
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 0), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 2);
    ASSERT_EQ_INT(f.d.flows[0].depart_lane, 2);          /* SUMO's rightmost lane 0 is our last, lane 1 (+1) */
    ASSERT_NEAR(f.d.flows[0].depart_speed, 7.5, 0);
    ASSERT_EQ_INT(f.d.flows[1].depart_lane, 1);
    ASSERT_NEAR(f.d.flows[1].depart_speed, DEMAND_DEPART_MAX, 0);
    ASSERT(warned(&f, "departPos=\"free\" is not modelled", 1));
    ASSERT(warned(&f, "arrivalLane is not modelled", 1));
    ASSERT(warned(&f, "arrivalPos is not modelled", 1));
    ASSERT(warned(&f, "arrivalSpeed is not modelled", 1));
    ASSERT_EQ_INT(cb_warnings_count(f.w), 4);            /* nothing about the bare arrival */
    teardown(&f);
}

/* SUMO reads a route file in departure order; one listed after a later
 * departure is counted (note_order) and named in one warning, and still
 * loaded.  Known answer: 5 after 10, 15 after 20 and the flow's begin 1
 * after 20 are out of order (3); a flow without begin and a triggered
 * vehicle have no departure to compare. */
TEST(departures_out_of_order_are_counted_in_one_warning)
{
    fixture f;
    ASSERT_EQ_INT(setup(&f), CB_OK);
    const char *t = "<routes>\n"
                    "<vehicle id=\"a\" depart=\"10\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<vehicle id=\"b\" depart=\"5\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<vehicle id=\"c\" depart=\"20\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<vehicle id=\"d\" depart=\"triggered\"><route edges=\"WJ JE\"/></vehicle>\n"
                    "<trip id=\"e\" depart=\"15\" from=\"WJ\" to=\"JE\"/>\n"
                    "<flow id=\"f\" begin=\"1\" end=\"30\" period=\"10\"><route edges=\"WJ JE\"/></flow>\n"
                    "<flow id=\"g\" end=\"30\" period=\"10\"><route edges=\"WJ JE\"/></flow>\n"
                    "</routes>\n";
    ASSERT_EQ_INT(parse(&f, t, 0, -1, 0), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 6);
    ASSERT(warned(&f, "depart before one listed earlier in their route file", 3));
    /* in order, no warning */
    const char *sorted = "<routes>\n"
                         "<vehicle id=\"a\" depart=\"5\"><route edges=\"WJ JE\"/></vehicle>\n"
                         "<flow id=\"f\" begin=\"5\" end=\"30\" period=\"10\"><route edges=\"WJ JE\"/></flow>\n"
                         "<trip id=\"e\" depart=\"15\" from=\"WJ\" to=\"JE\"/>\n"
                         "</routes>\n";
    cb_warnings_free(f.w);
    f.w = cb_warnings_new();
    ASSERT_EQ_INT(parse(&f, sorted, 0, -1, 0), CB_OK);
    ASSERT_EQ_INT(f.d.n_flows, 3);
    ASSERT(!warned(&f, "depart before one listed earlier", -1));
    teardown(&f);
}

TEST_MAIN()
