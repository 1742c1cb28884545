/* cmd_bench.c -- `citybrain bench control`: every signal controller on
 * every dataset at hand, under the protocols of
 * ../shared/docs/control-protocol.md (decisions every 15 s with the 5 s
 * yellow inside, and every 10 s and 30 s; lane changing on; seed 0;
 * 3600 s), with the published results beside ours.
 *
 * The table goes to stdout and into docs/benchmarks.md between the markers
 * "<!-- bench control:begin -->" and "<!-- bench control:end -->" (other
 * sections of that file belong to other benchmarks and are kept as they
 * are).  Decision time is the CPU time of observing + deciding, per
 * intersection and decision (other processes on the machine do not count). */
#include "cli.h"
#include "cli_bench_ops.h"
#include "cli_control.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*--- datasets ----------------------------------------------------------------*/

typedef struct bench_set {
    const char *tag;          /* "JN1": the papers' name where they have one */
    const char *folder;       /* under the data folder */
    const char *flow;         /* NULL: the folder's only flow file */
    const char *bundled;      /* folder under examples/ holding the same files, or NULL */
    bool big;                 /* only with --all */
} bench_set;

static const bench_set sets[] = {
    { "JN1", "jinan_3x4", "anon_3_4_jinan_real.json", "jinan_3x4", false },
    { "JN2", "jinan_3x4", "anon_3_4_jinan_real_2000.json", "jinan_3x4", false },
    { "JN3", "jinan_3x4", "anon_3_4_jinan_real_2500.json", "jinan_3x4", false },
    { "HZ1", "hangzhou_4x4", "anon_4_4_hangzhou_real.json", "hangzhou_4x4", false },
    { "HZ2", "hangzhou_4x4", "anon_4_4_hangzhou_real_5816.json", "hangzhou_4x4", false },
    { "HZ5734", "hangzhou_4x4", "anon_4_4_hangzhou_real_5734.json", NULL, false },
    { "NY16x3", "newyork_16x3", NULL, NULL, false },
    { "syn6x6-bi", "syn_6x6", "anon_6_6_300_0.3_bi.json", NULL, false },
    { "syn6x6-uni", "syn_6x6", "anon_6_6_300_0.3_uni.json", NULL, false },
    { "grid10x10", "grid_10x10", NULL, NULL, false },
    { "grid30x30", "grid_30x30", NULL, NULL, true },
    { "syn1x1-300", "syn_1x1", "flow_1_1_300.json", NULL, false },
    { "syn1x1-700", "syn_1x1", "flow_1_1_700.json", NULL, false },
    { "syn1x1-2400", "syn_1x1_uniform_2400", NULL, NULL, false },
    { "hz1x1", "hangzhou_1x1_bc-tyc", NULL, NULL, false },
};
enum { N_SETS = sizeof sets / sizeof sets[0] };

/* The papers' datasets, in the columns of published-att.md. */
static const char *const paper_tags[] = { "JN1", "JN2", "JN3", "HZ1", "HZ2" };
enum { N_PAPER = 5 };

/*--- published results (../shared/reference/published-att.md) ------------------*/

typedef struct published_row {
    char method[96];
    char section[160];        /* the "## ..." heading above its table */
    double v[N_PAPER];        /* NAN: not given */
} published_row;

typedef struct published {
    published_row rows[32];
    int n;
} published;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '*') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '*' || e[-1] == '\n' || e[-1] == '\r')) *--e = '\0';
    return s;
}

/* Split a markdown table row "| a | b |" into cells (in place). */
static int cells(char *line, char **out, int max)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q) break;
        *q = '\0';
        out[n++] = trim(p + 1);
        p = q;
    }
    return n;
}

/* Tables whose header is "| method | JN1 | JN2 | JN3 | HZ1 | HZ2 |".  A
 * missing file is not an error (the table then has no published rows). */
