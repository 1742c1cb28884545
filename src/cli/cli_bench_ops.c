/* cli_bench_ops.c -- helpers shared by the operations benchmarks
 * (cli_bench_ops.h): opening their cities, a seeded stream, quantiles, and
 * the marked sections of docs/benchmarks.md. */
#include "cli_bench_ops.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool readable(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    fclose(f);
    return true;
}

int bops_open(const bops_city *c, const char *data, const char *examples, bool external, int64_t seed,
              cb_engine **out, cb_error *err)
{
    char dir[4096], probe[4200];
    dir[0] = '\0';
    if (c->bundled && examples) {
        snprintf(dir, sizeof dir, "%s/%s", examples, c->bundled);
        snprintf(probe, sizeof probe, "%s/%s", dir, c->flow);
        if (!readable(probe)) dir[0] = '\0';
    }
    if (!dir[0]) snprintf(dir, sizeof dir, "%s/%s", data, c->folder);
    snprintf(probe, sizeof probe, "%s/%s", dir, c->flow);
    if (!readable(probe)) {
        err->code = CB_ENOTFOUND;
        snprintf(err->msg, sizeof err->msg, "%s: not found", probe);
        return CB_ENOTFOUND;
    }
    cb_options o;
    cb_options_init(&o);
    o.roadnet_file = c->roadnet;
    o.flow_file = c->flow;
    o.lane_change = 0;           /* the datasets' own setting (docs/incidents.md) */
    o.seed_set = true;
    o.seed = seed;
    o.no_replay = true;
    o.external_signals = external ? 1 : 0;
    return cb_engine_open(dir, &o, out, err);
}

void bops_rng_seed(bops_rng *r, uint64_t seed) { r->s = seed; }

uint64_t bops_rng_next(bops_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double bops_rng_uniform(bops_rng *r) { return (double)(bops_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

size_t bops_rng_below(bops_rng *r, size_t n) { return n ? (size_t)(bops_rng_uniform(r) * (double)n) : 0; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bops_quantile(double *v, size_t n, double q)
{
    if (!n) return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n) return v[n - 1];
    return v[i] + (pos - (double)i) * (v[i + 1] - v[i]);
}

bool bops_signalized(const cb_engine *e, size_t inter)
{
    return !cb_engine_intersection_virtual(e, inter) && cb_engine_phase_count(e, inter) > 0 &&
           cb_engine_movement_count(e, inter) > 0;
}

int bops_write_section(const char *path, const char *name, const char *text)
{
    char begin[128], end[128];
    snprintf(begin, sizeof begin, "<!-- bench %s:begin -->", name);
    snprintf(end, sizeof end, "<!-- bench %s:end -->", name);
    char *old = NULL;
    long len = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            old = malloc((size_t)len + 1);
            if (old && fread(old, 1, (size_t)len, f) == (size_t)len) old[len] = '\0';
            else {
                free(old);
                old = NULL;
            }
        }
        fclose(f);
        if (!old) return errno ? errno : EIO;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        int e = errno;
        free(old);
        return e;
    }
    char *b = old ? strstr(old, begin) : NULL, *e = b ? strstr(b, end) : NULL;
    if (b && e) {
        fwrite(old, 1, (size_t)(b - old), out);
        fprintf(out, "%s\n%s%s", begin, text, e);
    } else {
        if (old) fputs(old, out);
        else fputs("# Benchmarks\n", out);
        if (old && len && old[len - 1] != '\n') fputc('\n', out);
        fprintf(out, "\n%s\n%s%s\n", begin, text, end);
    }
    free(old);
    if (fclose(out) != 0) return errno ? errno : EIO;
    if (rename(tmp, path) != 0) return errno;
    return 0;
}
