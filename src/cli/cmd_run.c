/* cmd_run.c -- `citybrain run <scenario>`: evaluate a city offline.
 *
 * Opens the scenario, lets the chosen controller drive the signals, steps
 * until `--duration` simulated seconds, and reports the KPIs as a table or
 * as one JSON object.  Ctrl-C stops the run after the current step and
 * still reports what was simulated (exit 130), because on a big city the
 * first half of a run is worth seeing. */
#include "cli.h"
#include "cli_control.h"
#include "cli_ops.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum {
    RUN_ROADNET = 1, RUN_FLOW, RUN_DURATION, RUN_INTERVAL, RUN_THREADS, RUN_SEED, RUN_LANE_CHANGE,
    RUN_NO_LANE_CHANGE, RUN_JSON, RUN_REPLAY_DIR, RUN_NO_REPLAY, RUN_QUIET
};

static const cli_opt run_opts[] = {
    { RUN_DURATION, "duration", 0, "SECONDS", "simulated seconds to run", "3600" },
    { RUN_ROADNET, "roadnet", 0, "FILE", "roadnet file (inside the folder, or a path)", NULL },
    { RUN_FLOW, "flow", 0, "FILE", "flow file (inside the folder, or a path)", NULL },
    { RUN_INTERVAL, "interval", 0, "S", "seconds per step", "from config.json, else 1" },
    { RUN_THREADS, "threads", 0, "N", "worker threads for stepping", "1" },
    { RUN_SEED, "seed", 0, "N", "random seed (0..4294967295)", "from config.json, else 0" },
    { RUN_LANE_CHANGE, "lane-change", 0, NULL, "enable lane changing", "from config.json, else off" },
    { RUN_NO_LANE_CHANGE, "no-lane-change", 0, NULL, "disable lane changing", NULL },
    { RUN_REPLAY_DIR, "replay-dir", 0, "DIR", "write DIR/roadnet_log.json and DIR/replay.txt", NULL },
    { RUN_NO_REPLAY, "no-replay", 0, NULL, "ignore saveReplay in config.json", NULL },
    { RUN_JSON, "json", 0, NULL, "print one JSON object instead of the table", NULL },
    { RUN_QUIET, "quiet", 'q', NULL, "no progress on stderr", NULL },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int run_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_run = {
    .name = "run",
    .summary = "evaluate a city offline and print its KPIs",
    .usage = "run <scenario> [options]",
    .description =
        "Simulate <scenario> for --duration seconds and print the key performance\n"
        "indicators: average travel time (CityFlow's and the published per-\n"
        "intersection one), vehicles created, finished, running, waiting and queued,\n"
        "and the speed of the engine.\n\n"
        "<scenario> is a folder (holding a config.json, or one roadnet and one flow\n"
        "file), a CityFlow config.json, or grid:ROWSxCOLS for a synthetic grid made\n"
        "in memory.  Progress goes to stderr: a live line on a terminal, a line\n"
        "every 10% otherwise.  Ctrl-C stops early and reports what was simulated.\n\n"
        "A SUMO scenario (.sumocfg, or .net.xml[.gz] with --flow ROUTES) runs from\n"
        "its begin to its end unless --duration is given; --roadnet and --flow\n"
        "replace its net-file and route-files.  What SUMO models and citybrain does\n"
        "not is listed on stderr; --json adds SUMO's mean_travel_time,\n"
        "mean_waiting_time and mean_time_loss (docs/sumo.md).\n",
    .groups = {
        { NULL, run_opts, NULL },
        { "Signal control", cli_ctl_opts, NULL },
        { "Grid options (grid:ROWSxCOLS scenarios)", cli_grid_run_opts, cli_grid_defaults },
        { "Field operations (docs/emergency.md, docs/incidents.md)", cli_ops_opts, NULL },
    },
    .examples =
        "  citybrain run examples/jinan_3x4\n"
        "  citybrain run examples/hangzhou_4x4 --flow anon_4_4_hangzhou_real_5816.json --json\n"
        "  citybrain run examples/jinan_3x4/config.json --duration 600 --threads 2\n"
        "  citybrain run grid:10x10 --duration 1800 --grid-turns\n"
        "  citybrain run examples/jinan_3x4 --duration 300 --replay-dir replay\n"
        "  citybrain run examples/jinan_3x4 --control maxpressure --lane-change --json\n"
        "  citybrain run examples/hangzhou_4x4 --control auto --decision-interval 10\n"
        "  citybrain run examples/jinan_3x4 --control sotl --param theta=8 --param hold=8\n"
        "  citybrain run examples/jinan_3x4 --control auto --ev road_0_1_0:road_4_2_2@600 --incident road_1_1_0:1:200@900-1500\n",
    .more_help = cli_controller_help,
    .main = run_main,
};

/*--- arguments ----------------------------------------------------------------*/

typedef struct run_args {
    cli_scenario sc;
    cb_options opt;
    double duration;
    cli_ctl_args ctl;
    cli_ops_args ops;
    const char *replay_dir;
    bool json, quiet;
} run_args;

/* Returns CLI_EXIT_OK, or the exit code of a usage error or --help. */
static int parse_args(const cli_command *self, int argc, char **argv, run_args *a, bool *help)
{
    memset(a, 0, sizeof *a);
    cli_scenario_init(&a->sc);
    cb_options_init(&a->opt);
    a->duration = 3600;
    if (!cli_ctl_args_init(&a->ctl) || !cli_ops_args_init(&a->ops, argc)) return CLI_EXIT_FAIL;
    const char *scenario = NULL;
    char grid_opt[64] = "";                  /* the first --grid-* given, for a message */
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    long long v;
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_BAD: return CLI_EXIT_USAGE;
        case CLI_HELP: *help = true; return CLI_EXIT_OK;
        case CLI_POSITIONAL:
            if (scenario) return cli_usage_error(self, "unexpected argument '%s' (the scenario is '%s')", p.value, scenario);
            scenario = p.value;
            break;
        case RUN_ROADNET: a->sc.roadnet = p.value; break;
        case RUN_FLOW: a->sc.flow = p.value; break;
        case RUN_DURATION:
            if (!cli_value_double(&p, 0, 1e9, &a->duration)) return CLI_EXIT_USAGE;
            a->sc.duration = a->duration;          /* given: SUMO demand after it is not loaded */
            break;
        case RUN_INTERVAL:
            if (!cli_value_double(&p, CB_INTERVAL_MIN, 3600, &a->opt.interval)) return CLI_EXIT_USAGE;
            break;
        case RUN_THREADS:
            if (!cli_value_int(&p, 1, 256, &v)) return CLI_EXIT_USAGE;
            a->opt.threads = (int)v;
            break;
        case RUN_SEED:
            if (!cli_value_int(&p, 0, 4294967295LL, &v)) return CLI_EXIT_USAGE;
            a->opt.seed = v;
            a->opt.seed_set = true;
            break;
        case RUN_LANE_CHANGE: a->opt.lane_change = 1; break;
        case RUN_NO_LANE_CHANGE: a->opt.lane_change = 0; break;
        case RUN_REPLAY_DIR: a->replay_dir = p.value; break;
        case RUN_NO_REPLAY: a->opt.no_replay = true; break;
        case RUN_JSON: a->json = true; break;
        case RUN_QUIET: a->quiet = true; break;
        default: {
            int r = cli_ctl_apply(&p, id, &a->ctl);
            if (r == CLI_BAD) return CLI_EXIT_USAGE;
            if (r) break;
            r = cli_ops_apply(&p, id, &a->ops);
            if (r == CLI_BAD) return CLI_EXIT_USAGE;
            if (r) break;
            r = cli_grid_apply(&p, id, &a->sc.grid);
            if (r == CLI_BAD) return CLI_EXIT_USAGE;
            if (!grid_opt[0]) snprintf(grid_opt, sizeof grid_opt, "%s", p.opt_text);
            break;
        }
        }
    }
    if (!scenario) return cli_usage_error(self, "missing <scenario> (a folder, a config.json, a .sumocfg or .net.xml, or grid:ROWSxCOLS)");
    if (!cli_scenario_parse(self, scenario, &a->sc)) return CLI_EXIT_USAGE;
    if (a->sc.is_grid && (a->sc.roadnet || a->sc.flow))
        return cli_usage_error(self, "%s names a file of a folder scenario; '%s' is generated",
                               a->sc.roadnet ? "--roadnet" : "--flow", scenario);
    if (!a->sc.is_grid && grid_opt[0])
        return cli_usage_error(self, "%s applies only to grid:ROWSxCOLS scenarios", grid_opt);
    return CLI_EXIT_OK;
}

