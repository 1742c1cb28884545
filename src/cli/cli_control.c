/* cli_control.c -- the signal controllers as the command line names them,
 * and the options that configure them (cli_control.h).
 *
 * "fixed" leaves the signals to the fixed-time plans in the roadnet (the
 * engine cycles them itself, as CityFlow does with rlTrafficLight false).
 * It is the default even for a config that says rlTrafficLight true,
 * because an offline run without a controller would freeze every light on
 * phase 0.  Every other name is a library controller (cb_controller_*),
 * run through the signal safety layer on an engine opened with external
 * signals; "auto" names the best one. */
#include "cli_control.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void fixed_configure(cb_options *opt) { opt->external_signals = 0; }
static void external_configure(cb_options *opt) { opt->external_signals = 1; }

/* Rows: "fixed", the library's controllers, "auto". */
enum { MAX_ROWS = 32 };
static cli_controller rows[MAX_ROWS];
static char summaries[MAX_ROWS][160];
static int n_rows;

static void build_rows(void)
{
    if (n_rows) return;
    rows[n_rows++] = (cli_controller){ "fixed", "the roadnet's own fixed-time plans (run by the engine)",
                                       fixed_configure, NULL, NULL, NULL };
    for (size_t k = 0; k < cb_controller_count() && n_rows < MAX_ROWS - 1; k++) {
        cb_controller_info info;
        if (cb_controller_info_get(k, &info)) continue;
        rows[n_rows++] = (cli_controller){ info.name, info.summary, external_configure, NULL, NULL, NULL };
    }
    snprintf(summaries[n_rows], sizeof summaries[n_rows], "the best controller (now '%s')", cb_controller_auto());
    rows[n_rows] = (cli_controller){ "auto", summaries[n_rows], external_configure, NULL, NULL, NULL };
    n_rows++;
}

const cli_controller *cli_controller_find(const char *name)
{
    build_rows();
    for (int i = 0; i < n_rows; i++)
        if (strcmp(rows[i].name, name) == 0) return &rows[i];
    return NULL;
}

void cli_controller_names(char *buf, size_t n)
{
    build_rows();
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n_rows; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", rows[i].name);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

void cli_controller_help(FILE *f)
{
    build_rows();
    fprintf(f, "\nControllers (--control NAME):\n");
    for (int i = 0; i < n_rows; i++) fprintf(f, "  %-12s %s\n", rows[i].name, rows[i].summary);
    fprintf(f, "\nController parameters (--param KEY=VALUE, or a JSON object in --control-file):\n");
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        if (cb_controller_info_get(k, &info) || !info.params[0]) continue;
        fprintf(f, "  %s:\n", info.name);
        for (const char *p = info.params; *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            fprintf(f, "    %.*s\n", len, p);
            p += len + (nl != NULL);
        }
    }
    fprintf(f, "  every controller but fixed (the protocol and the safety layer):\n"
               "    decision_interval=15: seconds between decisions (--decision-interval)\n"
               "    yellow=5: seconds of the clearance phase on every change (--yellow)\n"
               "    all_red=0: seconds of all-red after the yellow\n"
               "    min_green=5: seconds a green shows at least (enforced by the safety layer)\n"
               "    phases=papers|all: candidate greens: the first four, or all\n"
               "    zone=0: detection zone, metres before the stop line (0: the whole lane)\n");
}

/*--- options ---------------------------------------------------------------------*/

enum { CTL_CONTROL = CLI_CTL_FIRST, CTL_PARAM, CTL_FILE, CTL_INTERVAL, CTL_YELLOW };

const cli_opt cli_ctl_opts[] = {
    { CTL_CONTROL, "control", 0, "NAME", "signal controller, see below", "fixed" },
    { CTL_PARAM, "param", 0, "KEY=VALUE", "a controller or protocol parameter (repeatable)", NULL },
    { CTL_FILE, "control-file", 0, "FILE", "parameters as a JSON object (\"controller\" names one)", NULL },
    { CTL_INTERVAL, "decision-interval", 0, "S", "seconds between decisions", "15" },
    { CTL_YELLOW, "yellow", 0, "S", "seconds of yellow on every change", "5" },
    { 0, NULL, 0, NULL, NULL, NULL }
};

