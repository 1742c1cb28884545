/* test_load_flow.c -- flow.json: what loads, and for each way of getting it
 * wrong, the error code and a message naming the file, the JSON path and
 * the fault.  Flows run on tests/data/tiny_roadnet.json (roads AB, BA, BC,
 * CB; see test_load_roadnet.c).
 *
 * A bad input is three good flows, one flow per line, with one text
 * substitution in the middle one, so every path starts with "[1]". */
#include "test_load_util.h"
#include "load/cityflow.h"

#define VEHICLE "{\"length\": 5.0, \"width\": 2.0, \"maxPosAcc\": 2.0, \"maxNegAcc\": 4.5, " \
                "\"usualPosAcc\": 2.0, \"usualNegAcc\": 4.5, \"minGap\": 2.5, \"maxSpeed\": 16.67, " \
                "\"headwayTime\": 1.5}"
#define FLOW "{\"vehicle\": " VEHICLE ", \"route\": [\"AB\", \"BC\"], \"interval\": 5.0, " \
             "\"startTime\": 0, \"endTime\": 100}"

static net_spec g_net;

static void load_net(void)
{
    if (g_net.n_roads) return;
    char p[512];
    snprintf(p, sizeof p, "%s/tests/data/tiny_roadnet.json", CB_SOURCE_DIR);
    cb_error err = { 0 };
    net_spec_init(&g_net);
    if (cf_roadnet_load(p, &g_net, &err)) { fprintf(stderr, "%s\n", err.msg); exit(1); }
}

/* "[\n<flow 0>,\n<flow 1>,\n...]" with element `k` given separately. */
static char *flow_array(size_t n, size_t k, const char *special)
{
    size_t cap = (n + 1) * (strlen(FLOW) + 4) + strlen(special) + 16;
    char *s = malloc(cap), *w = s;
    w += sprintf(w, "[\n");
    for (size_t i = 0; i < n; i++)
        w += sprintf(w, "%s%s\n", i == k ? special : FLOW, i + 1 < n ? "," : "");
    sprintf(w, "]\n");
    return s;
}

static int load_text(const char *text, demand_spec *d, cb_error *err)
{
    load_net();
    const char *p = tl_write("flow.json", text);
    demand_spec_init(d);
    return cf_flow_load(p, &g_net, d, err);
}

typedef struct flow_case {
    const char *label;
    const char *find, *repl;   /* applied to flow [1] */
    tl_expect want;
} flow_case;

static void run_cases(const flow_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const flow_case *t = &cases[i];
        char *one = tl_replace(FLOW, t->find, t->repl);
        if (!one) {
            fprintf(stderr, "  case %s: \"%s\" is not in the flow exactly once\n", t->label, t->find);
            test_failed_ = 1;
            continue;
        }
        char *text = flow_array(3, 1, one);
        demand_spec d;
        cb_error err = { 0 };
        tl_check(t->label, load_text(text, &d, &err), &err, &t->want);
        demand_spec_free(&d);
        free(text);
        free(one);
    }
}

#define E(code, ...) { code, { __VA_ARGS__ } }

/* The example of the project rules, exactly: flow 412 of 500 has
 * maxSpeed "fast"; the array opens on line 1, so flow i is on line i + 2. */
TEST(maxspeed_fast_in_flow_412)
{
    char *bad = tl_replace(FLOW, "\"maxSpeed\": 16.67", "\"maxSpeed\": \"fast\"");
    char *text = flow_array(500, 412, bad);
    demand_spec d;
    cb_error err = { 0 };
    int rc = load_text(text, &d, &err);
    char want[700];
    snprintf(want, sizeof want, "%s/flow.json: [412].vehicle.maxSpeed: expected a number, got a string \"fast\" (line 414)",
             tl_dir());
    ASSERT_EQ_INT(rc, CB_ESCHEMA);
    ASSERT_EQ_INT(err.code, CB_ESCHEMA);
    ASSERT_STR_EQ(err.msg, want);
    demand_spec_free(&d);
    free(text);
    free(bad);
}

