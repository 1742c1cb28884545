/* test_control_cli.c -- the signal-control options of `citybrain run` and
 * `citybrain bench control`, run as a user runs them: the binary
 * (CB_BINARY) in a child process, its exit status, stdout and stderr.
 * The --json numbers must equal what the library computes in-process for
 * the same scenario (a generated grid, so nothing needs ../shared/data). */
#include "test.h"
#include "test_cli_run.h"
#include "citybrain.h"

static const char *tmp(const char *name)
{
    static char path[8][600];
    static int k;
    char *p = path[k++ & 7];
    snprintf(p, 600, "%s/cb_control_cli_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), name);
    return p;
}

static cli_result run_v(const char *const *args)
{
    return cli_run_argv(args, NULL, tmp("stdout"), tmp("stderr"));
}

#define RUN(...) run_v((const char *const[]){ __VA_ARGS__, NULL })

/* The same run in-process: a 3x3 grid with turns, 600 s. */
static int library_run(const char *controller, cb_metrics *m, cb_control_stats *st)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 3;
    g.turns = true;
    cb_options o;
    cb_options_init(&o);
    o.external_signals = strcmp(controller, "fixed") != 0;
    cb_error err = { 0 };
    cb_engine *e = NULL;
    cb_control *c = NULL;
    int rc = cb_engine_open_grid(&g, &o, &e, &err);
    if (!rc) rc = cb_control_open(e, controller, NULL, &c, &err);
    for (int i = 0; !rc && i < 600; i++) rc = cb_control_step(c, &err);
    if (!rc) {
        cb_engine_metrics(e, m);
        cb_control_stats_get(c, st);
    }
    cb_control_close(c);
    cb_engine_close(e);
    return rc;
}

TEST(json_gains_the_control_kpis_and_matches_the_library)
{
    cli_result r = RUN("run", "grid:3x3", "--grid-turns", "--duration", "600", "--control", "maxpressure", "--json");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "\"control\": \"maxpressure\"");
    cb_metrics m;
    cb_control_stats st;
    ASSERT_EQ_INT(library_run("maxpressure", &m, &st), CB_OK);
    ASSERT_NEAR(json_num(r.out, "engine_att"), m.engine_att, 1e-9 * m.engine_att);
    ASSERT_NEAR(json_num(r.out, "throughput"), (double)m.finished, 0);
    ASSERT_NEAR(json_num(r.out, "mean_queue"), st.mean_queue, 1e-12 + 1e-9 * st.mean_queue);
    ASSERT_NEAR(json_num(r.out, "decisions"), (double)st.decisions, 0);
    ASSERT_NEAR(json_num(r.out, "decisions"), 9 * 40, 0);      /* 9 sites, every 15 s over 600 s */
    double us = json_num(r.out, "decision_us_per_intersection");
    ASSERT(us > 0 && us < 1e6);
    cli_result_free(&r);
}

TEST(auto_names_the_best_and_the_table_shows_the_queue)
{
    cli_result r = RUN("run", "grid:2x2", "--duration", "300", "--control", "auto", "-q");
    ASSERT_EQ_INT(r.code, 0);
    char want[64];
    snprintf(want, sizeof want, "control              %s", cb_controller_auto());
    ASSERT_CONTAINS(r.out, want);
    ASSERT_CONTAINS(r.out, "mean queue");
    ASSERT_CONTAINS(r.out, "decision time");
    cli_result_free(&r);
    /* the engine's own plan has a queue but no decisions */
    r = RUN("run", "grid:2x2", "--duration", "300", "--json");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "\"control\": \"fixed\"");
    ASSERT_CONTAINS(r.out, "\"decision_us_per_intersection\": null");
    ASSERT(json_num(r.out, "mean_queue") >= 0);
    cli_result_free(&r);
}

