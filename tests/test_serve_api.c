/* test_serve_api.c -- the API end to end on a running server: ingest and
 * history, personal data refused over HTTP, operator actions reaching the
 * field and the audit log, the SSE stream, a storm of bad requests that
 * changes nothing, and a clean shutdown that keeps everything. */
#include "test.h"

#include <sqlite3.h>
#include <stdbool.h>

#include "test_serve_client.h"

static long long count(const char *db, const char *sql)
{
    sqlite3 *h;
    long long v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(h);
    return v;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t k = fread(b, 1, (size_t)n, f);
    b[k] = '\0';
    fclose(f);
    return b;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

TEST(ingest_history_and_privacy)
{
    test_server s;
    const char *db = fresh_db("serve_api");
    ASSERT_EQ_INT(start_server(&s, db, NULL), 0);
    test_resp r;
    const char *batch =
        "[{\"id\":\"urn:ngsi-ld:TrafficFlowObserved:t1\",\"type\":\"TrafficFlowObserved\","
        "\"refRoadSegment\":{\"type\":\"Relationship\",\"object\":\"urn:ngsi-ld:RoadSegment:road_0_1_0\"},"
        "\"laneId\":{\"type\":\"Property\",\"value\":2},\"dateObservedFrom\":\"2021-03-01T08:00:00Z\","
        "\"dateObservedTo\":\"2021-03-01T08:01:00Z\",\"intensity\":{\"type\":\"Property\",\"value\":14},"
        "\"averageVehicleSpeed\":{\"type\":\"Property\",\"value\":43.2,\"unitCode\":\"KMH\"}},"
        "{\"type\":\"AirQualityObserved\",\"id\":\"urn:ngsi-ld:AirQualityObserved:s1:1\","
        "\"dateObserved\":\"2021-03-01T08:00:00Z\",\"refRoadSegment\":\"road_0_1_0\","
        "\"pm25\":{\"type\":\"Property\",\"value\":35,\"unitCode\":\"GQ\"}}]";
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token, batch, &r), 0);
    ASSERT_EQ_INT(r.status, 201);
    ASSERT_CONTAINS(r.body, "\"stored\":2");
    resp_free(&r);
    /* the same again: stored once */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token, batch, &r), 0);
    ASSERT_CONTAINS(r.body, "\"duplicates\":2");
    resp_free(&r);
    /* history by lane, normalized: 43.2 km/h stored as 12 m/s, back as 43.2 */
    ASSERT_EQ_INT(http(s.port, "GET",
                       "/api/v1/observations?lane=road_0_1_0_2&from=2021-03-01T07:00:00Z&to=2021-03-01T09:00:00Z",
                       NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"count\":1");
    ASSERT_CONTAINS(r.body, "\"averageVehicleSpeed\":{\"type\":\"Property\",\"value\":43.2,\"unitCode\":\"KMH\"}");
    ASSERT_CONTAINS(r.body, "\"laneId\":{\"type\":\"Property\",\"value\":2}");
    resp_free(&r);
    /* by another lane of the same road: nothing */
    ASSERT_EQ_INT(http(s.port, "GET",
                       "/api/v1/observations?lane=road_0_1_0_1&from=2021-03-01T07:00:00Z&to=2021-03-01T09:00:00Z",
                       NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"count\":0");
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/air?from=2021-03-01T07:00:00Z&to=2021-03-01T09:00:00Z", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"pm25\":{\"value\":35,\"unitCode\":\"GQ\"}");
    resp_free(&r);

    /* Personal data over HTTP: 422 with the message (a sample of the corpus). */
    static const char *const sample[] = { "01-licensePlate.json", "26-imsi.json", "28-macAddress.json",
                                          "38-trajectory.json", "10-faceImage.json" };
    for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/privacy/%s", CB_SOURCE_DIR, sample[i]);
        char *body = slurp(path);
        ASSERT(body != NULL);
        ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token, body, &r), 0);
        ASSERT_EQ_INT(r.status, 422);
        ASSERT_CONTAINS(r.body, "CB_EPRIVACY");
        ASSERT_CONTAINS(r.body, "citybrain does not accept personal data");
        resp_free(&r);
        free(body);
    }
    /* unknown field: 422 naming it */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token,
                       "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_0_1_0\",\"laneId\":0,"
                       "\"dateObserved\":\"2021-03-01T08:00:00Z\",\"intensity\":1,\"colour\":\"red\"}", &r), 0);
    ASSERT_EQ_INT(r.status, 422);
    ASSERT_CONTAINS(r.body, "\"field\":\"colour\"");
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM obs WHERE source = 1"), 1);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM air"), 1);
}

