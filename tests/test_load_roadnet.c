/* test_load_roadnet.c -- roadnet.json: what loads, and for each way of
 * getting it wrong, the error code and a message naming the file, the JSON
 * path and the fault.
 *
 * The bad inputs are tests/data/tiny_roadnet.json with one text
 * substitution each (renaming a key is how a member goes missing).  That
 * file is a corridor A - B - C: virtual A and C, signalized B; roads AB, BA,
 * BC (2 lanes each, BC bent) and CB (1 lane); at B roadLink 0 goes straight
 * AB -> BC and roadLink 1 turns CB -> BA on a lane link with given points;
 * phases: 30 s with both, 5 s with none. */
#include "test_load_util.h"
#include "load/cityflow.h"
#include "net/net.h"

typedef struct rn_case {
    const char *label;
    const char *find, *repl;
    tl_expect want;
} rn_case;

/* Load `text` as <tmp>/roadnet.json; rc and err as the loader left them. */
static int load_text(const char *text, net_spec *spec, cb_error *err)
{
    const char *p = tl_write("roadnet.json", text);
    net_spec_init(spec);
    return cf_roadnet_load(p, spec, err);
}

static void run_cases(const rn_case *cases, size_t n)
{
    char *base = tl_read_data("tiny_roadnet.json");
    for (size_t i = 0; i < n; i++) {
        const rn_case *t = &cases[i];
        char *text = tl_replace(base, t->find, t->repl);
        if (!text) {
            fprintf(stderr, "  case %s: \"%s\" is not in the base file exactly once\n", t->label, t->find);
            test_failed_ = 1;
            continue;
        }
        net_spec spec;
        cb_error err = { 0 };
        int rc = load_text(text, &spec, &err);
        tl_check(t->label, rc, &err, &t->want);
        net_spec_free(&spec);
        free(text);
    }
    free(base);
}

#define E(code, ...) { code, { __VA_ARGS__ } }

