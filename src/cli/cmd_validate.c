/* cmd_validate.c -- `citybrain validate <scenario>`: load a scenario and
 * summarise it, or say exactly what is wrong with it (exit 1). */
#include "cli.h"

enum { VAL_ROADNET = 1, VAL_FLOW };

static const cli_opt validate_opts[] = {
    { VAL_ROADNET, "roadnet", 0, "FILE", "roadnet file (inside the folder, or a path)", NULL },
    { VAL_FLOW, "flow", 0, "FILE", "flow file (inside the folder, or a path)", NULL },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int validate_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_validate = {
    .name = "validate",
    .summary = "check a scenario and summarise its network",
    .usage = "validate <scenario> [options]",
    .description =
        "Load <scenario> (a folder, a CityFlow config.json, a SUMO .sumocfg or\n"
        ".net.xml, or grid:ROWSxCOLS) the way `citybrain run` would, and print\n"
        "what it holds: intersections (and how many have signals), signal phases,\n"
        "roads and lanes.  A broken file is reported with its name and the JSON\n"
        "path or line at fault, and the exit status is 1.\n",
    .groups = {
        { NULL, validate_opts, NULL },
        { "Grid options (grid:ROWSxCOLS scenarios)", cli_grid_run_opts, cli_grid_defaults },
    },
    .examples =
        "  citybrain validate examples/jinan_3x4\n"
        "  citybrain validate examples/hangzhou_4x4 --flow anon_4_4_hangzhou_real_5816.json\n"
        "  citybrain validate grid:4x4\n"
        "  citybrain validate town/town.sumocfg\n",
    .main = validate_main,
};

static void print_summary(const char *scenario, const cb_engine *e)
{
    size_t n_inter = cb_engine_intersection_count(e), n_signal = 0, n_virtual = 0;
    long phases = 0;
    for (size_t i = 0; i < n_inter; i++) {
        if (cb_engine_intersection_virtual(e, i)) { n_virtual++; continue; }
        int np = cb_engine_phase_count(e, i);
        if (np > 0) { n_signal++; phases += np; }
    }
    printf("%s: ok\n", scenario);
    printf("  %-15s %zu  (%zu signalized, %zu virtual)\n", "intersections", n_inter, n_signal, n_virtual);
    printf("  %-15s %ld\n", "signal phases", phases);
    printf("  %-15s %zu\n", "roads", cb_engine_road_count(e));
    printf("  %-15s %zu\n", "lanes", cb_engine_lane_count(e));
    printf("  %-15s %zu\n", "flows", cb_engine_flow_count(e));
    printf("  %-15s %lld\n", "seed", (long long)cb_engine_seed(e));
    printf("  %-15s %g s\n", "interval", cb_engine_interval(e));
    printf("  %-15s %s\n", "lane change", cb_engine_lane_change(e) ? "on" : "off");
}

static int validate_main(const cli_command *self, int argc, char **argv)
{
    cli_scenario sc;
    cli_scenario_init(&sc);
    const char *scenario = NULL;
    bool grid_opt = false;
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    int status = -1;
    for (int id; (id = cli_next_own(&p, &scenario, &status)) != CLI_DONE;) {
        if (id == VAL_ROADNET) {
            sc.roadnet = p.value;
        } else if (id == VAL_FLOW) {
            sc.flow = p.value;
        } else if (cli_grid_apply(&p, id, &sc.grid) == CLI_BAD) {
            return CLI_EXIT_USAGE;
        } else {
            grid_opt = true;
        }
    }
    if (status >= 0) return status;
    if (!scenario) return cli_usage_error(self, "missing <scenario> (a folder, a config.json, a .sumocfg or .net.xml, or grid:ROWSxCOLS)");
    if (!cli_scenario_parse(self, scenario, &sc)) return CLI_EXIT_USAGE;
    if (sc.is_grid && (sc.roadnet || sc.flow))
        return cli_usage_error(self, "--roadnet and --flow name files of a folder scenario; '%s' is generated",
                               scenario);
    if (!sc.is_grid && grid_opt) return cli_usage_error(self, "--grid-* options apply only to grid:ROWSxCOLS scenarios");

    cb_options opt;
    cb_options_init(&opt);
    opt.no_replay = true;                    /* validating must not write files */
    cb_error err = { 0 };
    cb_engine *e = NULL;
    if (cli_scenario_open(&sc, &opt, &e, &err)) return cli_fail(&err);
    print_summary(scenario, e);
    cb_engine_close(e);
    return CLI_EXIT_OK;
}