TEST(operator_actions_reach_the_field)
{
    test_server s;
    const char *db = fresh_db("serve_actions");
    static const char *const extra[] = { "--speed", "20", NULL };
    ASSERT_EQ_INT(start_server(&s, db, extra), 0);
    test_resp r;
    /* hold phase 3 at intersection_1_1 */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/override", s.token,
                       "{\"intersection\":\"intersection_1_1\",\"phase\":3,\"duration\":600}", &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    /* not a green: refused, naming the greens */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/override", s.token,
                       "{\"intersection\":\"intersection_1_1\",\"phase\":0,\"duration\":60}", &r), 0);
    ASSERT_EQ_INT(r.status, 400);
    ASSERT_CONTAINS(r.body, "greens: 1, 2, 3, 4");
    resp_free(&r);
    /* the safety layer shows it after its yellow (5 s of field time) */
    bool shown = false;
    for (int i = 0; i < 50 && !shown; i++) {
        sleep_ms(100);
        ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", NULL, NULL, &r), 0);
        char *p = strstr(r.body, "\"intersection\":\"intersection_1_1\"");
        char *end = p ? strchr(p, '}') : NULL;
        if (end) *end = '\0';
        shown = p && strstr(p, "\"green\":3,\"state\":\"green\",\"plan\":\"override\"");
        resp_free(&r);
    }
    ASSERT(shown);
    /* the decision is stored, with its source */
    sleep_ms(400);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/decisions?intersection=intersection_1_1", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"phase\":3,\"source\":\"override\"");
    resp_free(&r);
    /* plan change, incident, alert clear */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/plan", s.token, "{\"controller\":\"maxpressure\"}", &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/plan", s.token, "{\"controller\":\"nonsense\"}", &r), 0);
    ASSERT(r.status >= 400 && r.status < 500);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/incident", s.token,
                       "{\"road\":\"road_1_1_0\",\"lane\":1,\"subCategory\":\"roadClosed\",\"description\":\"crash barrier down\"}",
                       &r), 0);
    ASSERT_EQ_INT(r.status, 201);
    ASSERT_CONTAINS(r.body, "\"alert\":1");
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/alerts?active=true", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"subCategory\":\"roadClosed\"");
    ASSERT_CONTAINS(r.body, "\"refRoadSegment\":\"urn:ngsi-ld:RoadSegment:road_1_1_0\"");
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/alerts/1/clear", s.token, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/alerts?active=true", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"count\":0");
    resp_free(&r);
    /* a personal description is refused even from an operator */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/actions/incident", s.token,
                       "{\"road\":\"road_1_1_0\",\"description\":\"driver phone +86 138 0013 8000\"}", &r), 0);
    ASSERT_EQ_INT(r.status, 422);
    ASSERT_CONTAINS(r.body, "citybrain does not accept personal data");
    resp_free(&r);
    /* audit: who, what, when */
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/audit", s.token, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"action\":\"override\"");
    ASSERT_CONTAINS(r.body, "\"action\":\"plan\"");
    ASSERT_CONTAINS(r.body, "\"action\":\"incident\"");
    ASSERT_CONTAINS(r.body, "\"action\":\"alert clear\"");
    ASSERT_CONTAINS(r.body, "(admin: first admin)");
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM audit WHERE action='override' AND result='ok'"), 1);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM audit WHERE action='override' AND result='refused'"), 1);
}