static void published_load(const char *path, published *pub)
{
    pub->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024], section[160] = "";
    int col[N_PAPER];
    bool in_table = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0) snprintf(section, sizeof section, "%s", trim(line + 3));
        if (line[0] != '|') { in_table = false; continue; }
        char *c[16];
        int n = cells(line, c, 16);
        if (!in_table) {
            if (n < 2 || strcmp(c[0], "method") != 0) continue;
            for (int k = 0; k < N_PAPER; k++) {
                col[k] = -1;
                for (int j = 1; j < n; j++)
                    if (strcmp(c[j], paper_tags[k]) == 0) col[k] = j;
            }
            in_table = true;
            continue;
        }
        if (n < 2 || c[1][0] == '-' || pub->n == 32) continue;       /* the |---| line */
        published_row *r = &pub->rows[pub->n++];
        snprintf(r->method, sizeof r->method, "%s", c[0]);
        snprintf(r->section, sizeof r->section, "%s", section);
        for (int k = 0; k < N_PAPER; k++) {
            char *end;
            r->v[k] = col[k] >= 0 && col[k] < n ? strtod(trim(c[col[k]]), &end) : NAN;
            if (col[k] >= 0 && col[k] < n && end == c[col[k]]) r->v[k] = NAN;
        }
    }
    fclose(f);
}

/* The best (lowest) published value for a dataset among the rows of the
 * first table (the verified 15 s results), and the method that has it. */
static double published_best(const published *pub, int k, const char **method)
{
    double best = NAN;
    *method = NULL;
    const char *first = pub->n ? pub->rows[0].section : "";
    for (int i = 0; i < pub->n; i++) {
        if (strcmp(pub->rows[i].section, first) != 0) break;
        if (!isnan(pub->rows[i].v[k]) && (isnan(best) || pub->rows[i].v[k] < best)) {
            best = pub->rows[i].v[k];
            *method = pub->rows[i].method;
        }
    }
    return best;
}

/*--- running ------------------------------------------------------------------*/

typedef struct result {
    bool done;
    double engine_att, published_att, mean_queue, decision_us, wall;
    int64_t throughput, created;
} result;

typedef struct bench_args {
    const char *data, *examples, *out, *published;
    const char *only_sets, *only_ctl;
    double intervals[8];
    int n_intervals;
    double duration;
    bool all, no_write, quiet;
    int threads;
} bench_args;

static bool listed(const char *list, const char *name)
{
    if (!list) return true;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return true;
    return false;
}

static int run_one(const bench_args *a, const bench_set *set, const char *ctl, double interval, const char *extra,
                   result *r, cb_error *err)
{
    char dir[4096];
    const char *base = a->data;
    if (set->bundled && a->examples) {
        snprintf(dir, sizeof dir, "%s/%s/%s", a->examples, set->bundled, set->flow);
        FILE *f = fopen(dir, "r");
        if (f) { fclose(f); base = NULL; }
    }
    if (base) snprintf(dir, sizeof dir, "%s/%s", base, set->folder);
    else snprintf(dir, sizeof dir, "%s/%s", a->examples, set->bundled);
    cb_options o;
    cb_options_init(&o);
    o.flow_file = set->flow;
    o.lane_change = 1;
    o.seed_set = true;
    o.seed = 0;
    o.threads = a->threads;
    o.no_replay = true;
    bool fixed = strcmp(ctl, "fixed") == 0;
    o.external_signals = !fixed;
    cb_engine *e = NULL;
    cb_control *c = NULL;
    cb_params *p = NULL;
    int rc = cb_params_new(&p, err);
    char text[32];
    snprintf(text, sizeof text, "%g", interval);
    if (!rc && !fixed) rc = cb_params_set(p, "decision_interval", text, err);
    if (!rc && !fixed) rc = cb_params_set(p, "yellow", "5", err);
    if (!rc && extra) rc = cb_params_parse(p, extra, err);
    double t0 = cli_now();
    if (!rc) rc = cb_engine_open(dir, &o, &e, err);
    if (!rc) rc = cb_control_open(e, ctl, p, &c, err);
    while (!rc && cb_engine_time(e) < a->duration - 1e-9) rc = cb_control_step(c, err);
    if (!rc) {
        cb_metrics m;
        cb_engine_metrics(e, &m);
        cb_control_stats st;
        cb_control_stats_get(c, &st);
        *r = (result){ true, m.engine_att, m.published_att, st.mean_queue, cli_ctl_decision_us(&st), cli_now() - t0,
                       m.finished, m.created };
    }
    cb_control_close(c);
    cb_engine_close(e);
    cb_params_free(p);
    return rc;
}

