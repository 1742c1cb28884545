/* cli_bench_ops.h -- what `citybrain bench emergency` and `citybrain bench
 * incidents` share: the cities they run on, a seeded random stream,
 * percentiles, and rewriting their marked sections of docs/benchmarks.md. */
#ifndef CB_CLI_BENCH_OPS_H
#define CB_CLI_BENCH_OPS_H

#include "cli.h"
#include "citybrain_ops.h"

extern const cli_command cli_cmd_bench_emergency, cli_cmd_bench_incidents;

/* A benchmark city: a folder of ../shared/data (or its bundled copy under
 * examples/) and one of its flow files. */
typedef struct bops_city {
    const char *tag;          /* "JN", "HZ", "NY" */
    const char *folder;       /* under the data folder */
    const char *roadnet;      /* roadnet file */
    const char *flow;         /* flow file */
    const char *bundled;      /* folder under examples/ holding both, or NULL */
} bops_city;

/* Open a city with the roadnet's own plans (external = false) or for a
 * controller through the safety layer.  A city that is not there is
 * CB_EIO/CB_ENOTFOUND with a message naming the path. */
int bops_open(const bops_city *c, const char *data, const char *examples, bool external, int64_t seed,
              cb_engine **out, cb_error *err);

/* splitmix64: a tiny seeded stream, the same on every platform. */
typedef struct bops_rng {
    uint64_t s;
} bops_rng;
void bops_rng_seed(bops_rng *r, uint64_t seed);
uint64_t bops_rng_next(bops_rng *r);
double bops_rng_uniform(bops_rng *r);         /* [0, 1) */
size_t bops_rng_below(bops_rng *r, size_t n); /* [0, n) */

/* The q-quantile (0..1) of v[0..n) by linear interpolation; sorts v.
 * NAN for n = 0. */
double bops_quantile(double *v, size_t n, double q);

/* Replace the text between "<!-- bench NAME:begin -->" and
 * "<!-- bench NAME:end -->" in `path`, or append the marked section.
 * Returns 0 or an errno value. */
int bops_write_section(const char *path, const char *name, const char *text);

/* A signalized, non-virtual intersection? */
bool bops_signalized(const cb_engine *e, size_t inter);

#endif