/*--- running ------------------------------------------------------------------*/

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The replay files go where --replay-dir says, in CityFlow's names. */
static int start_replay(cb_engine *e, const char *dir, cb_error *err)
{
    int e_no = cli_mkdirs(dir, NULL);
    if (e_no) {
        err->code = CB_EIO;
        snprintf(err->msg, sizeof err->msg, "%s: cannot create folder: %s", dir, strerror(e_no));
        return CB_EIO;
    }
    char rlog[4096], replay[4096];
    if (!cli_path_join(rlog, sizeof rlog, dir, "roadnet_log.json") ||
        !cli_path_join(replay, sizeof replay, dir, "replay.txt")) {
        err->code = CB_EINVAL;
        snprintf(err->msg, sizeof err->msg, "%s: path too long", dir);
        return CB_EINVAL;
    }
    return cb_engine_set_replay(e, rlog, replay, err);
}

/* The report's JSON object with the control members added before its
 * closing brace (cli_report_json writes "{...}\n"). */
static void print_json(const cli_report *r, const cb_control_stats *st, const cli_loop *l, const cb_engine *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
        cli_report_json(r, mem);
        if (fclose(mem) == 0 && len >= 2 && buf[len - 2] == '}') {
            fwrite(buf, 1, len - 2, stdout);
            cli_ctl_report_json(st, stdout);
            cli_loop_report_json(l, e, stdout);
            fputs("}\n", stdout);
            free(buf);
            return;
        }
    }
    free(buf);
    cli_report_json(r, stdout);           /* without the control members */
}