/*--- the report ------------------------------------------------------------------*/

static void fmt(char *buf, size_t n, double v, const char *f)
{
    if (isnan(v)) snprintf(buf, n, "-");
    else snprintf(buf, n, f, v);
}

typedef struct table {
    const char *const *ctls;
    int n_ctls;
    result *res;              /* [set][ctl][interval] */
    int n_iv;
    result papers[N_PAPER];   /* the best controller with the papers' four
                                 candidate greens, 15 s (the strict protocol) */
} table;

static result *at(const table *t, int s, int c, int i) { return &t->res[(s * t->n_ctls + c) * t->n_iv + i]; }

/* The result of controller c at interval i on the k-th of the papers'
 * cities, NULL when that city is not among the datasets. */
static const result *at_paper(const table *t, int k, int c, int i)
{
    for (int q = 0; q < N_SETS; q++)
        if (strcmp(sets[q].tag, paper_tags[k]) == 0) return at(t, q, c, i);
    return NULL;
}

static bool uses_interval(const char *ctl)
{
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        if (cb_controller_info_get(k, &info) == CB_OK && strcmp(info.name, ctl) == 0) return info.uses_interval;
    }
    return false;
}

static void write_report(FILE *f, const bench_args *a, const table *t, const published *pub)
{
    char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
    fprintf(f, "## Signal control (`citybrain bench control`)\n\n");
    fprintf(f, "Every controller on every dataset, lane changing on, seed 0, %g s, one thread; decisions every "
               "15 s with the 5 s yellow inside unless noted (protocols of `../shared/docs/control-protocol.md`). "
               "*published ATT* is the papers' metric (`docs/metrics.md`); mean queue is stopped vehicles on the "
               "approach lanes per signalized intersection, averaged over steps; decision time is observing + "
               "deciding (CPU time), per intersection and decision. `fixed` is the roadnet's own plan, run by the "
               "engine. `%s` is `--control auto`; docs/control.md describes it. Regenerate with "
               "`citybrain bench control` from the repository root.\n\n",
            a->duration, cb_controller_auto());

    /* The papers' comparison first. */
    int ih = -1, im = -1, i1s = -1;
    for (int c = 0; c < t->n_ctls; c++) {
        if (strcmp(t->ctls[c], cb_controller_auto()) == 0) ih = c;
        if (strcmp(t->ctls[c], "maxpressure") == 0) im = c;
        if (strcmp(t->ctls[c], "horizon1s") == 0) i1s = c;
    }
    int i15 = -1;
    for (int i = 0; i < t->n_iv; i++)
        if (fabs(a->intervals[i] - 15) < 1e-9) i15 = i;
    if (pub->n && i15 >= 0) {
        fprintf(f, "### Against the published state of the art (published ATT, s, 15 s protocol)\n\n");
        fprintf(f, "| method |");
        for (int k = 0; k < N_PAPER; k++) fprintf(f, " %s |", paper_tags[k]);
        fprintf(f, " source |\n|---|");
        for (int k = 0; k < N_PAPER; k++) fprintf(f, "---|");
        fprintf(f, "---|\n");
        for (int i = 0; i < pub->n; i++) {
            fprintf(f, "| %s |", pub->rows[i].method);
            for (int k = 0; k < N_PAPER; k++) {
                fmt(b1, sizeof b1, pub->rows[i].v[k], "%.2f");
                fprintf(f, " %s |", b1);
            }
            fprintf(f, " published-att.md: %s |\n", pub->rows[i].section);
        }
        int rows[2] = { im, ih };
        for (int j = 0; j < 2; j++) {
            if (rows[j] < 0) continue;
            fprintf(f, "| **citybrain %s** |", t->ctls[rows[j]]);
            for (int k = 0; k < N_PAPER; k++) {
                const result *r = at_paper(t, k, rows[j], i15);
                fmt(b1, sizeof b1, r && r->done ? r->published_att : NAN, "%.2f");
                fprintf(f, " **%s** |", b1);
            }
            fprintf(f, " this run |\n");
        }
        if (ih >= 0) {
            fprintf(f, "| **citybrain %s, the papers' four greens** |", t->ctls[ih]);
            for (int k = 0; k < N_PAPER; k++) {
                fmt(b1, sizeof b1, t->papers[k].done ? t->papers[k].published_att : NAN, "%.2f");
                fprintf(f, " **%s** |", b1);
            }
            fprintf(f, " this run, `--param phases=papers` |\n");
        }
        if (i1s >= 0) {                     /* the same planner, deciding every second */
            fprintf(f, "| citybrain %s (*not this protocol*) |", t->ctls[i1s]);
            for (int k = 0; k < N_PAPER; k++) {
                const result *r = at_paper(t, k, i1s, i15);
                fmt(b1, sizeof b1, r && r->done ? r->published_att : NAN, "%.2f");
                fprintf(f, " %s |", b1);
            }
            fprintf(f, " this run: a decision every second, where the rows above decide every 15 s |\n");
        }
        for (int v = 0; v < 2 && ih >= 0; v++) {   /* every green, then the papers' four */
            double sum = 0;
            int n = 0;
            fprintf(f, "%s`%s`%s against the best published result:", v ? "" : "\n", t->ctls[ih],
                    v ? " with the papers' four greens" : "");
            for (int k = 0; k < N_PAPER; k++) {
                const char *who;
                double best = published_best(pub, k, &who);
                const result *r = v ? &t->papers[k] : at_paper(t, k, ih, i15);
                if (!r || !r->done || isnan(best)) continue;
                double d = r->published_att / best - 1;
                sum += d;
                fprintf(f, "%s %s %+.1f%%", n++ ? "," : "", paper_tags[k], d * 100);
            }
            if (n) fprintf(f, "; mean %+.1f%%.\n\n", sum / n * 100);
            else fprintf(f, "\n\n");
        }
    }

    for (int i = 0; i < t->n_iv; i++) {
        bool main_iv = i == (i15 >= 0 ? i15 : 0);
        fprintf(f, "### Decisions every %g s%s\n\n", a->intervals[i],
                main_iv ? "" : " (only the controllers that use the interval)");
        fprintf(f, "| dataset | controller | engine ATT | published ATT | throughput | mean queue | decision µs |\n"
                   "|---|---|---|---|---|---|---|\n");
        for (int s = 0; s < N_SETS; s++)
            for (int c = 0; c < t->n_ctls; c++) {
                bool iv = uses_interval(t->ctls[c]);
                if (!main_iv && !iv) continue;
                const result *r = at(t, s, c, iv ? i : (i15 >= 0 ? i15 : 0));
                if (!r->done) continue;
                fmt(b1, sizeof b1, r->engine_att, "%.2f");
                fmt(b2, sizeof b2, r->published_att, "%.2f");
                snprintf(b3, sizeof b3, "%lld / %lld", (long long)r->throughput, (long long)r->created);
                fmt(b4, sizeof b4, r->mean_queue, "%.2f");
                fmt(b5, sizeof b5, r->decision_us, "%.2f");
                bool best = strcmp(t->ctls[c], cb_controller_auto()) == 0;
                snprintf(b6, sizeof b6, "%s%s%s", best ? "**" : "", t->ctls[c], best ? "**" : "");
                fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", sets[s].tag, b6, b1, b2, b3, b4, b5);
            }
        fprintf(f, "\n");
    }
}

