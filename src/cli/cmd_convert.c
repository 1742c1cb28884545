/* cmd_convert.c -- `citybrain convert SCENARIO [-o DIR]`: a SUMO scenario
 * (.sumocfg or .net.xml) written as CityFlow files, DIR/roadnet.json,
 * DIR/flow.json and DIR/config.json, for CityFlow and the research tools
 * built on its files (and citybrain's Python Engine, which opens a
 * config.json).  The library does the work (cb_sumo_write_cityflow); this
 * file parses options, makes the folder and prints what was lost. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

enum { CONV_OUT = 1, CONV_ROADNET, CONV_FLOW, CONV_DURATION, CONV_SEED };

static const cli_opt convert_opts[] = {
    { CONV_OUT, "out", 'o', "DIR", "output folder, created if missing", "NAME_cityflow beside the scenario" },
    { CONV_ROADNET, "roadnet", 0, "FILE", "the .net.xml, replacing the .sumocfg's net-file", NULL },
    { CONV_FLOW, "flow", 0, "FILES", "route files (comma-separated), replacing the .sumocfg's", NULL },
    { CONV_DURATION, "duration", 0, "SECONDS", "keep only the demand of the first SECONDS", "the .sumocfg's end" },
    { CONV_SEED, "seed", 0, "N", "seed for random flows and distributions (0..4294967295)", "0" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int convert_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_convert = {
    .name = "convert",
    .summary = "write a SUMO scenario as CityFlow files",
    .usage = "convert <scenario.sumocfg | network.net.xml> [options]",
    .description =
        "Read a SUMO scenario the way `citybrain run` reads it and write it in\n"
        "CityFlow's format: DIR/roadnet.json, DIR/flow.json and DIR/config.json,\n"
        "which CityFlow, CityFlow-based tools and citybrain's Python Engine open.\n"
        "Existing files of those names are replaced.  Random flows are drawn\n"
        "with --seed.  CityFlow's format says less than SUMO's: what it cannot\n"
        "carry (right of way, yielding greens, lane shapes, junction speeds,\n"
        "Krauss drivers, depart attributes) is listed as warnings with counts,\n"
        "and the converted city runs under CityFlow's rules (docs/sumo.md).\n",
    .groups = { { NULL, convert_opts, NULL } },
    .examples =
        "  citybrain convert town/town.sumocfg -o town_cf\n"
        "  citybrain convert net.net.xml --flow a.rou.xml,b.rou.xml --duration 3600 -o city\n"
        "  citybrain run town_cf\n",
    .main = convert_main,
};

/* DIR by default: the scenario's file name without its SUMO suffix, plus
 * "_cityflow", beside the scenario. */
static bool default_out(char *buf, size_t n, const char *scenario)
{
    static const char *const suffixes[] = { ".sumocfg", ".net.xml.gz", ".net.xml", NULL };
    size_t len = strlen(scenario);
    for (int i = 0; suffixes[i]; i++) {
        size_t k = strlen(suffixes[i]);
        if (len > k && strcmp(scenario + len - k, suffixes[i]) == 0) {
            len -= k;
            break;
        }
    }
    return snprintf(buf, n, "%.*s_cityflow", (int)len, scenario) < (int)n;
}

static int convert_main(const cli_command *self, int argc, char **argv)
{
    cb_sumo_options so;
    cb_sumo_options_init(&so);
    const char *scenario = NULL, *out = NULL;
    long long seed = 0;
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    int status = -1;
    for (int id; (id = cli_next_own(&p, &scenario, &status)) != CLI_DONE;) {
        switch (id) {
        case CONV_OUT: out = p.value; break;
        case CONV_ROADNET: so.net_file = p.value; break;
        case CONV_FLOW: so.route_files = p.value; break;
        case CONV_DURATION:
            if (!cli_value_double(&p, 0, 1e9, &so.duration)) return CLI_EXIT_USAGE;
            break;
        case CONV_SEED:
            if (!cli_value_int(&p, 0, 4294967295LL, &seed)) return CLI_EXIT_USAGE;
            break;
        }
    }
    if (status >= 0) return status;
    if (!scenario) return cli_usage_error(self, "missing <scenario> (a .sumocfg or .net.xml)");
    if (!cb_sumo_path(scenario))
        return cli_usage_error(self, "'%s' is not a SUMO scenario (.sumocfg, .net.xml or .net.xml.gz); "
                               "CityFlow scenarios need no conversion", scenario);
    char dflt[4096];
    if (!out) {
        if (!default_out(dflt, sizeof dflt, scenario)) return cli_failf("%s: path too long", scenario);
        out = dflt;
    }
    cli_cityflow_out o;
    int rc = cli_cityflow_out_open(out, &o);
    if (rc) return rc;
    cb_error err = { 0 };
    cb_warnings *w = cb_warnings_new();
    rc = cb_sumo_write_cityflow(scenario, &so, (uint32_t)seed, out, w, &err);
    cli_print_warnings(w);
    cb_warnings_free(w);
    if (rc) {
        if (o.created) rmdir(out);           /* leave nothing behind, if it is still empty */
        return cli_fail(&err);
    }
    printf("%s\n%s\n%s\n", o.roadnet, o.flow, o.config);
    return CLI_EXIT_OK;
}
