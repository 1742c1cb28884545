/* cli_args.c -- the argument parser every command uses, its number
 * parsing, and the two ways of reporting an error (usage error: exit 2,
 * runtime error: exit 1).
 *
 * A small hand parser rather than getopt_long, because its messages name
 * the command and the option the way this CLI's tests and users rely on
 * ("citybrain run: unknown option '--durration' (did you mean
 * '--duration'?)"), it reads the same option tables that produce --help,
 * and it never accepts abbreviations: a script that says --dur would break
 * the day a --durability option appears. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
}

/*--- errors -----------------------------------------------------------------*/

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    fprintf(stderr, "citybrain %s: ", cmd->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'citybrain %s --help'.\n", cmd->name);
    return CLI_EXIT_USAGE;
}

int cli_fail(const cb_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : cb_status_message(err ? err->code : CB_EINVAL);
    fprintf(stderr, "citybrain: %s\n", msg);
    return CLI_EXIT_FAIL;
}

int cli_failf(const char *fmt, ...)
{
    fputs("citybrain: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_FAIL;
}

/*--- option lookup ------------------------------------------------------------*/

static const cli_opt *find_long(const cli_command *cmd, const char *name, size_t len)
{
    for (int g = 0; g < CLI_MAX_GROUPS && cmd->groups[g].opts; g++)
        for (const cli_opt *o = cmd->groups[g].opts; o->id; o++)
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
    return NULL;
}

static const cli_opt *find_short(const cli_command *cmd, char c)
{
    for (int g = 0; g < CLI_MAX_GROUPS && cmd->groups[g].opts; g++)
        for (const cli_opt *o = cmd->groups[g].opts; o->id; o++)
            if (o->short_name == c) return o;
    return NULL;
}

/* Edit distance, capped: only small distances matter for suggestions. */
static int edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known option closest to a misspelt one, if any is close. */
static const char *suggest(const cli_command *cmd, const char *name, size_t len)
{
    const char *best = NULL;
    int best_d = 3;
    for (int g = 0; g < CLI_MAX_GROUPS && cmd->groups[g].opts; g++)
        for (const cli_opt *o = cmd->groups[g].opts; o->id; o++) {
            int d = edit_distance(name, len, o->name);
            if (len >= 3 && strncmp(o->name, name, len) == 0) d = 1;   /* a prefix */
            if (d < best_d) { best_d = d; best = o->name; }
        }
    if (!best && edit_distance(name, len, "help") <= 2) best = "help";
    return best;
}

static int unknown_long(cli_parser *p, const char *arg, size_t len)
{
    const char *s = suggest(p->cmd, arg + 2, len - 2);
    if (s) cli_usage_error(p->cmd, "unknown option '%.*s' (did you mean '--%s'?)", (int)len, arg, s);
    else cli_usage_error(p->cmd, "unknown option '%.*s'", (int)len, arg);
    return CLI_BAD;
}

/* The value of an option that needs one: inline (after '=' or the short
 * letter) or the next argument.  A next argument that is itself a long
 * option means the user forgot the value. */
static int take_value(cli_parser *p, const cli_opt *o, const char *inline_value)
{
    if (inline_value) {
        p->value = inline_value;
        return o->id;
    }
    if (p->i >= p->argc) {
        cli_usage_error(p->cmd, "option '%s' needs a value (%s)", p->opt_text, o->metavar);
        return CLI_BAD;
    }
    const char *next = p->argv[p->i];
    if (next[0] == '-' && next[1] == '-' && next[2]) {
        cli_usage_error(p->cmd, "option '%s' needs a value (%s) before '%s'", p->opt_text, o->metavar, next);
        return CLI_BAD;
    }
    p->value = next;
    p->i++;
    return o->id;
}

int cli_next(cli_parser *p)
{
    p->value = NULL;
    p->opt_text[0] = '\0';
    if (p->i >= p->argc) return CLI_DONE;
    const char *arg = p->argv[p->i++];
    if (p->only_positional || arg[0] != '-' || arg[1] == '\0') {
        p->value = arg;
        return CLI_POSITIONAL;
    }
    if (arg[1] == '-') {
        if (arg[2] == '\0') {                      /* "--": the rest is positional */
            p->only_positional = true;
            return cli_next(p);
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        snprintf(p->opt_text, sizeof p->opt_text, "%.*s", (int)len, arg);
        const cli_opt *o = find_long(p->cmd, arg + 2, len - 2);
        if (!o) {
            if (len == 6 && strncmp(arg, "--help", 6) == 0) return CLI_HELP;
            return unknown_long(p, arg, len);
        }
        if (!o->metavar) {
            if (eq) {
                cli_usage_error(p->cmd, "option '%s' takes no value", p->opt_text);
                return CLI_BAD;
            }
            return o->id;
        }
        return take_value(p, o, eq ? eq + 1 : NULL);
    }
    /* A short option: "-o DIR" or "-oDIR". */
    snprintf(p->opt_text, sizeof p->opt_text, "-%c", arg[1]);
    const cli_opt *o = find_short(p->cmd, arg[1]);
    if (!o) {
        if (arg[1] == 'h' && arg[2] == '\0') return CLI_HELP;
        cli_usage_error(p->cmd, "unknown option '%s'", arg);
        return CLI_BAD;
    }
    if (!o->metavar) {
        if (arg[2]) {
            cli_usage_error(p->cmd, "unknown option '%s'", arg);
            return CLI_BAD;
        }
        return o->id;
    }
    return take_value(p, o, arg[2] ? arg + 2 : NULL);
}

int cli_next_own(cli_parser *p, const char **arg, int *status)
{
    for (;;) {
        int id = cli_next(p);
        if (id == CLI_BAD) {
            *status = CLI_EXIT_USAGE;
            return CLI_DONE;
        }
        if (id == CLI_HELP) {
            cli_help_print(p->cmd, stdout);
            *status = CLI_EXIT_OK;
            return CLI_DONE;
        }
        if (id != CLI_POSITIONAL) return id;              /* the command's own option, or the end */
        if (*arg) {
            *status = cli_usage_error(p->cmd, "unexpected argument '%s'", p->value);
            return CLI_DONE;
        }
        *arg = p->value;
    }
}

/*--- numbers ------------------------------------------------------------------*/

bool cli_value_int(cli_parser *p, long long lo, long long hi, long long *out)
{
    const char *s = p->value;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0') {
        cli_usage_error(p->cmd, "%s: '%s' is not a whole number", p->opt_text, s);
        return false;
    }
    if (errno == ERANGE || v < lo || v > hi) {
        if (hi == LLONG_MAX) cli_usage_error(p->cmd, "%s: must be at least %lld (got %s)", p->opt_text, lo, s);
        else cli_usage_error(p->cmd, "%s: must be between %lld and %lld (got %s)", p->opt_text, lo, hi, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_value_double(cli_parser *p, double lo, double hi, double *out)
{
    const char *s = p->value;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) {
        cli_usage_error(p->cmd, "%s: '%s' is not a number", p->opt_text, s);
        return false;
    }
    if (errno == ERANGE || v < lo || v > hi) {
        cli_usage_error(p->cmd, "%s: must be between %g and %g (got %s)", p->opt_text, lo, hi, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_size(const char *text, int *rows, int *cols)
{
    char *end;
    if (text[0] < '0' || text[0] > '9') return false;
    errno = 0;
    long r = strtol(text, &end, 10);
    if (errno || (*end != 'x' && *end != 'X') || r < 1 || r > INT_MAX) return false;
    const char *c_text = end + 1;
    if (c_text[0] < '0' || c_text[0] > '9') return false;
    long c = strtol(c_text, &end, 10);
    if (errno || *end != '\0' || c < 1 || c > INT_MAX) return false;
    *rows = (int)r;
    *cols = (int)c;
    return true;
}
