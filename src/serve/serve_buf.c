/* serve_buf.c -- a growable text buffer with the JSON writers every answer
 * of the API is built with, and the event ring behind the SSE stream. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/json.h"

static bool grow(sv_buf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->n + extra + 1 <= b->cap) return true;
    size_t c = b->cap ? b->cap : 1024;
    while (c < b->n + extra + 1) c *= 2;
    char *p = realloc(b->p, c);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = c;
    return true;
}

void sv_buf_free(sv_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void sv_put(sv_buf *b, const char *s, size_t n)
{
    if (!grow(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void sv_puts(sv_buf *b, const char *s) { sv_put(b, s, strlen(s)); }

void sv_printf(sv_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        sv_put(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void sv_str(sv_buf *b, const char *s)
{
    if (!s) {
        sv_puts(b, "null");
        return;
    }
    sv_put(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sv_put(b, run, (size_t)(p - run));
        char esc[8];
        if (c == '"') sv_puts(b, "\\\"");
        else if (c == '\\') sv_puts(b, "\\\\");
        else if (c == '\n') sv_puts(b, "\\n");
        else if (c == '\t') sv_puts(b, "\\t");
        else {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sv_puts(b, esc);
        }
        run = p + 1;
    }
    sv_puts(b, run);
    sv_put(b, "\"", 1);
}

void sv_num(sv_buf *b, double d)
{
    if (!isfinite(d)) {
        sv_puts(b, "null");
        return;
    }
    char t[32];
    int n = cbu_json_fmt_double(t, d);
    sv_put(b, t, (size_t)n);
}

void sv_time(sv_buf *b, int64_t ms)
{
    char t[40];
    cbi_time_format(ms, t, sizeof t);
    sv_put(b, "\"", 1);
    sv_puts(b, t);
    sv_put(b, "\"", 1);
}

char *sv_take(sv_buf *b, size_t *len)
{
    if (b->oom || !b->p) {
        sv_buf_free(b);
        return NULL;
    }
    char *p = b->p;
    if (len) *len = b->n;
    memset(b, 0, sizeof *b);
    return p;
}

int64_t sv_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*--- events ------------------------------------------------------------------------*/

void sv_events_init(sv_events *ev)
{
    memset(ev, 0, sizeof *ev);
    pthread_mutex_init(&ev->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ev->cond, &ca);
    pthread_condattr_destroy(&ca);
    ev->next = 1;
}

void sv_events_destroy(sv_events *ev)
{
    for (int i = 0; i < SV_EVENTS; i++) free(ev->ring[i].data);
    pthread_mutex_destroy(&ev->lock);
    pthread_cond_destroy(&ev->cond);
}

void sv_events_push(sv_events *ev, const char *type, char *data)
{
    if (!data) return;
    pthread_mutex_lock(&ev->lock);
    sv_event *e = &ev->ring[ev->next % SV_EVENTS];
    free(e->data);
    e->seq = ev->next++;
    e->type = type;
    e->data = data;
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);
}

void sv_events_close(sv_events *ev)
{
    pthread_mutex_lock(&ev->lock);
    ev->closing = true;
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);
}
