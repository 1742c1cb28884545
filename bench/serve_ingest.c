/* serve_ingest.c -- load generator for `citybrain serve`'s batch ingest.
 *
 *   serve_ingest PORT TOKEN SECONDS CONNECTIONS BATCH [ROAD...]
 *
 * CONNECTIONS threads each keep one HTTP/1.1 connection open and post
 * batches of BATCH TrafficFlowObserved entities (keyValues form, unique
 * (time, lane) keys, so every one is a new row) back to back for SECONDS.
 * A batch counts only when the answer is 201 and says it stored all of
 * them; anything else is counted as an error.  Prints one JSON line:
 * observations per second acknowledged, and the acknowledge latency
 * (request sent -> answer read) p50/p90/p99/max in ms.
 *
 * Build: cc -O2 -pthread -o serve_ingest bench/serve_ingest.c
 * (bench/serve_bench.sh does this).  Talks only to 127.0.0.1. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, seconds, conns, batch;
static const char *token;
static const char **roads;
static int n_roads;
static double t_end;
static long long base_ms = 1609459200000LL;   /* 2021-01-01T00:00:00Z */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct worker {
    int id;
    long ok_batches, errors;
    double *lat;
    size_t n_lat, cap_lat;
} worker;

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { 0 };
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void fmt_time(long long ms, char *buf)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    sprintf(buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* Read one response; returns status or -1.  body gets the body (cap). */
static int read_response(int fd, char *buf, size_t cap, char **body)
{
    size_t n = 0;
    char *hdr_end = NULL;
    while (!hdr_end) {
        ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0) return -1;
        n += (size_t)k;
        buf[n] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
    }
    int status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t len = cl ? (size_t)atol(cl + 15) : 0;
    size_t have = n - (size_t)(hdr_end + 4 - buf);
    while (have < len) {
        ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0) return -1;
        n += (size_t)k;
        have += (size_t)k;
    }
    buf[n] = '\0';
    *body = hdr_end + 4;
    return status;
}

static void *run(void *arg)
{
    worker *w = arg;
    size_t cap = (size_t)batch * 220 + 512;
    char *body = malloc(cap), *req = malloc(cap + 512), *resp = malloc(65536);
    int fd = dial();
    long seq = 0;
    while (fd >= 0 && now() < t_end) {
        size_t n = 0;
        body[n++] = '[';
        for (int k = 0; k < batch; k++, seq++) {
            /* unique per (worker, seq): worker w owns every conns-th ms */
            long long t = base_ms + (seq * conns + w->id);
            char ts[40], te[40];
            fmt_time(t, ts);
            fmt_time(t + 1000, te);
            n += (size_t)sprintf(body + n,
                                 "%s{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"%s\",\"laneId\":%ld,"
                                 "\"dateObservedFrom\":\"%s\",\"dateObservedTo\":\"%s\",\"intensity\":%ld,"
                                 "\"occupancy\":0.%02ld,\"averageVehicleSpeed\":%ld}",
                                 k ? "," : "", roads[seq % n_roads], seq % 3, ts, te, seq % 20, seq % 90, seq % 60);
        }
        body[n++] = ']';
        int h = sprintf(req, "POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", token, n);
        memcpy(req + h, body, n);
        double t0 = now();
        size_t sent = 0, total = (size_t)h + n;
        while (sent < total) {
            ssize_t k = send(fd, req + sent, total - sent, MSG_NOSIGNAL);
            if (k <= 0) break;
            sent += (size_t)k;
        }
        char *rb;
        int st = sent == total ? read_response(fd, resp, 65536, &rb) : -1;
        double dt = now() - t0;
        char want[64];
        sprintf(want, "\"stored\":%d,", batch);
        if (st == 201 && strstr(rb, want)) {
            w->ok_batches++;
            if (w->n_lat == w->cap_lat) {
                w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 1024;
                w->lat = realloc(w->lat, w->cap_lat * sizeof *w->lat);
            }
            w->lat[w->n_lat++] = dt;
        } else {
            w->errors++;
            if (st < 0) {
                close(fd);
                fd = dial();
            }
        }
    }
    if (fd >= 0) close(fd);
    free(body);
    free(req);
    free(resp);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: serve_ingest PORT TOKEN SECONDS CONNECTIONS BATCH ROAD...\n");
        return 2;
    }
    port = atoi(argv[1]);
    token = argv[2];
    seconds = atoi(argv[3]);
    conns = atoi(argv[4]);
    batch = atoi(argv[5]);
    roads = (const char **)argv + 6;
    n_roads = argc - 6;
    /* a fresh time range per run, so runs on one database do not collide */
    base_ms += (long long)time(NULL) % 100000 * 10000000LL;
    worker *w = calloc((size_t)conns, sizeof *w);
    pthread_t *t = calloc((size_t)conns, sizeof *t);
    double t0 = now();
    t_end = t0 + seconds;
    for (int i = 0; i < conns; i++) {
        w[i].id = i;
        pthread_create(&t[i], NULL, run, &w[i]);
    }
    for (int i = 0; i < conns; i++) pthread_join(t[i], NULL);
    double el = now() - t0;
    long ok = 0, err = 0;
    size_t nl = 0;
    for (int i = 0; i < conns; i++) {
        ok += w[i].ok_batches;
        err += w[i].errors;
        nl += w[i].n_lat;
    }
    double *all = malloc((nl + 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++)
        for (size_t j = 0; j < w[i].n_lat; j++) all[k++] = w[i].lat[j];
    qsort(all, nl, sizeof *all, cmp);
#define PCT(p) (nl ? all[(size_t)((p) * (nl - 1))] * 1000 : 0)
    printf("{\"seconds\":%.2f,\"connections\":%d,\"batch\":%d,\"batches\":%ld,\"errors\":%ld,"
           "\"observations\":%ld,\"obs_per_s\":%.0f,\"ack_ms_p50\":%.2f,\"ack_ms_p90\":%.2f,\"ack_ms_p99\":%.2f,"
           "\"ack_ms_max\":%.2f}\n",
           el, conns, batch, ok, err, ok * batch, ok * batch / el, PCT(0.5), PCT(0.9), PCT(0.99), PCT(1.0));
    return err ? 1 : 0;
}
