/* test_emergency_cli.c -- emergency vehicles and incidents from the command
 * line, as a user runs them: `citybrain run --ev/--incident/--events` and
 * `citybrain bench emergency|incidents`, the binary (CB_BINARY) in a child
 * process.  The numbers of run --json must equal what the library computes
 * in-process for the same scenario (a generated grid). */
#include "test.h"
#include "test_cli_run.h"
#include "citybrain_ops.h"

static const char *tmp(const char *name)
{
    static char path[8][600];
    static int k;
    char *p = path[k++ & 7];
    snprintf(p, 600, "%s/cb_emergency_cli_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), name);
    return p;
}

static cli_result run_v(const char *const *args)
{
    return cli_run_argv(args, CB_SOURCE_DIR, tmp("stdout"), tmp("stderr"));
}

#define RUN(...) run_v((const char *const[]){ __VA_ARGS__, NULL })

/* The same run in-process: the 1x3 grid, FixedTime, 600 s. */
static int library_run(bool preempt, cb_ev_status *ev, cb_alert *alert, size_t *n_alerts)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 1;
    g.cols = 3;
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    cb_error err = { 0 };
    cb_engine *e = NULL;
    cb_opsloop *l = NULL;
    cb_ops_config cfg;
    cb_ops_config_init(&cfg);
    cfg.preempt = preempt;
    int rc = cb_engine_open_grid(&g, &o, &e, &err);
    if (!rc) rc = cb_opsloop_open(e, "fixedtime", NULL, &cfg, &l, &err);
    if (!rc) rc = cb_ops_parse_ev(cb_opsloop_ops(l), "road_0_1_0:road_3_1_0@30", NULL, &err);
    if (!rc) rc = cb_ops_parse_incident(e, "road_1_1_0:1:100@200-400", NULL, &err);
    for (int i = 0; !rc && i < 600; i++) rc = cb_opsloop_step(l, &err);
    if (!rc) {
        cb_ops_ev(cb_opsloop_ops(l), 0, ev, NULL);
        *n_alerts = cb_ops_alert_count(cb_opsloop_ops(l));
        if (*n_alerts) cb_ops_alert(cb_opsloop_ops(l), 0, alert, NULL);
    }
    if (rc) fprintf(stderr, "  library: %s\n", err.msg);
    cb_opsloop_close(l);
    cb_engine_close(e);
    return rc;
}

TEST(run_reports_vehicles_and_alerts_as_the_library_computes)
{
    cb_ev_status ev;
    cb_alert al;
    size_t n_alerts = 0;
    ASSERT_EQ_INT(library_run(true, &ev, &al, &n_alerts), CB_OK);
    ASSERT_EQ_INT(ev.state, CB_EV_ARRIVED);
    ASSERT(n_alerts >= 1);
    cli_result r = RUN("run", "grid:1x3", "--control", "fixedtime", "--duration", "600", "--json", "--ev",
                       "road_0_1_0:road_3_1_0@30", "--incident", "road_1_1_0:1:100@200-400");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "\"emergency\": [{\"origin\": \"road_0_1_0\", \"destination\": \"road_3_1_0\", "
                           "\"state\": \"arrived\"");
    ASSERT_NEAR(json_num(r.out, "travel_time"), ev.travel_time, 1e-9);
    ASSERT_NEAR(json_num(r.out, "free_flow"), ev.free_flow, 1e-9);
    ASSERT_NEAR(json_num(r.out, "preemptions"), ev.preemptions, 0);
    ASSERT(ev.preemptions > 0);
    ASSERT_CONTAINS(r.out, "\"alerts\": [{\"road\": \"road_1_1_0\", \"lane\": 1, \"where\": ");
    ASSERT_NEAR(json_num(r.out, "raised"), al.raised, 1e-9);
    ASSERT_CONTAINS(r.out, "\"incidents\": [{\"road\": \"road_1_1_0\", \"lane\": 1, \"position\": 100, "
                           "\"start\": 200, \"end\": 400}]");
    ASSERT(json_num(r.out, "preemption_steps") > 0);
    cli_result_free(&r);

    /* --no-preempt: routed, never held */
    ASSERT_EQ_INT(library_run(false, &ev, &al, &n_alerts), CB_OK);
    r = RUN("run", "grid:1x3", "--control", "fixedtime", "--duration", "600", "--json", "--no-preempt", "--ev",
            "road_0_1_0:road_3_1_0@30", "--incident", "road_1_1_0:1:100@200-400");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_NEAR(json_num(r.out, "preemptions"), 0, 0);
    ASSERT_NEAR(json_num(r.out, "travel_time"), ev.travel_time, 1e-9);
    ASSERT_NEAR(json_num(r.out, "preemption_steps"), 0, 0);
    cli_result_free(&r);

    /* the table */
    r = RUN("run", "grid:1x3", "--control", "fixedtime", "--duration", "600", "-q", "--ev",
            "road_0_1_0:road_3_1_0@30", "--incident", "road_1_1_0:1:100@200-400");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "emergency 0          road_0_1_0 -> road_3_1_0 at 30 s: arrived");
    ASSERT_CONTAINS(r.out, "incident alert 0     road_1_1_0 lane 1");
    cli_result_free(&r);
}

TEST(run_without_operations_is_unchanged)
{
    cli_result r = RUN("run", "grid:1x3", "--control", "fixedtime", "--duration", "300", "--json");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT(!strstr(r.out, "\"emergency\""));
    ASSERT(!strstr(r.out, "\"alerts\""));
    cli_result_free(&r);
}

