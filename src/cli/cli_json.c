/* cli_json.c -- writes the flat JSON objects of --json output.
 *
 * Numbers are written in the shortest form that reads back exactly, so a
 * script comparing two runs sees the engine's values, not a rounding of
 * them; NaN and infinities (which JSON lacks) become null. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_fmt_double(char *buf, double d)
{
    /* Whole numbers as integers: "600", not the shorter "6e+02". */
    if (d == floor(d) && fabs(d) < 1e15) {
        snprintf(buf, 32, "%.0f", d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return;
    }
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void put_key(cli_json *j, const char *key)
{
    if (j->members++) fputs(", ", j->f);
    put_string(j->f, key);
    fputs(": ", j->f);
}

void cli_json_begin(cli_json *j, FILE *f)
{
    j->f = f;
    j->members = 0;
    fputc('{', f);
}

void cli_json_num(cli_json *j, const char *key, double v)
{
    put_key(j, key);
    if (!isfinite(v)) { fputs("null", j->f); return; }
    char buf[32];
    cli_fmt_double(buf, v);
    fputs(buf, j->f);
}

void cli_json_int(cli_json *j, const char *key, int64_t v)
{
    put_key(j, key);
    fprintf(j->f, "%lld", (long long)v);
}

void cli_json_bool(cli_json *j, const char *key, bool v)
{
    put_key(j, key);
    fputs(v ? "true" : "false", j->f);
}

void cli_json_str(cli_json *j, const char *key, const char *v)
{
    put_key(j, key);
    if (v) put_string(j->f, v);
    else fputs("null", j->f);
}

void cli_json_null(cli_json *j, const char *key)
{
    put_key(j, key);
    fputs("null", j->f);
}

void cli_json_end(cli_json *j)
{
    fputs("}\n", j->f);
}
