/* test_serve_durability.c -- an acknowledged ingest survives SIGKILL.
 *
 * Twenty times: start the server on the same database, post batches of
 * observations as fast as it acknowledges them, and kill it with SIGKILL
 * at a random moment.  The batch that was in flight when the server died
 * is sent again after the restart, as a real sensor would retry it.  At
 * the end every observation whose batch was acknowledged (201) must be in
 * the database exactly once, and nothing else from this client.
 * The random moments come from a fixed seed, so a failure reproduces. */
#include "test.h"

#include <pthread.h>
#include <sqlite3.h>

#include "test_serve_client.h"

enum { BATCH = 100, MAX_BATCHES = 20000, ROUNDS = 20 };

/* Observation k: lane k % 3 of road_0_1_0, from base + k s (unique keys). */
static const long long base_s = 1577836800;           /* 2020-01-01T00:00:00Z */

static void make_batch(long first, char *out, size_t cap)
{
    size_t n = 0;
    out[n++] = '[';
    for (long k = first; k < first + BATCH; k++) {
        long long t = base_s + k;
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        n += (size_t)snprintf(out + n, cap - n,
                              "%s{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_0_1_0\",\"laneId\":%ld,"
                              "\"dateObserved\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"intensity\":%ld}",
                              k > first ? "," : "", k % 3, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                              tm.tm_min, tm.tm_sec, k % 50);
    }
    out[n++] = ']';
    out[n] = '\0';
}

typedef struct client {
    int port;
    const char *token;
    long next;                /* next batch to send */
    long inflight;            /* batch being sent, or -1 */
    unsigned char *acked;     /* per batch */
    volatile int stop;
} client;

static void *client_main(void *p)
{
    client *c = p;
    char *body = malloc(BATCH * 200);
    while (!c->stop && c->next < MAX_BATCHES) {
        long b = c->inflight >= 0 ? c->inflight : c->next++;
        c->inflight = b;
        make_batch(b * BATCH, body, BATCH * 200);
        test_resp r;
        if (http(c->port, "POST", "/api/v1/ingest", c->token, body, &r)) break;   /* server gone */
        if (r.status == 201) {
            c->acked[b] = 1;
            c->inflight = -1;
        }
        resp_free(&r);
        if (r.status != 201 && r.status != 0) break;
    }
    free(body);
    return NULL;
}

TEST(acknowledged_ingest_survives_sigkill)
{
    const char *db = fresh_db("serve_kill");
    client c;
    memset(&c, 0, sizeof c);
    c.inflight = -1;
    c.acked = calloc(MAX_BATCHES, 1);
    char token[128] = "";
    unsigned seed = 12345;
    int killed = 0;
    for (int round = 0; round < ROUNDS; round++) {
        test_server s;
        ASSERT_EQ_INT(start_server(&s, db, NULL), 0);
        if (round == 0) snprintf(token, sizeof token, "%s", s.token);
        ASSERT(token[0] != '\0');
        c.port = s.port;
        c.token = token;
        c.stop = 0;
        pthread_t t;
        pthread_create(&t, NULL, client_main, &c);
        seed = seed * 1103515245u + 12345u;
        int ms = 50 + (int)((seed >> 8) % 400);
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        ASSERT_EQ_INT(stop_server(&s, SIGKILL), 128 + SIGKILL);
        killed++;
        c.stop = 1;
        pthread_join(t, NULL);
    }
    long acked = 0;
    for (long b = 0; b < c.next; b++) acked += c.acked[b];
    fprintf(stderr, "  %d kills, %ld batches sent, %ld acknowledged (%ld observations)\n", killed, c.next, acked,
            acked * BATCH);
    ASSERT(acked >= ROUNDS);          /* every round got some batches through */

    /* Every acknowledged observation is there exactly once. */
    sqlite3 *h;
    ASSERT_EQ_INT(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_prepare_v2(h,
                                     "SELECT count(*) FROM obs JOIN lanes ON obs.lane = lanes.key "
                                     "WHERE road = 'road_0_1_0' AND idx = ? AND t_from = ? AND source = 1",
                                     -1, &st, NULL),
                  SQLITE_OK);
    long missing = 0, dup = 0;
    for (long b = 0; b < c.next; b++) {
        if (!c.acked[b]) continue;
        for (long k = b * BATCH; k < (b + 1) * BATCH; k++) {
            sqlite3_bind_int(st, 1, (int)(k % 3));
            sqlite3_bind_int64(st, 2, (base_s + k) * 1000);
            ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
            long n = (long)sqlite3_column_int64(st, 0);
            if (n == 0) missing++;
            if (n > 1) dup++;
            sqlite3_reset(st);
        }
    }
    sqlite3_finalize(st);
    /* and nothing beyond what was sent */
    ASSERT_EQ_INT(sqlite3_prepare_v2(h, "SELECT count(*), min(t_from), max(t_from) FROM obs WHERE source = 1", -1,
                                     &st, NULL),
                  SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    long long total = sqlite3_column_int64(st, 0);
    long long tmax = sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);
    sqlite3_close(h);
    ASSERT_EQ_INT(missing, 0);
    ASSERT_EQ_INT(dup, 0);
    ASSERT(total >= acked * BATCH);
    ASSERT(total <= (long long)c.next * BATCH);
    ASSERT(tmax < (base_s + (long long)c.next * BATCH) * 1000);
    free(c.acked);
}

TEST_MAIN()