TEST(run_refuses_bad_events)
{
    struct { const char *opt, *value, *says; } bad[] = {
        { "--ev", "road_0_1_0:nowhere@30", "no road 'nowhere'" },
        { "--ev", "road_0_1_0", "ORIGIN:DESTINATION@TIME" },
        { "--incident", "road_1_1_0:7:10@1-2", "has no lane 7" },
        { "--incident", "road_1_1_0:1:10@5-1", "t0 < t1" },
        { "--events", "/nonexistent/events.json", "/nonexistent/events.json" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cli_result r = RUN("run", "grid:1x3", "--duration", "10", "-q", bad[k].opt, bad[k].value);
        ASSERT_EQ_INT(r.code, 1);
        ASSERT_CONTAINS(r.err, bad[k].says);
        cli_result_free(&r);
    }
    const char *path = test_write_tmp("cb_emg_cli_events.json", "{\"emergency\": [{\"origin\": \"road_0_1_0\"}]}");
    cli_result r = RUN("run", "grid:1x3", "--duration", "10", "-q", "--events", path);
    ASSERT_EQ_INT(r.code, 1);
    ASSERT_CONTAINS(r.err, "emergency[0].destination");
    cli_result_free(&r);
    r = RUN("run", "grid:1x3", "--duration", "10", "-q", "--loop-spacing", "5");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "--loop-spacing: 0 (none) or at least 10 m, not 5");
    cli_result_free(&r);
}

/* Mid-block loops from the command line: an obstacle 100 m into a lane is
 * named with the stretch that holds it, once. */
TEST(run_with_mid_block_loops_names_the_stretch)
{
    cli_result r = RUN("run", "grid:1x3", "--duration", "900", "--control", "fixedtime", "--json", "-q",
                       "--incident", "road_1_1_0:1:100@300-600", "--loop-spacing", "50");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "\"where\": \"between mid-block loops\"");
    const char *first = strstr(r.out, "\"where\": ");
    ASSERT(first && !strstr(first + 1, "\"where\": "));                 /* one alert */
    cli_result_free(&r);
}

/* The benchmarks, small: their JSON keys, the same background in every
 * pair, and their marked sections written without touching the rest. */
TEST(benches_report_their_keys_and_sections)
{
    const char *md = tmp("bench.md");
    FILE *f = fopen(md, "w");
    ASSERT(f);
    fputs("# Benchmarks\n\n<!-- bench control:begin -->\ncontrol table kept\n<!-- bench control:end -->\n", f);
    fclose(f);
    cli_result r = RUN("bench", "emergency", "--trips", "2", "--cities", "JN", "--data", CB_SHARED_DATA, "--json", "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT(!isnan(json_num(r.out, "ev_median_reduction")));
    ASSERT(!isnan(json_num(r.out, "ev_p90_reduction")));
    ASSERT(!isnan(json_num(r.out, "background_att_change")));
    ASSERT_NEAR(json_num(r.out, "trips"), 2, 0);
    ASSERT_NEAR(json_num(r.out, "same_background"), 2, 0);
    ASSERT(json_num(r.out, "ev_median_with_s") <= json_num(r.out, "ev_median_without_s"));
    cli_result_free(&r);
    r = RUN("bench", "emergency", "--trips", "1", "--cities", "JN", "--data", CB_SHARED_DATA, "--out", md, "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "| JN (anon_3_4_jinan_real.json) | 1 |");
    cli_result_free(&r);
    r = RUN("bench", "incidents", "--incidents", "2", "--no-heldout", "--data", CB_SHARED_DATA, "--out", md, "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "| tuning | all | 4 |");
    cli_result_free(&r);
    char *text = slurp(md);
    ASSERT_CONTAINS(text, "control table kept");
    ASSERT_CONTAINS(text, "<!-- bench emergency:begin -->\n## Emergency vehicles");
    ASSERT_CONTAINS(text, "<!-- bench incidents:begin -->\n## Incident detection");
    ASSERT_CONTAINS(text, "<!-- bench incidents:end -->");
    free(text);
    unlink(md);
    r = RUN("bench", "incidents", "--loop-spacing", "5", "--no-heldout", "--data", CB_SHARED_DATA, "-q");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "--loop-spacing: 0 (none) or at least 10 m, not 5");
    cli_result_free(&r);
    r = RUN("bench", "incidents", "--incidents", "2", "--no-heldout", "--loop-spacing", "50", "--data", CB_SHARED_DATA,
            "--json", "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_NEAR(json_num(r.out, "loop_spacing_m"), 50, 0);
    ASSERT(!isnan(json_num(r.out, "detection_rate")));
    cli_result_free(&r);
    r = RUN("bench", "incidents", "--incidents", "2", "--no-heldout", "--data", CB_SHARED_DATA, "--json", "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT(!isnan(json_num(r.out, "detection_rate")));
    ASSERT(!isnan(json_num(r.out, "median_ttd_s")) || json_num(r.out, "detection_rate") == 0);
    ASSERT(strstr(r.out, "\"mean_ttd_s\": ") && strstr(r.out, "\"false_alarms_per_intersection_hour\": "));
    cli_result_free(&r);
    r = RUN("bench", "emergency", "--trips", "0");
    ASSERT_EQ_INT(r.code, 2);
    cli_result_free(&r);
    r = RUN("bench", "nosuch");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "emergency, incidents");
    cli_result_free(&r);
}

TEST_MAIN()