TEST(top_level)
{
    static const rn_case cases[] = {
        { "no intersections", "\"intersections\": [", "\"intersectionz\": [",
          E(CB_ESCHEMA, "roadnet.json: intersections: missing required member") },
        { "no roads", "\"roads\": [\n", "\"roadz\": [\n",
          E(CB_ESCHEMA, "roadnet.json: roads: missing required member") },
        { "intersections object", "\"intersections\": [", "\"intersections\": {}, \"x\": [",
          E(CB_ESCHEMA, "roadnet.json: intersections: expected an array, got an object") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);

    net_spec spec;
    cb_error err = { 0 };
    int rc = load_text("{\"intersections\": [], \"roads\": []}", &spec, &err);
    tl_expect w = E(CB_ESCHEMA, "roadnet.json: roads: the network has no roads");
    tl_check("no roads at all", rc, &err, &w);
    net_spec_free(&spec);
}

TEST(roads)
{
    static const rn_case cases[] = {
        { "road without id", "{\"id\": \"AB\", ", "{",
          E(CB_ESCHEMA, "roadnet.json: roads[0].id: missing required member") },
        { "road id number", "{\"id\": \"BC\", ", "{\"id\": 7, ",
          E(CB_ESCHEMA, "roadnet.json: roads[2].id: expected a string, got an integer 7") },
        { "road id empty", "{\"id\": \"CB\", ", "{\"id\": \"\", ",
          E(CB_ESCHEMA, "roadnet.json: roads[3].id: road id must not be empty") },
        { "duplicate road id", "{\"id\": \"BA\", ", "{\"id\": \"AB\", ",
          E(CB_ESCHEMA, "roadnet.json: roads[1].id: duplicate road id \"AB\" (also roads[0])") },
        { "no startIntersection", "\"startIntersection\": \"A\", ", "",
          E(CB_ESCHEMA, "roadnet.json: roads[0].startIntersection: missing required member") },
        { "dangling startIntersection", "\"id\": \"CB\", \"startIntersection\": \"C\"",
          "\"id\": \"CB\", \"startIntersection\": \"D\"",
          E(CB_ESCHEMA, "roadnet.json: roads[3].startIntersection: unknown intersection \"D\"") },
        { "dangling endIntersection", "\"endIntersection\": \"A\"", "\"endIntersection\": \"Q\"",
          E(CB_ESCHEMA, "roadnet.json: roads[1].endIntersection: unknown intersection \"Q\"") },
        { "endIntersection bool", "\"endIntersection\": \"A\"", "\"endIntersection\": true",
          E(CB_ESCHEMA, "roadnet.json: roads[1].endIntersection: expected a string, got a boolean true") },
        { "no points", "\"points\": [{\"x\": 0, \"y\": 0}, {\"x\": 200", "\"pointz\": [{\"x\": 0, \"y\": 0}, {\"x\": 200",
          E(CB_ESCHEMA, "roadnet.json: roads[0].points: missing required member") },
        { "one point", "\"points\": [{\"x\": 400, \"y\": 0}, {\"x\": 200, \"y\": 0}]", "\"points\": [{\"x\": 400, \"y\": 0}]",
          E(CB_ESCHEMA, "roadnet.json: roads[3].points: needs at least 2 points, has 1") },
        { "point without y", "{\"x\": 300, \"y\": 50}", "{\"x\": 300}",
          E(CB_ESCHEMA, "roadnet.json: roads[2].points[1].y: missing required member") },
        { "point x string", "{\"x\": 300, \"y\": 50}", "{\"x\": \"300\", \"y\": 50}",
          E(CB_ESCHEMA, "roadnet.json: roads[2].points[1].x: expected a number, got a string \"300\"") },
        { "coordinate too large", "{\"x\": 300, \"y\": 50}", "{\"x\": 300, \"y\": -1e300}",
          E(CB_ESCHEMA, "roadnet.json: roads[2].points[1].y: coordinates must be between -1e8 and 1e8 m") },
        { "point is array", "{\"x\": 300, \"y\": 50}", "[300, 50]",
          E(CB_ESCHEMA, "roadnet.json: roads[2].points[1]: expected an object, got an array") },
        { "no lanes", "\"lanes\": [{\"width\": 3.5", "\"lanez\": [{\"width\": 3.5",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes: missing required member") },
        { "lanes empty", "\"lanes\": [{\"width\": 3.5, \"maxSpeed\": 11.1}]", "\"lanes\": []",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes: a road needs at least one lane") },
        { "lanes object", "\"lanes\": [{\"width\": 3.5, \"maxSpeed\": 11.1}]", "\"lanes\": {\"width\": 3.5}",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes: expected an array, got an object") },
        { "lane without width", "{\"width\": 3.5, \"maxSpeed\": 11.1}", "{\"maxSpeed\": 11.1}",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes[0].width: missing required member") },
        { "lane without maxSpeed", "{\"width\": 3.5, \"maxSpeed\": 11.1}", "{\"width\": 3.5}",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes[0].maxSpeed: missing required member") },
        { "negative lane width", "{\"width\": 3.5,", "{\"width\": -3.5,",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes[0].width: lane width must be between 0 and 100 m") },
        { "zero maxSpeed", "\"maxSpeed\": 11.1", "\"maxSpeed\": 0",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes[0].maxSpeed: ", "must be a positive speed") },
        { "maxSpeed string", "\"maxSpeed\": 11.1", "\"maxSpeed\": \"fast\"",
          E(CB_ESCHEMA, "roadnet.json: roads[3].lanes[0].maxSpeed: expected a number, got a string \"fast\"") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(intersections)
{
    static const rn_case cases[] = {
        { "intersection without id", "{\"id\": \"A\", ", "{",
          E(CB_ESCHEMA, "roadnet.json: intersections[0].id: missing required member") },
        { "duplicate intersection id", "{\"id\": \"C\", ", "{\"id\": \"A\", ",
          E(CB_ESCHEMA, "roadnet.json: intersections[2].id: duplicate intersection id \"A\" (also intersections[0])") },
        { "no point", "\"point\": {\"x\": 400, \"y\": 0}", "\"pointz\": {\"x\": 400, \"y\": 0}",
          E(CB_ESCHEMA, "roadnet.json: intersections[2].point: missing required member") },
        { "point without x", "\"point\": {\"x\": 400, \"y\": 0}", "\"point\": {\"y\": 0}",
          E(CB_ESCHEMA, "roadnet.json: intersections[2].point.x: missing required member") },
        { "point too far", "\"point\": {\"x\": 400, \"y\": 0}", "\"point\": {\"x\": 4e8, \"y\": 0}",
          E(CB_ESCHEMA, "roadnet.json: intersections[2].point.x: coordinates must be between -1e8 and 1e8 m") },
        { "no virtual", "\"virtual\": false,", "",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].virtual: missing required member") },
        { "virtual integer", "\"virtual\": false", "\"virtual\": 0",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].virtual: expected true or false, got an integer 0") },
        { "virtual string", "\"virtual\": true, \"roads\": [\"BC\"", "\"virtual\": \"true\", \"roads\": [\"BC\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[2].virtual: expected true or false, got a string \"true\"") },
        { "signalized without roads", "\"roads\": [\"AB\", \"BA\", \"BC\", \"CB\"]", "\"roadz\": []",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roads: missing required member") },
        { "dangling road in roads", "\"roads\": [\"AB\", \"BA\", \"BC\", \"CB\"]", "\"roads\": [\"AB\", \"BA\", \"BX\", \"CB\"]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roads[2]: unknown road \"BX\"") },
        { "number in roads", "\"roads\": [\"AB\", \"BA\", \"BC\", \"CB\"]", "\"roads\": [\"AB\", 5]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roads[1]: expected a string, got an integer 5") },
        { "no width", "\"width\": 10, ", "",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].width: missing required member") },
        { "negative width", "\"width\": 10, ", "\"width\": -1, ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].width: width must be between 0 and 1000 m") },
        { "width string", "\"width\": 10, ", "\"width\": \"10\", ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].width: expected a number, got a string \"10\"") },
        { "no roadLinks", "\"roadLinks\": [", "\"roadLinkz\": [",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks: missing required member") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(roadlinks_and_lanelinks)
{
    static const rn_case cases[] = {
        { "roadLink without type", "{\"type\": \"turn_left\", ", "{",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].type: missing required member") },
        { "unknown roadLink type", "\"turn_left\"", "\"turn_u\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].type: unknown roadLink type \"turn_u\"",
            "expected go_straight, turn_left or turn_right") },
        { "roadLink type integer", "\"type\": \"go_straight\"", "\"type\": 3",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].type: expected a string, got an integer 3") },
        { "no startRoad", "\"startRoad\": \"AB\", ", "",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].startRoad: missing required member") },
        { "dangling startRoad", "\"startRoad\": \"AB\"", "\"startRoad\": \"ZZ\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].startRoad: unknown road \"ZZ\"") },
        { "dangling endRoad", "\"endRoad\": \"BA\"", "\"endRoad\": \"AC\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].endRoad: unknown road \"AC\"") },
        { "startRoad elsewhere", "\"startRoad\": \"AB\"", "\"startRoad\": \"BA\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].startRoad: road BA does not end at this intersection") },
        { "endRoad elsewhere", "\"endRoad\": \"BC\"", "\"endRoad\": \"CB\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].endRoad: road CB does not start at this intersection") },
        { "no laneLinks", "\"laneLinks\": [{\"startLaneIndex\": 0, \"endLaneIndex\": 0, \"points\"",
          "\"laneLinkz\": [{\"startLaneIndex\": 0, \"endLaneIndex\": 0, \"points\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].laneLinks: missing required member") },
        { "no startLaneIndex", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"endLaneIndex\": 1}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].startLaneIndex: missing required member") },
        { "no endLaneIndex", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": 1}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].endLaneIndex: missing required member") },
        { "endLaneIndex out of range", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": 1, \"endLaneIndex\": 2}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].endLaneIndex: road BC has no lane 2 (it has 2)") },
        { "startLaneIndex out of range", "\"laneLinks\": [{\"startLaneIndex\": 0, \"endLaneIndex\": 0, \"points\"",
          "\"laneLinks\": [{\"startLaneIndex\": 1, \"endLaneIndex\": 0, \"points\"",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].laneLinks[0].startLaneIndex: road CB has no lane 1 (it has 1)") },
        { "negative startLaneIndex", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": -1, \"endLaneIndex\": 1}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].startLaneIndex: road AB has no lane -1") },
        { "huge startLaneIndex", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": 4294967296, \"endLaneIndex\": 1}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].startLaneIndex: road AB has no lane 4294967296") },
        { "real lane index", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": 1.0, \"endLaneIndex\": 1}",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[0].laneLinks[1].startLaneIndex: expected an integer, got a real number 1") },
        { "lane link with one point", "\"points\": [{\"x\": 210, \"y\": 1.75}, {\"x\": 190, \"y\": 1.5}]",
          "\"points\": [{\"x\": 210, \"y\": 1.75}]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].laneLinks[0].points: needs no points or at least 2") },
        { "lane link point null", "{\"x\": 190, \"y\": 1.5}", "null",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].roadLinks[1].laneLinks[0].points[1]: expected an object, got null") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(phases)
{
    static const rn_case cases[] = {
        { "no trafficLight", "\"trafficLight\": {", "\"trafficLite\": {",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight: missing required member") },
        { "no lightphases", "\"lightphases\": [", "\"lightfases\": [",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases: missing required member") },
        { "no phases", "\"lightphases\": [{\"time\": 30, \"availableRoadLinks\": [0, 1]}, {\"time\": 5, \"availableRoadLinks\": []}]",
          "\"lightphases\": []",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases: a signalized intersection needs at least one phase") },
        { "phase without time", "{\"time\": 30, ", "{",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].time: missing required member") },
        { "zero phase time", "{\"time\": 5, ", "{\"time\": 0, ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[1].time: a phase must last between 0.001 and 1e6 seconds") },
        { "negative phase time", "{\"time\": 5, ", "{\"time\": -5, ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[1].time: a phase must last between 0.001 and 1e6 seconds") },
        { "phase time of 1e-300 s (a step would cycle the plan for ever)", "{\"time\": 5, ", "{\"time\": 1e-300, ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[1].time: a phase must last between 0.001 and 1e6 seconds") },
        { "phase time string", "{\"time\": 5, ", "{\"time\": \"5s\", ",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[1].time: expected a number, got a string \"5s\"") },
        { "no availableRoadLinks", "\"availableRoadLinks\": [0, 1]", "\"availableRoadLinkz\": [0, 1]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].availableRoadLinks: missing required member") },
        { "phase names a missing roadLink", "\"availableRoadLinks\": [0, 1]", "\"availableRoadLinks\": [0, 2]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].availableRoadLinks[1]: roadLink 2 does not exist (the intersection has 2)") },
        { "phase names roadLink -1", "\"availableRoadLinks\": [0, 1]", "\"availableRoadLinks\": [-1]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].availableRoadLinks[0]: roadLink -1 does not exist") },
        { "roadLink index real", "\"availableRoadLinks\": [0, 1]", "\"availableRoadLinks\": [0, 1.0]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].availableRoadLinks[1]: expected an integer, got a real number 1") },
        { "roadLink index string", "\"availableRoadLinks\": [0, 1]", "\"availableRoadLinks\": [\"0\"]",
          E(CB_ESCHEMA, "roadnet.json: intersections[1].trafficLight.lightphases[0].availableRoadLinks[0]: expected an integer, got a string \"0\"") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Messages also give the line of the offending value. */
TEST(messages_give_the_line)
{
    static const rn_case cases[] = {
        { "line of a road", "\"endIntersection\": \"A\"", "\"endIntersection\": \"Q\"",
          E(CB_ESCHEMA, "roadnet.json: roads[1].endIntersection: unknown intersection \"Q\" (line 18)") },
        { "line of a lane index", "{\"startLaneIndex\": 1, \"endLaneIndex\": 1}", "{\"startLaneIndex\": 1, \"endLaneIndex\": 2}",
          E(CB_ESCHEMA, "endLaneIndex: road BC has no lane 2 (it has 2) (line 8)") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The base file, read member by member, and the network built from it. */
TEST(tiny_roadnet_loads_and_builds)
{
    char *text = tl_read_data("tiny_roadnet.json");
    net_spec s;
    cb_error err = { 0 };
    int rc = load_text(text, &s, &err);
    free(text);
    if (rc) TEST_FAIL_("%s", err.msg);
    ASSERT_EQ_INT(s.n_inters, 3);
    ASSERT_EQ_INT(s.n_roads, 4);
    ASSERT_STR_EQ(s.roads[2].id, "BC");
    ASSERT_EQ_INT(s.roads[2].from, 1);
    ASSERT_EQ_INT(s.roads[2].to, 2);
    ASSERT_EQ_INT(s.roads[2].n_points, 3);
    ASSERT_NEAR(s.roads[2].points[1].y, 50, 0);
    ASSERT_EQ_INT(s.roads[3].n_lanes, 1);
    ASSERT_NEAR(s.roads[3].lanes[0].width, 3.5, 0);
    ASSERT_NEAR(s.roads[3].lanes[0].max_speed, 11.1, 0);
    const net_spec_inter *b = &s.inters[1];
    ASSERT(!b->is_virtual && s.inters[0].is_virtual && s.inters[2].is_virtual);
    ASSERT_NEAR(b->width, 10, 0);
    ASSERT_NEAR(b->point.x, 200, 0);
    ASSERT_EQ_INT(b->n_roads, 4);
    ASSERT_EQ_INT(b->n_roadlinks, 2);
    ASSERT_EQ_INT(b->roadlinks[0].type, NET_TURN_STRAIGHT);
    ASSERT_EQ_INT(b->roadlinks[1].type, NET_TURN_LEFT);
    ASSERT_EQ_INT(b->roadlinks[1].start_road, 3);
    ASSERT_EQ_INT(b->roadlinks[1].end_road, 1);
    ASSERT_EQ_INT(b->roadlinks[0].n_lanelinks, 2);
    ASSERT_EQ_INT(b->roadlinks[0].lanelinks[1].start_lane, 1);
    ASSERT(b->roadlinks[0].lanelinks[0].points == NULL);     /* generated later */
    ASSERT_EQ_INT(b->roadlinks[1].lanelinks[0].n_points, 2);
    ASSERT_NEAR(b->roadlinks[1].lanelinks[0].points[0].y, 1.75, 0);
    ASSERT_EQ_INT(b->n_phases, 2);
    ASSERT_NEAR(b->phases[0].time, 30, 0);
    ASSERT_EQ_INT(b->phases[0].n_links, 2);
    ASSERT_EQ_INT(b->phases[0].links[1], 1);
    ASSERT_EQ_INT(b->phases[1].n_links, 0);

    cb_net *n = NULL;
    rc = net_build(&s, &n, &err);
    net_spec_free(&s);
    if (rc) TEST_FAIL_("%s", err.msg);
    ASSERT_EQ_INT(n->n_lanes, 7);
    ASSERT_EQ_INT(n->n_links, 3);
    /* AB leads on to BC only; BA is unreachable from AB (no U-turn). */
    uint32_t anchors[2] = { 0, 2 }, *route = NULL, len = 0, bad = 99;
    ASSERT_EQ_INT(net_route(n, anchors, 2, &route, &len, &bad), CB_OK);
    ASSERT_EQ_INT(len, 2);
    free(route);
    anchors[1] = 1;
    ASSERT_EQ_INT(net_route(n, anchors, 2, &route, &len, &bad), CB_ENOTFOUND);
    ASSERT_EQ_INT(bad, 1);
    net_free(n);
}

/* Geometry that only net_build can judge: an intersection wider than the
 * end segment it trims would turn the lane around.  AB is 200 m long and
 * ends at B; CB has its two points at B's centre. */
TEST(trimming_past_a_point_is_refused)
{
    static const struct { const char *label, *find, *repl, *want; } cases[] = {
        { "B 200 m wide", "\"width\": 10, ", "\"width\": 200, ",
          "road AB: an end segment is not longer than the intersection width that trims it (0 m at A, 200 m at B)" },
        { "road inside B", "\"points\": [{\"x\": 400, \"y\": 0}, {\"x\": 200, \"y\": 0}]",
          "\"points\": [{\"x\": 205, \"y\": 0}, {\"x\": 200, \"y\": 0}]",
          "road CB: an end segment is not longer than the intersection width that trims it (0 m at C, 10 m at B)" },
    };
    char *base = tl_read_data("tiny_roadnet.json");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = tl_replace(base, cases[i].find, cases[i].repl);
        if (!text) { fprintf(stderr, "  case %s: bad substitution\n", cases[i].label); test_failed_ = 1; continue; }
        net_spec s;
        cb_error err = { 0 };
        int rc = load_text(text, &s, &err);
        free(text);
        cb_net *n = NULL;
        if (rc == CB_OK) rc = net_build(&s, &n, &err);
        net_spec_free(&s);
        net_free(n);
        tl_expect w = { CB_ESCHEMA, { cases[i].want } };
        tl_check(cases[i].label, rc, &err, &w);
    }
    free(base);
}

/* Optional and lenient parts: what CityFlow accepts and so do we. */
TEST(accepted_variants)
{
    static const struct { const char *label, *find, *repl; } cases[] = {
        { "virtual without roads", ", \"roads\": [\"BC\", \"CB\"]", "" },
        { "empty lane link points", "\"points\": [{\"x\": 210, \"y\": 1.75}, {\"x\": 190, \"y\": 1.5}]", "\"points\": []" },
        { "unknown members", "\"width\": 10, ", "\"width\": 10, \"roadLinkIndices\": [0, 1], \"direction\": 3, " },
        { "integer where a number is wanted", "\"maxSpeed\": 11.1", "\"maxSpeed\": 11" },
        { "phase with no links", "[0, 1]", "[]" },
    };
    char *base = tl_read_data("tiny_roadnet.json");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = tl_replace(base, cases[i].find, cases[i].repl);
        if (!text) { fprintf(stderr, "  case %s: bad substitution\n", cases[i].label); test_failed_ = 1; continue; }
        net_spec s;
        cb_error err = { 0 };
        tl_expect ok = { CB_OK, { NULL } };
        tl_check(cases[i].label, load_text(text, &s, &err), &err, &ok);
        net_spec_free(&s);
        free(text);
    }
    free(base);
}

/* The fuzz seeds are valid networks (so fuzzing starts from the inside). */
TEST(fuzz_seed_grids_load_and_build)
{
    static const struct { const char *file; int inters, signals, roads, links; } grids[] = {
        { "grid_1x1.json", 5, 1, 8, 4 * 3 * 3 },        /* 4 legs, 3 movements, 3 lane links */
        { "grid_2x2_1lane.json", 12, 4, 24, 4 * 4 * 3 },
        { "grid_1x2_2lane.json", 8, 2, 14, 2 * 4 * 3 * 2 },
    };
    for (size_t i = 0; i < sizeof grids / sizeof grids[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/fuzz/corpus/roadnet/%s", CB_SOURCE_DIR, grids[i].file);
        net_spec s;
        net_spec_init(&s);
        cb_error err = { 0 };
        if (cf_roadnet_load(p, &s, &err)) TEST_FAIL_("%s", err.msg);
        int sig = 0;
        for (uint32_t k = 0; k < s.n_inters; k++) sig += !s.inters[k].is_virtual;
        ASSERT_EQ_INT(s.n_inters, grids[i].inters);
        ASSERT_EQ_INT(sig, grids[i].signals);
        ASSERT_EQ_INT(s.n_roads, grids[i].roads);
        cb_net *n = NULL;
        int rc = net_build(&s, &n, &err);
        net_spec_free(&s);
        if (rc) TEST_FAIL_("%s: %s", grids[i].file, err.msg);
        ASSERT_EQ_INT(n->n_links, grids[i].links);
        net_free(n);
    }
}

TEST_MAIN()
