/* serve_sse.c -- GET /api/v1/stream: server-sent events.
 *
 * Each connection reads the event ring (serve_buf.c) from where it left
 * off: "state" once a second (the same JSON as GET /api/v1/state),
 * "decision" for every green the field is told to show (what an external
 * field controller subscribes to), "alert" and "action".  A client that
 * falls more than the ring's length behind skips ahead rather than making
 * the server buffer for it.  A comment line every 15 s keeps proxies from
 * closing an idle stream.  Runs in the connection's own thread, so waiting
 * blocks nobody else. */
#include "serve_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sse_conn {
    cbsv_server *srv;
    uint64_t next;            /* next event seq to send */
    sv_buf pend;
    size_t off;
} sse_conn;

static void fill(sse_conn *c)
{
    sv_events *ev = &c->srv->events;
    sv_buf_free(&c->pend);
    c->off = 0;
    pthread_mutex_lock(&ev->lock);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 15;
    while (!ev->closing && ev->next <= c->next) {
        if (pthread_cond_timedwait(&ev->cond, &ev->lock, &dl) == ETIMEDOUT) break;
    }
    if (ev->closing) {
        pthread_mutex_unlock(&ev->lock);
        return;
    }
    if (ev->next <= c->next) {
        pthread_mutex_unlock(&ev->lock);
        sv_puts(&c->pend, ": keep-alive\n\n");
        return;
    }
    if (ev->next - c->next > SV_EVENTS) c->next = ev->next - SV_EVENTS;
    for (int k = 0; c->next < ev->next && k < 256; k++, c->next++) {
        const sv_event *e = &ev->ring[c->next % SV_EVENTS];
        sv_printf(&c->pend, "id: %llu\nevent: %s\ndata: ", (unsigned long long)e->seq, e->type);
        sv_puts(&c->pend, e->data);
        sv_puts(&c->pend, "\n\n");
    }
    pthread_mutex_unlock(&ev->lock);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse_conn *c = cls;
    if (c->off >= c->pend.n) {
        if (c->srv->stopping) return MHD_CONTENT_READER_END_OF_STREAM;
        fill(c);
        if (c->pend.n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = c->pend.n - c->off;
    if (n > max) n = max;
    memcpy(buf, c->pend.p + c->off, n);
    c->off += n;
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse_conn *c = cls;
    sv_buf_free(&c->pend);
    free(c);
}

void sv_h_stream(sv_req *r)
{
    sse_conn *c = calloc(1, sizeof *c);
    if (!c) {
        sv_fail(r, CB_ENOMEM, NULL, "out of memory");
        return;
    }
    c->srv = r->srv;
    /* Start with the current state, then everything that follows. */
    pthread_mutex_lock(&r->srv->events.lock);
    c->next = r->srv->events.next;
    pthread_mutex_unlock(&r->srv->events.lock);
    sv_snap *snap = sv_snap_get(&r->srv->field);
    sv_puts(&c->pend, "retry: 2000\n");
    if (snap) {
        sv_puts(&c->pend, "event: state\ndata: ");
        sv_put(&c->pend, snap->json, snap->len);
        sv_puts(&c->pend, "\n\n");
        sv_snap_release(&r->srv->field, snap);
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, sse_read, c, sse_free);
    if (!resp) {
        sse_free(c);
        sv_fail(r, CB_ENOMEM, NULL, "out of memory");
        return;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    r->custom = resp;
    r->status = 200;
}