/*--- the command -----------------------------------------------------------------*/

enum { B_DATA = 1, B_EXAMPLES, B_OUT, B_PUBLISHED, B_SETS, B_CTLS, B_INTERVALS, B_DURATION, B_ALL, B_NO_WRITE,
       B_QUIET, B_THREADS };

static const cli_opt bench_control_opts[] = {
    { B_DATA, "data", 0, "DIR", "the benchmark cities", "../shared/data" },
    { B_EXAMPLES, "examples", 0, "DIR", "bundled copies used first when present", "examples" },
    { B_PUBLISHED, "published", 0, "FILE", "published results (markdown tables)",
      "../shared/reference/published-att.md" },
    { B_OUT, "out", 'o', "FILE", "markdown file whose marked section is rewritten", "docs/benchmarks.md" },
    { B_NO_WRITE, "no-write", 0, NULL, "print the table only", NULL },
    { B_SETS, "datasets", 0, "LIST", "comma-separated tags (JN1,HZ2,NY16x3,...)", "all but grid30x30" },
    { B_ALL, "all", 0, NULL, "include the big grid30x30", NULL },
    { B_CTLS, "controllers", 0, "LIST", "comma-separated controller names", "all" },
    { B_INTERVALS, "intervals", 0, "LIST", "decision intervals, s", "15,10,30" },
    { B_DURATION, "duration", 0, "SECONDS", "simulated seconds per run", "3600" },
    { B_THREADS, "threads", 0, "N", "engine worker threads", "1" },
    { B_QUIET, "quiet", 'q', NULL, "no progress on stderr", NULL },
    { 0, NULL, 0, NULL, NULL, NULL }
};