TEST(parameters_from_the_command_line_and_a_file)
{
    /* a longer interval means fewer decisions: 300 s / 30 s x 4 sites */
    cli_result r = RUN("run", "grid:2x2", "--duration", "300", "--control", "maxpressure", "--decision-interval", "30",
                       "--yellow", "3", "--json");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_NEAR(json_num(r.out, "decisions"), 40, 0);
    cli_result_free(&r);
    const char *file = tmp("ctl.json");
    FILE *f = fopen(file, "w");
    ASSERT(f);
    fputs("{\"controller\": \"fixedtime\", \"green\": 40, \"phases\": \"all\"}", f);
    fclose(f);
    r = RUN("run", "grid:2x2", "--duration", "300", "--control-file", file, "--json");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "\"control\": \"fixedtime\"");
    /* fixedtime decides at t = 0 and then every 45 s: 7 times per site */
    ASSERT_NEAR(json_num(r.out, "decisions"), 4 * 7, 0);
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--duration", "300", "--control", "sotl", "--control-file", file, "--json");
    ASSERT_EQ_INT(r.code, 1);                      /* --control wins; sotl has no "green" */
    ASSERT_CONTAINS(r.err, "controller 'sotl' has no parameter 'green'");
    cli_result_free(&r);
    unlink(file);
}

TEST(bad_controller_options_are_reported)
{
    cli_result r = RUN("run", "grid:2x2", "--control", "nosuch");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "unknown controller 'nosuch'");
    ASSERT_CONTAINS(r.err, "horizon");
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--control", "maxpressure", "--param", "nosuch=1");
    ASSERT_EQ_INT(r.code, 1);
    ASSERT_CONTAINS(r.err, "has no parameter 'nosuch'");
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--control", "maxpressure", "--param", "yellow");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "not key=value");
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--control", "maxpressure", "--param", "phases=some");
    ASSERT_EQ_INT(r.code, 1);
    ASSERT_CONTAINS(r.err, "neither 'papers' nor 'all'");
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--decision-interval", "0");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "--decision-interval");
    cli_result_free(&r);
    r = RUN("run", "grid:2x2", "--control-file", "/nonexistent/ctl.json");
    ASSERT_EQ_INT(r.code, 1);
    ASSERT_CONTAINS(r.err, "/nonexistent/ctl.json");
    cli_result_free(&r);
    r = RUN("run", "--help");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "--decision-interval");
    ASSERT_CONTAINS(r.out, "horizon:");                   /* parameters per controller */
    cli_result_free(&r);
}

/* bench control on the smallest city: its table, and the marked section
 * rewritten without touching the rest of the file. */
TEST(bench_control_writes_only_its_section)
{
    if (!test_path_exists(CB_SHARED_DATA "/syn_1x1")) TEST_SKIP("%s/syn_1x1 not found", CB_SHARED_DATA);
    const char *md = tmp("bench.md");
    FILE *f = fopen(md, "w");
    ASSERT(f);
    fputs("# Benchmarks\n\nintro kept\n\n<!-- bench control:begin -->\nold table\n<!-- bench control:end -->\n\n"
          "<!-- bench engine:begin -->\nengine table kept\n<!-- bench engine:end -->\n", f);
    fclose(f);
    cli_result r = RUN("bench", "control", "--data", CB_SHARED_DATA, "--examples", CB_SOURCE_DIR "/examples",
                       "--published", CB_SHARED_REFERENCE "/published-att.md", "--datasets", "syn1x1-300",
                       "--controllers", "fixedtime,maxpressure", "--intervals", "15,30", "--duration", "120",
                       "--out", md, "-q");
    ASSERT_EQ_INT(r.code, 0);
    ASSERT_CONTAINS(r.out, "| syn1x1-300 | maxpressure |");
    ASSERT_CONTAINS(r.out, "### Decisions every 30 s");
    cli_result_free(&r);
    char *text = slurp(md);
    ASSERT_CONTAINS(text, "intro kept");
    ASSERT_CONTAINS(text, "engine table kept");
    ASSERT_CONTAINS(text, "| syn1x1-300 | fixedtime |");
    ASSERT(!strstr(text, "old table"));
    free(text);
    unlink(md);
    r = RUN("bench", "control", "--intervals", "0");
    ASSERT_EQ_INT(r.code, 2);
    cli_result_free(&r);
    r = RUN("bench", "nosuch");
    ASSERT_EQ_INT(r.code, 2);
    ASSERT_CONTAINS(r.err, "available: control");
    cli_result_free(&r);
}

TEST_MAIN()