TEST(stream_and_bad_request_storm)
{
    test_server s;
    const char *db = fresh_db("serve_storm");
    ASSERT_EQ_INT(start_server(&s, db, NULL), 0);
    /* SSE: the current state at once, then more */
    int fd = connect_port(s.port);
    ASSERT(fd >= 0);
    const char *req = "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT(send(fd, req, strlen(req), MSG_NOSIGNAL) > 0);
    char buf[65536];
    size_t n = 0;
    int states = 0;
    for (int i = 0; i < 100 && states < 2; i++) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
        buf[n] = '\0';
        states = 0;
        for (const char *q = buf; (q = strstr(q, "event: state\n")); q++) states++;
        if (n > sizeof buf - 4096) n = 0;
    }
    close(fd);
    ASSERT_CONTAINS(buf, "text/event-stream");
    ASSERT(states >= 2);

    long long before[4] = { count(db, "SELECT count(*) FROM obs WHERE source = 1"), count(db, "SELECT count(*) FROM alerts"),
                            count(db, "SELECT count(*) FROM tokens"), count(db, "SELECT count(*) FROM air") };
    static const char *const bodies[] = {
        "{", "[]", "null", "{\"type\":\"TrafficFlowObserved\"}", "[1,2,3]", "\"\\ud800\"",
        "{\"type\":\"Alert\",\"category\":\"security\"}", "{\"type\":\"TrafficFlowObserved\",\"plate\":\"x\"}",
    };
    int fourxx = 0, total = 0;
    for (int i = 0; i < 400; i++) {
        test_resp r;
        int kind = i % 6;
        int rc;
        if (kind == 0) rc = http(s.port, "POST", "/api/v1/ingest", s.token, bodies[i % 8], &r);
        else if (kind == 1) rc = http(s.port, "POST", "/api/v1/ingest", NULL, bodies[i % 8], &r);
        else if (kind == 2) rc = http(s.port, "POST", "/api/v1/tokens", "cbt_deadbeef_xxx", "{\"role\":\"admin\"}", &r);
        else if (kind == 3) rc = http(s.port, "GET", "/api/v1/observations?from=yesterday", NULL, NULL, &r);
        else if (kind == 4) rc = http(s.port, "DELETE", "/api/v1/state", s.token, NULL, &r);
        else {
            static const char junk[] = "BLAH / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            rc = http_raw(s.port, junk, sizeof junk - 1, &r);
        }
        total++;
        if (rc == 0 && r.status >= 400 && r.status < 500) fourxx++;
        else fprintf(stderr, "  request %d (kind %d): rc %d status %d\n", i, kind, rc, r.status);
        if (rc == 0) resp_free(&r);
    }
    ASSERT_EQ_INT(fourxx, total);
    test_resp r;
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/health", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    long long after[4] = { count(db, "SELECT count(*) FROM obs WHERE source = 1"), count(db, "SELECT count(*) FROM alerts"),
                           count(db, "SELECT count(*) FROM tokens"), count(db, "SELECT count(*) FROM air") };
    for (int i = 0; i < 4; i++) ASSERT_EQ_INT(after[i], before[i]);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
}

/* External field: the twin does not step; the API's observations are the
 * live picture and decisions are still made and published. */
TEST(external_field)
{
    test_server s;
    const char *db = fresh_db("serve_external");
    static const char *const extra[] = { "--external-field", NULL };
    ASSERT_EQ_INT(start_server(&s, db, extra), 0);
    test_resp r;
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"field\":\"external\"");
    ASSERT_CONTAINS(r.body, "\"created\":0");
    resp_free(&r);
    /* road_0_1_0 holds lanes 0..2: its lane 1 is lane 1 of /state's arrays */
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token,
                       "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_0_1_0\",\"laneId\":1,"
                       "\"dateObserved\":\"2030-01-01T00:00:00Z\",\"occupancy\":0.5,\"averageVehicleSpeed\":18}", &r), 0);
    ASSERT_EQ_INT(r.status, 201);
    resp_free(&r);
    bool seen = false;
    for (int i = 0; i < 30 && !seen; i++) {
        sleep_ms(100);
        ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", NULL, NULL, &r), 0);
        seen = strstr(r.body, "\"occupancy\":[0.000,0.500,") != NULL && strstr(r.body, "\"speed\":[0.00,5.00,") != NULL;
        resp_free(&r);
    }
    ASSERT(seen);
    /* decisions are made on the wall clock and stored */
    sleep_ms(1500);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/decisions?intersection=intersection_1_1", NULL, NULL, &r), 0);
    ASSERT_CONTAINS(r.body, "\"source\":\"fixedtime\"");
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
}

TEST_MAIN()