static int run_main(const cli_command *self, int argc, char **argv)
{
    run_args a;
    bool help = false;
    int rc = parse_args(self, argc, argv, &a, &help);
    if (rc || help) {
        cli_ctl_args_free(&a.ctl);
        cli_ops_args_free(&a.ops);
        if (help) cli_help_print(self, stdout);
        return rc;
    }

    cb_error err = { 0 };
    const char *ctl_name;
    if (cli_ctl_finish(&a.ctl, &a.opt, &ctl_name, &err)) {
        cli_ctl_args_free(&a.ctl);
        cli_ops_args_free(&a.ops);
        return cli_fail(&err);
    }
    if (a.replay_dir) a.opt.no_replay = true;     /* one replay, the one asked for */

    cb_engine *e = NULL;
    cli_loop ctl = { 0 };                    /* cb_control, or cb_opsloop with --ev/--incident/--events */
    double t0 = cli_now();
    if (cli_scenario_open(&a.sc, &a.opt, &e, &err)) {
        cli_ctl_args_free(&a.ctl);
        cli_ops_args_free(&a.ops);
        return cli_fail(&err);
    }
    /* a SUMO scenario runs from its begin to its end unless told otherwise */
    if (a.sc.duration <= 0 && cb_engine_scenario_end(e) > 0) a.duration = cb_engine_scenario_end(e);
    if ((a.replay_dir && start_replay(e, a.replay_dir, &err)) ||
        cli_loop_open(&ctl, e, ctl_name, a.ctl.params, &a.ops, &err)) {
        cb_engine_close(e);
        cli_ctl_args_free(&a.ctl);
        cli_ops_args_free(&a.ops);
        return cli_fail(&err);
    }
    double t1 = cli_now();

    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND;              /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_sa);

    cli_progress prog;
    cli_progress_start(&prog, cli_progress_auto(a.quiet || a.json), a.duration);
    int status = CB_OK;
    /* Run whole steps until the duration is reached; a duration that is not
     * a multiple of the interval ends on the step that passes it. */
    while (!interrupted && cb_engine_time(e) < a.duration - 1e-9) {
        if ((status = cli_loop_step(&ctl, &err))) break;
        cli_progress_update(&prog, e);
    }
    double t2 = cli_now();
    cli_progress_finish(&prog);
    sigaction(SIGINT, &old_sa, NULL);

    if (status == CB_OK) {
        cli_report r;
        memset(&r, 0, sizeof r);
        r.scenario = a.sc.path;
        r.control = cli_loop_name(&ctl);
        cb_engine_metrics(e, &r.m);
        r.duration = a.duration;
        r.interval = cb_engine_interval(e);
        r.load_seconds = t1 - t0;
        r.step_seconds = t2 - t1;
        r.wall_seconds = t2 - t0;
        r.threads = cb_engine_threads(e);
        r.lane_change = cb_engine_lane_change(e);
        r.seed_known = true;
        r.seed = cb_engine_seed(e);
        r.interrupted = interrupted != 0;
        r.has_trips = cb_engine_trip_stats(e, &r.trips) == CB_OK;
        r.peak_memory_mb = cli_peak_memory_mb();
        if (r.has_trips && r.trips.stuck > 0)
            fprintf(stderr, "citybrain: warning: jam: %lld vehicles were stopped for more than 300 s (the longest %.0f s); "
                    "SUMO would have teleported them, citybrain does not\n", (long long)r.trips.stuck, r.trips.max_stopped);
        if (r.interrupted)
            fprintf(stderr, "citybrain: interrupted at %g of %g s; the results cover the simulated part\n", r.m.time,
                    a.duration);
        cb_control_stats st;
        cli_loop_stats(&ctl, &st);
        if (a.json) print_json(&r, &st, &ctl, e);
        else {
            cli_report_table(&r, stdout);
            cli_ctl_report_table(&st, stdout);
            cli_loop_report_table(&ctl, e, stdout);
        }
    }
    cli_loop_close(&ctl);
    cli_ctl_args_free(&a.ctl);
    cli_ops_args_free(&a.ops);
    cb_engine_close(e);
    if (status) return cli_fail(&err);
    return interrupted ? CLI_EXIT_INTERRUPTED : CLI_EXIT_OK;
}