static int bench_control_main(const cli_command *self, int argc, char **argv);

const cli_command cli_cmd_bench_control = {
    .name = "bench control",
    .summary = "every signal controller on every dataset, beside the published results",
    .usage = "bench control [options]",
    .description =
        "Run every controller on every dataset found, under the evaluation protocols\n"
        "of the signal-control literature: decisions every 15 s with the 5 s yellow\n"
        "inside, and every 10 s and 30 s; lane changing on; seed 0; 3600 s.  Print\n"
        "the results as markdown and write them into the marked section of\n"
        "docs/benchmarks.md.  Run it from the repository root.\n",
    .groups = { { NULL, bench_control_opts, NULL } },
    .examples =
        "  citybrain bench control\n"
        "  citybrain bench control --datasets JN1,HZ1 --controllers maxpressure,horizon --no-write\n",
    .main = bench_control_main,
};

extern const cli_command cli_cmd_bench_emergency, cli_cmd_bench_incidents;   /* cmd_bench_emergency.c, cmd_bench_incidents.c */
static const cli_command *const bench_subs[] = { &cli_cmd_bench_control, &cli_cmd_bench_emergency,
                                                 &cli_cmd_bench_incidents, NULL };

const cli_command cli_cmd_bench = {
    .name = "bench",
    .summary = "benchmarks (bench control, emergency, incidents)",
    .usage = "bench <kind> [arguments]",
    .description = "Benchmarks whose tables go into docs/benchmarks.md.\n",
    .groups = { { NULL, NULL, NULL } },
    .examples = "  citybrain bench control\n",
    .subs = bench_subs,
    .main = cli_subcommand_main,
};

static bool parse_intervals(const char *text, bench_args *a)
{
    a->n_intervals = 0;
    const char *p = text;
    while (*p && a->n_intervals < 8) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v >= 1 && v <= 3600)) return false;
        a->intervals[a->n_intervals++] = v;
        p = end;
        if (*p == ',') p++;
        else if (*p) return false;
    }
    return a->n_intervals > 0 && !*p;
}

