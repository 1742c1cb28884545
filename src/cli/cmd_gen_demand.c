/* cmd_gen_demand.c -- `citybrain gen demand NET`: traffic for a network that
 * has none, written as a SUMO route file of trips (citybrain_sumo.h,
 * cb_sumo_gen_demand).  Random fringe-to-fringe trips at a rate, or trips
 * from an origin-destination table. */
#include "cli.h"

#include <string.h>

enum { DEM_RATE = 1, DEM_OD, DEM_SEED, DEM_DURATION, DEM_BEGIN, DEM_MIN_DIST, DEM_OUT };

static const cli_opt demand_opts[] = {
    { DEM_RATE, "rate", 0, "VEH_PER_HOUR", "random trips per hour over the whole network", "1000" },
    { DEM_OD, "od", 0, "FILE", "origin-destination table: CSV lines origin_edge,destination_edge,veh_per_hour", NULL },
    { DEM_SEED, "seed", 0, "N", "random seed (0..4294967295)", "0" },
    { DEM_DURATION, "duration", 0, "SECONDS", "seconds of departures", "3600" },
    { DEM_BEGIN, "begin", 0, "SECONDS", "time of the first departure", "0" },
    { DEM_MIN_DIST, "min-distance", 0, "M", "straight-line distance a random trip covers at least", "0" },
    { DEM_OUT, "out", 'o', "FILE", "route file to write", "demand.rou.xml" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int gen_demand_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_gen_demand = {
    .name = "gen demand",
    .summary = "random or origin-destination trips for a SUMO network",
    .usage = "gen demand NET [options]",
    .description =
        "Write a SUMO route file of <trip> elements for NET (.net.xml[.gz] or\n"
        ".sumocfg).  Without --od: trips from fringe edges (where traffic enters the\n"
        "network) to fringe edges, evenly spaced at --rate vehicles per hour, origins\n"
        "and destinations drawn with --seed.  With --od: each line of the table gives\n"
        "an origin edge, a destination edge and vehicles per hour.  Only trips cars\n"
        "can drive are written.  Run the result with:\n"
        "  citybrain run NET.net.xml --flow FILE\n"
        "Traffic counts for an OD table: docs/sumo.md, \"Where to get traffic counts\".\n",
    .groups = { { NULL, demand_opts, NULL } },
    .examples =
        "  citybrain gen demand city.net.xml --rate 1800 -o city.rou.xml\n"
        "  citybrain gen demand city.net.xml --od counts.csv --duration 7200 -o city.rou.xml\n",
    .main = gen_demand_main,
};

static int gen_demand_main(const cli_command *self, int argc, char **argv)
{
    cb_demand_options o;
    cb_demand_options_init(&o);
    const char *net = NULL, *out = "demand.rou.xml";
    long long v;
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    int status = -1;
    for (int id; (id = cli_next_own(&p, &net, &status)) != CLI_DONE;) {
        switch (id) {
        case DEM_RATE: if (!cli_value_double(&p, 0, 1e7, &o.rate)) return CLI_EXIT_USAGE; break;
        case DEM_OD: o.od_file = p.value; break;
        case DEM_SEED:
            if (!cli_value_int(&p, 0, 4294967295LL, &v)) return CLI_EXIT_USAGE;
            o.seed = (uint32_t)v;
            break;
        case DEM_DURATION: if (!cli_value_double(&p, 1, 1e7, &o.duration)) return CLI_EXIT_USAGE; break;
        case DEM_BEGIN: if (!cli_value_double(&p, 0, 1e9, &o.begin)) return CLI_EXIT_USAGE; break;
        case DEM_MIN_DIST: if (!cli_value_double(&p, 0, 1e7, &o.min_distance)) return CLI_EXIT_USAGE; break;
        case DEM_OUT: out = p.value; break;
        default: break;
        }
    }
    if (status >= 0) return status;
    if (!net) return cli_usage_error(self, "missing NET (a .net.xml, .net.xml.gz or .sumocfg)");
    cb_error err = { 0 };
    cb_warnings *w = cb_warnings_new();
    size_t n = 0;
    int rc = cb_sumo_gen_demand(net, &o, out, &n, w, &err);
    cli_print_warnings(w);
    cb_warnings_free(w);
    if (rc) return cli_fail(&err);
    printf("%s\n", out);
    fprintf(stderr, "citybrain: %zu trips written\n", n);
    return CLI_EXIT_OK;
}
