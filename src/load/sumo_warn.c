/* sumo_warn.c -- the list of things an importer could not represent.
 *
 * Entries are aggregated by message: the thousandth ignored <person> adds
 * to a count rather than a line, so a city's warnings stay readable.  The
 * first occurrence's location is kept. */
#include "sumo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct warn_entry {
    char *msg;             /* without count or location */
    char *where;           /* "file:line" of the first occurrence, or NULL */
    int64_t count;
    char *text;            /* formatted on demand */
} warn_entry;

struct cb_warnings {
    warn_entry *a;
    size_t n, cap;
};

cb_warnings *cb_warnings_new(void) { return calloc(1, sizeof(cb_warnings)); }

void cb_warnings_free(cb_warnings *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->a[i].msg);
        free(w->a[i].where);
        free(w->a[i].text);
    }
    free(w->a);
    free(w);
}

size_t cb_warnings_count(const cb_warnings *w) { return w ? w->n : 0; }

int64_t cb_warnings_occurrences(const cb_warnings *w, size_t i)
{
    return w && i < w->n ? w->a[i].count : 0;
}

const char *cb_warnings_text(const cb_warnings *cw, size_t i)
{
    cb_warnings *w = (cb_warnings *)cw;      /* the text is a cache */
    if (!w || i >= w->n) return NULL;
    warn_entry *e = &w->a[i];
    free(e->text);
    size_t n = strlen(e->msg) + (e->where ? strlen(e->where) : 0) + 64;
    e->text = malloc(n);
    if (!e->text) return e->msg;
    if (e->count > 1 && e->where)
        snprintf(e->text, n, "%s (%lld times; first at %s)", e->msg, (long long)e->count, e->where);
    else if (e->count > 1)
        snprintf(e->text, n, "%s (%lld times)", e->msg, (long long)e->count);
    else if (e->where)
        snprintf(e->text, n, "%s (at %s)", e->msg, e->where);
    else
        snprintf(e->text, n, "%s", e->msg);
    return e->text;
}

static int warn_add(cb_warnings *w, int64_t count, const char *where, const char *msg)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->a[i].msg, msg) == 0) {
            w->a[i].count += count;
            return CB_OK;
        }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        warn_entry *p = realloc(w->a, cap * sizeof *p);
        if (!p) return CB_ENOMEM;
        w->a = p;
        w->cap = cap;
    }
    warn_entry *e = &w->a[w->n];
    memset(e, 0, sizeof *e);
    e->msg = strdup(msg);
    e->where = where ? strdup(where) : NULL;
    e->count = count;
    if (!e->msg || (where && !e->where)) {
        free(e->msg);
        free(e->where);
        return CB_ENOMEM;
    }
    w->n++;
    return CB_OK;
}

int sumo_warn(cb_warnings *w, const sx_doc *d, const sx_elem *e, const char *fmt, ...)
{
    if (!w) return CB_OK;
    char msg[512], where[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d && e) snprintf(where, sizeof where, "%s:%u", d->file, e->line);
    return warn_add(w, 1, d && e ? where : NULL, msg);
}

int sumo_warn_n(cb_warnings *w, int64_t count, const char *fmt, ...)
{
    if (!w || count <= 0) return CB_OK;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return warn_add(w, count, NULL, msg);
}