static int bench_control_main(const cli_command *self, int argc, char **argv)
{
    bench_args a = { .data = "../shared/data", .examples = "examples", .out = "docs/benchmarks.md",
                     .published = "../shared/reference/published-att.md", .intervals = { 15, 10, 30 },
                     .n_intervals = 3, .duration = 3600, .threads = 1 };
    cli_parser p;
    cli_parser_init(&p, self, argc, argv);
    long long v;
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_BAD: return CLI_EXIT_USAGE;
        case CLI_HELP: cli_help_print(self, stdout); return CLI_EXIT_OK;
        case CLI_POSITIONAL: return cli_usage_error(self, "unexpected argument '%s'", p.value);
        case B_DATA: a.data = p.value; break;
        case B_EXAMPLES: a.examples = p.value; break;
        case B_OUT: a.out = p.value; break;
        case B_PUBLISHED: a.published = p.value; break;
        case B_SETS: a.only_sets = p.value; break;
        case B_CTLS: a.only_ctl = p.value; break;
        case B_INTERVALS:
            if (!parse_intervals(p.value, &a))
                return cli_usage_error(self, "--intervals: '%s' is not a list of seconds in [1, 3600]", p.value);
            break;
        case B_DURATION:
            if (!cli_value_double(&p, 1, 1e6, &a.duration)) return CLI_EXIT_USAGE;
            break;
        case B_THREADS:
            if (!cli_value_int(&p, 1, 256, &v)) return CLI_EXIT_USAGE;
            a.threads = (int)v;
            break;
        case B_ALL: a.all = true; break;
        case B_NO_WRITE: a.no_write = true; break;
        case B_QUIET: a.quiet = true; break;
        default: return CLI_EXIT_USAGE;
        }
    }
    /* Controllers: the engine's own plan, then the library's, in order. */
    const char *ctls[32];
    int n_ctls = 0;
    if (listed(a.only_ctl, "fixed")) ctls[n_ctls++] = "fixed";
    for (size_t k = 0; k < cb_controller_count() && n_ctls < 32; k++) {
        cb_controller_info info;
        if (cb_controller_info_get(k, &info) == CB_OK && listed(a.only_ctl, info.name)) ctls[n_ctls++] = info.name;
    }
    if (!n_ctls) return cli_usage_error(self, "--controllers: no known controller in '%s'", a.only_ctl);
    table t = { .ctls = ctls, .n_ctls = n_ctls, .res = calloc((size_t)N_SETS * n_ctls * a.n_intervals, sizeof(result)),
                .n_iv = a.n_intervals };
    if (!t.res) return cli_failf("out of memory");
    published pub;
    published_load(a.published, &pub);

    int runs = 0, failed = 0;
    for (int s = 0; s < N_SETS; s++) {
        if (!listed(a.only_sets, sets[s].tag) || (sets[s].big && !a.all && !a.only_sets)) continue;
        for (int c = 0; c < n_ctls; c++)
            for (int i = 0; i < a.n_intervals; i++) {
                if (!uses_interval(ctls[c]) && i > 0) continue;       /* its own cadence: once */
                double iv = uses_interval(ctls[c]) ? a.intervals[i] : 15;
                cb_error err = { 0 };
                result *r = at(&t, s, c, i);
                if (run_one(&a, &sets[s], ctls[c], iv, NULL, r, &err)) {
                    if (err.code == CB_EIO || err.code == CB_ENOTFOUND) {   /* dataset not here: skip it */
                        if (!a.quiet) fprintf(stderr, "citybrain bench: %s skipped: %s\n", sets[s].tag, err.msg);
                        c = n_ctls;
                        break;
                    }
                    fprintf(stderr, "citybrain bench: %s %s: %s\n", sets[s].tag, ctls[c], err.msg);
                    failed++;
                    continue;
                }
                runs++;
                if (!a.quiet)
                    fprintf(stderr, "  %-12s %-12s %4g s  engine %8.2f  published %8.2f  %6.1f us  (%.1f s)\n",
                            sets[s].tag, ctls[c], iv, r->engine_att, r->published_att, r->decision_us, r->wall);
            }
        /* controllers with their own cadence fill every interval column */
        for (int c = 0; c < n_ctls; c++)
            if (!uses_interval(ctls[c]))
                for (int i = 1; i < a.n_intervals; i++) *at(&t, s, c, i) = *at(&t, s, c, 0);
    }
    /* The strict protocol: the papers' four candidate greens (phases 1-4)
     * instead of every green of the roadnet. */
    for (int k = 0; k < N_PAPER && listed(a.only_ctl, cb_controller_auto()); k++) {
        int s = 0;
        while (s < N_SETS && strcmp(sets[s].tag, paper_tags[k]) != 0) s++;
        if (s == N_SETS || !listed(a.only_sets, sets[s].tag)) continue;
        cb_error err = { 0 };
        if (run_one(&a, &sets[s], cb_controller_auto(), 15, "phases=papers", &t.papers[k], &err) == CB_OK) runs++;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) { free(t.res); return cli_failf("out of memory"); }
    write_report(mem, &a, &t, &pub);
    fclose(mem);
    fputs(text, stdout);
    int rc = CLI_EXIT_OK;
    if (!a.no_write && runs) {
        int e = bops_write_section(a.out, "control", text);
        if (e) rc = cli_failf("%s: cannot write: %s", a.out, strerror(e));
        else if (!a.quiet) fprintf(stderr, "citybrain bench: wrote %s (%d runs)\n", a.out, runs);
    }
    if (!runs) rc = cli_failf("no dataset found under %s", a.data);
    free(text);
    free(t.res);
    return failed ? CLI_EXIT_FAIL : rc;
}