TEST(vehicle_members)
{
    static const char *names[] = { "length", "width", "maxPosAcc", "maxNegAcc", "usualPosAcc",
                                   "usualNegAcc", "minGap", "maxSpeed", "headwayTime" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char find[32], repl[40], path[80], label[80];
        /* missing: the key renamed */
        snprintf(find, sizeof find, "\"%s\":", names[i]);
        snprintf(repl, sizeof repl, "\"%sX\":", names[i]);
        snprintf(path, sizeof path, "flow.json: [1].vehicle.%s: missing required member", names[i]);
        snprintf(label, sizeof label, "no %s", names[i]);
        flow_case c = { label, find, repl, E(CB_ESCHEMA, path) };
        run_cases(&c, 1);
        /* a string instead of the number */
        snprintf(repl, sizeof repl, "\"%s\": \"1\", \"x\":", names[i]);
        snprintf(path, sizeof path, "flow.json: [1].vehicle.%s: expected a number, got a string \"1\"", names[i]);
        snprintf(label, sizeof label, "%s string", names[i]);
        flow_case c2 = { label, find, repl, E(CB_ESCHEMA, path) };
        run_cases(&c2, 1);
    }
    static const flow_case cases[] = {
        { "no vehicle", "\"vehicle\":", "\"vehicel\":",
          E(CB_ESCHEMA, "flow.json: [1].vehicle: missing required member") },
        { "vehicle number", "\"vehicle\": {", "\"vehicle\": 5, \"v\": {",
          E(CB_ESCHEMA, "flow.json: [1].vehicle: expected an object, got an integer 5") },
        { "zero maxNegAcc", "\"maxNegAcc\": 4.5", "\"maxNegAcc\": 0",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.maxNegAcc: must be > 0") },
        { "zero usualNegAcc", "\"usualNegAcc\": 4.5", "\"usualNegAcc\": 0.0",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.usualNegAcc: must be > 0") },
        { "negative usualPosAcc", "\"usualPosAcc\": 2.0", "\"usualPosAcc\": -2",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.usualPosAcc: must be > 0") },
        { "negative length", "\"length\": 5.0", "\"length\": -5",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.length: must be > 0") },
        { "negative minGap", "\"minGap\": 2.5", "\"minGap\": -0.5",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.minGap: must be >= 0") },
        { "huge maxSpeed", "\"maxSpeed\": 16.67", "\"maxSpeed\": 1e308",
          E(CB_ESCHEMA, "flow.json: [1].vehicle.maxSpeed: must be > 0 and at most 1000") },
        { "maxSpeed overflows", "\"maxSpeed\": 16.67", "\"maxSpeed\": 1e400",
          E(CB_ESYNTAX, "flow.json:3:", "invalid JSON: numeric (floating point) overflow") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(schedule)
{
    static const flow_case cases[] = {
        { "no interval", "\"interval\":", "\"intervall\":",
          E(CB_ESCHEMA, "flow.json: [1].interval: missing required member") },
        { "interval string", "\"interval\": 5.0", "\"interval\": \"5\"",
          E(CB_ESCHEMA, "flow.json: [1].interval: expected a number, got a string \"5\"") },
        { "zero interval", "\"interval\": 5.0", "\"interval\": 0",
          E(CB_ESCHEMA, "flow.json: [1].interval: must be a positive number of seconds") },
        { "negative interval", "\"interval\": 5.0", "\"interval\": -5.0",
          E(CB_ESCHEMA, "flow.json: [1].interval: must be a positive number of seconds") },
        { "interval underflows to 0", "\"interval\": 5.0", "\"interval\": 1e-400",
          E(CB_ESCHEMA, "flow.json: [1].interval: must be a positive number of seconds") },
        { "real startTime", "\"startTime\": 0,", "\"startTime\": 0.0,",
          E(CB_ESCHEMA, "flow.json: [1].startTime: expected an integer, got a real number 0") },
        { "real endTime", "\"endTime\": 100", "\"endTime\": 100.0",
          E(CB_ESCHEMA, "flow.json: [1].endTime: expected an integer, got a real number 100") },
        { "string startTime", "\"startTime\": 0,", "\"startTime\": \"0\",",
          E(CB_ESCHEMA, "flow.json: [1].startTime: expected an integer, got a string \"0\"") },
        { "bool endTime", "\"endTime\": 100", "\"endTime\": false",
          E(CB_ESCHEMA, "flow.json: [1].endTime: expected an integer, got a boolean false") },
        { "negative startTime", "\"startTime\": 0,", "\"startTime\": -1,",
          E(CB_ESCHEMA, "flow.json: [1].startTime: must be between 0 and 1e8 seconds") },
        { "endTime -2", "\"endTime\": 100", "\"endTime\": -2",
          E(CB_ESCHEMA, "flow.json: [1].endTime: must be -1 (no end) or a time in seconds") },
        { "startTime overflows", "\"startTime\": 0,", "\"startTime\": 100000000000000000000,",
          E(CB_ESYNTAX, "flow.json:3:", "invalid JSON: integer overflow") },
        { "endTime before startTime", "\"startTime\": 0, \"endTime\": 100", "\"startTime\": 50, \"endTime\": 10",
          E(CB_ESCHEMA, "flow.json: [1].endTime: ends (10) before it starts (50)") },
        { "interval < 1 over a period", "\"interval\": 5.0", "\"interval\": 0.5",
          E(CB_ESCHEMA, "flow.json: [1].interval: must be at least 1 s unless startTime equals endTime") },
        { "interval < 1 forever", "\"interval\": 5.0, \"startTime\": 0, \"endTime\": 100", "\"interval\": 0.25",
          E(CB_ESCHEMA, "flow.json: [1].interval: must be at least 1 s unless startTime equals endTime") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(routes)
{
    static const flow_case cases[] = {
        { "no route", "\"route\":", "\"rout\":",
          E(CB_ESCHEMA, "flow.json: [1].route: missing required member") },
        { "route string", "\"route\": [\"AB\", \"BC\"]", "\"route\": \"AB BC\"",
          E(CB_ESCHEMA, "flow.json: [1].route: expected an array, got a string \"AB BC\"") },
        { "route of one road", "\"route\": [\"AB\", \"BC\"]", "\"route\": [\"AB\"]",
          E(CB_ESCHEMA, "flow.json: [1].route: a route needs at least 2 roads, has 1") },
        { "empty route", "\"route\": [\"AB\", \"BC\"]", "\"route\": []",
          E(CB_ESCHEMA, "flow.json: [1].route: a route needs at least 2 roads, has 0") },
        { "dangling road", "\"route\": [\"AB\", \"BC\"]", "\"route\": [\"AB\", \"ZZ\"]",
          E(CB_ESCHEMA, "flow.json: [1].route[1]: unknown road \"ZZ\"") },
        { "number in route", "\"route\": [\"AB\", \"BC\"]", "\"route\": [3, \"BC\"]",
          E(CB_ESCHEMA, "flow.json: [1].route[0]: expected a string, got an integer 3") },
        { "NUL in a road id", "\"route\": [\"AB\", \"BC\"]", "\"route\": [\"AB\", \"B\\u0000C\"]",
          E(CB_ESCHEMA, "flow.json: [1].route[1]: string contains a NUL character") },
        { "NUL after a road id", "\"route\": [\"AB\", \"BC\"]", "\"route\": [\"AB\\u0000\", \"BC\"]",
          E(CB_ESCHEMA, "flow.json: [1].route[0]: string contains a NUL character") },
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(array_elements)
{
    char *text = flow_array(3, 1, "42");
    demand_spec d;
    cb_error err = { 0 };
    tl_expect w = E(CB_ESCHEMA, "flow.json: [1]: expected an object, got an integer 42 (line 3)");
    tl_check("number element", load_text(text, &d, &err), &err, &w);
    demand_spec_free(&d);
    free(text);
}

/* Values are read as written; omitted times take CityFlow's defaults. */
TEST(good_flows_load)
{
    char *a = tl_replace(FLOW, "\"startTime\": 0, \"endTime\": 100", "\"startTime\": 7, \"endTime\": 7");
    char *a2 = tl_replace(a, "\"interval\": 5.0", "\"interval\": 0.5");       /* one vehicle: allowed */
    char *b = tl_replace(FLOW, ", \"startTime\": 0, \"endTime\": 100", "");
    char *b2 = tl_replace(b, "\"route\": [\"AB\", \"BC\"]", "\"route\": [\"CB\", \"BA\", \"BA\"]");
    char *c = tl_replace(FLOW, "\"minGap\": 2.5", "\"minGap\": 0, \"color\": \"red\"");
    size_t n = strlen(a2) + strlen(b2) + strlen(c) + 16;
    char *text = malloc(n);
    snprintf(text, n, "[%s,\n%s,\n%s]", a2, b2, c);
    demand_spec d;
    cb_error err = { 0 };
    int rc = load_text(text, &d, &err);
    free(a); free(a2); free(b); free(b2); free(c); free(text);
    if (rc) TEST_FAIL_("%s", err.msg);
    ASSERT_EQ_INT(d.n_flows, 3);
    ASSERT_EQ_INT(d.flows[0].start_time, 7);
    ASSERT_EQ_INT(d.flows[0].end_time, 7);
    ASSERT_NEAR(d.flows[0].interval, 0.5, 0);
    ASSERT_NEAR(d.flows[0].vtype.max_speed, 16.67, 0);
    ASSERT_NEAR(d.flows[0].vtype.headway_time, 1.5, 0);
    ASSERT_NEAR(d.flows[0].vtype.usual_neg_acc, 4.5, 0);
    ASSERT_EQ_INT(d.flows[0].n_route, 2);
    ASSERT_EQ_INT(d.flows[0].route[0], 0);      /* AB */
    ASSERT_EQ_INT(d.flows[0].route[1], 2);      /* BC */
    ASSERT_EQ_INT(d.flows[1].start_time, 0);
    ASSERT_EQ_INT(d.flows[1].end_time, -1);
    ASSERT_EQ_INT(d.flows[1].n_route, 3);
    ASSERT_EQ_INT(d.flows[1].route[0], 3);      /* CB */
    ASSERT_EQ_INT(d.flows[1].route[2], 1);      /* BA */
    ASSERT_NEAR(d.flows[2].vtype.min_gap, 0, 0);
    demand_spec_free(&d);

    rc = load_text("[]", &d, &err);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(d.n_flows, 0);
    demand_spec_free(&d);
}

TEST_MAIN()