bool cli_ctl_args_init(cli_ctl_args *a)
{
    memset(a, 0, sizeof *a);
    cb_error err = { 0 };
    if (cb_params_new(&a->params, &err)) {
        cli_fail(&err);
        return false;
    }
    return true;
}

void cli_ctl_args_free(cli_ctl_args *a)
{
    cb_params_free(a->params);
    a->params = NULL;
}

static int set_number(cli_parser *p, cli_ctl_args *a, const char *key, double lo, double hi)
{
    double v;
    if (!cli_value_double(p, lo, hi, &v)) return CLI_BAD;
    cb_error err = { 0 };
    if (cb_params_set(a->params, key, p->value, &err)) {
        cli_usage_error(p->cmd, "%s: %s", p->opt_text, err.msg);
        return CLI_BAD;
    }
    return 1;
}

int cli_ctl_apply(cli_parser *p, int id, cli_ctl_args *a)
{
    cb_error err = { 0 };
    switch (id) {
    case CTL_CONTROL:
        if (!cli_controller_find(p->value)) {
            char names[512];
            cli_controller_names(names, sizeof names);
            cli_usage_error(p->cmd, "unknown controller '%s' (available: %s)", p->value, names);
            return CLI_BAD;
        }
        a->name = p->value;
        return 1;
    case CTL_PARAM:
        if (cb_params_parse(a->params, p->value, &err)) {
            cli_usage_error(p->cmd, "--param: %s", err.msg);
            return CLI_BAD;
        }
        return 1;
    case CTL_FILE: a->file = p->value; return 1;
    case CTL_INTERVAL: return set_number(p, a, "decision_interval", 1, 3600);
    case CTL_YELLOW: return set_number(p, a, "yellow", 0, 600);
    default: return 0;
    }
}

int cli_ctl_finish(cli_ctl_args *a, cb_options *opt, const char **name, cb_error *err)
{
    *name = a->name ? a->name : "fixed";
    if (a->file) {
        int rc = cb_params_load(a->params, a->file, err);
        if (rc) return rc;
        const char *from_file = cb_params_string(a->params, "controller", NULL);
        if (from_file && !a->name) *name = from_file;
    }
    const cli_controller *c = cli_controller_find(*name);
    if (!c) {
        char names[512];
        cli_controller_names(names, sizeof names);
        err->code = CB_ENOTFOUND;
        snprintf(err->msg, sizeof err->msg, "%s: unknown controller '%s' (available: %s)", a->file ? a->file : "",
                 *name, names);
        return CB_ENOTFOUND;
    }
    c->configure(opt);
    return CB_OK;
}

/*--- report ----------------------------------------------------------------------*/

double cli_ctl_decision_us(const cb_control_stats *st)
{
    return st->decisions ? st->decide_seconds * 1e6 / (double)st->decisions : NAN;
}

void cli_ctl_report_json(const cb_control_stats *st, FILE *f)
{
    cli_json j = { f, 1 };            /* continues an object already begun */
    cli_json_num(&j, "mean_queue", st->mean_queue);
    cli_json_num(&j, "decision_us_per_intersection", cli_ctl_decision_us(st));
    cli_json_int(&j, "decisions", st->decisions);
    cli_json_int(&j, "signal_switches", st->switches);
    cli_json_int(&j, "rejected_requests", st->rejected);
}

void cli_ctl_report_table(const cb_control_stats *st, FILE *f)
{
    fprintf(f, "%-20s %.2f  (stopped vehicles per intersection)\n", "mean queue", st->mean_queue);
    if (st->decisions)
        fprintf(f, "%-20s %.2f us  (%lld decisions, %lld greens started)\n", "decision time", cli_ctl_decision_us(st),
                (long long)st->decisions, (long long)st->switches);
    if (st->rejected) fprintf(f, "%-20s %lld\n", "rejected requests", (long long)st->rejected);
}
