/* test_serve_auth.c -- who may call what.
 *
 * Walks every route the server lists (GET /api/v1/routes) and calls each
 * one that changes something (every method but GET) without a token, with
 * a forged token and with each role's token: without a valid token the
 * answer is 401, a viewer gets 403, a sensor gets 403 everywhere but the
 * batch ingest, and only operator/admin get through (admin alone for
 * tokens).  The refused calls change nothing stored.  Also: reads need a
 * token on a non-loopback listener, the body cap, the slow-client timeout,
 * and static files only from the fixed list. */
#include "test.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "test_serve_client.h"
#include "util/json.h"

static bool is_ingest(const char *path)
{
    return strcmp(path, "/api/v1/ingest") == 0 || strcmp(path, "/ngsi-ld/v1/entityOperations/create") == 0;
}

/* A concrete URL for a pattern: {x} filled with something plausible. */
static void concrete(const char *pattern, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 32 < cap;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            const char *fill = strncmp(p, "{intersection}", 14) == 0 ? "intersection_1_1" : "1";
            n += (size_t)snprintf(out + n, cap - n, "%s", fill);
            p = e ? e + 1 : p + strlen(p);
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

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

static const char *const body_for_all =
    "{\"intersection\":\"intersection_1_1\",\"phase\":1,\"duration\":30,\"controller\":\"fixedtime\","
    "\"road\":\"road_0_1_0\",\"role\":\"viewer\"}";

TEST(every_mutating_route_needs_operator_or_admin)
{
    test_server s;
    const char *db = fresh_db("serve_auth");
    ASSERT_EQ_INT(start_server(&s, db, NULL), 0);
    ASSERT(s.token[0] != '\0');
    char viewer[128], sensor[128], oper[128];
    make_token(&s, "viewer", viewer, sizeof viewer);
    make_token(&s, "sensor", sensor, sizeof sensor);
    make_token(&s, "operator", oper, sizeof oper);
    ASSERT(viewer[0] && sensor[0] && oper[0]);
    const char *forged = "cbt_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    test_resp r;
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/routes", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    cbu_jdoc doc;
    cb_error err = { 0 };
    char *copy = strdup(r.body);
    ASSERT_EQ_INT(cbu_json_parse(&doc, "routes", copy, strlen(copy), &err), CB_OK);
    resp_free(&r);
    const cbu_jv *routes = cbu_jobj_get(doc.root, "routes");
    ASSERT(routes && routes->type == CBU_JARR && routes->n >= 20);

    long long alerts0 = count(db, "SELECT count(*) FROM alerts");
    long long tokens0 = count(db, "SELECT count(*) FROM tokens");
    long long api_obs0 = count(db, "SELECT count(*) FROM obs WHERE source = 1");
    int mutating = 0;
    for (uint32_t i = 0; i < routes->n; i++) {
        const char *method = cbu_jobj_get(&routes->u.kids[i], "method")->u.s;
        const char *path = cbu_jobj_get(&routes->u.kids[i], "path")->u.s;
        if (strcmp(method, "GET") == 0) continue;
        mutating++;
        char url[256];
        concrete(path, url, sizeof url);
        struct { const char *tok; int want; } who[] = {
            { NULL, 401 }, { forged, 401 }, { viewer, 403 }, { sensor, is_ingest(path) ? 0 : 403 },
        };
        for (size_t k = 0; k < sizeof who / sizeof who[0]; k++) {
            ASSERT_EQ_INT(http(s.port, method, url, who[k].tok, body_for_all, &r), 0);
            if (who[k].want) {
                if (r.status != who[k].want) fprintf(stderr, "  %s %s as #%zu: %d %s\n", method, url, k, r.status, r.body);
                ASSERT_EQ_INT(r.status, who[k].want);
            } else {
                ASSERT(r.status != 401 && r.status != 403);
            }
            resp_free(&r);
        }
        /* the operator passes the role check (the token routes are admin's) */
        bool admin_only = strncmp(path, "/api/v1/tokens", 14) == 0;
        ASSERT_EQ_INT(http(s.port, method, url, oper, "{}", &r), 0);
        if (admin_only) ASSERT_EQ_INT(r.status, 403);
        else ASSERT(r.status != 401 && r.status != 403);
        resp_free(&r);
    }
    fprintf(stderr, "  %d mutating routes checked\n", mutating);
    ASSERT(mutating >= 9);
    cbu_json_free(&doc);

    /* Refused calls stored nothing (the sensor's and operator's accepted
     * calls above carried bodies the schema refuses, except none). */
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM alerts"), alerts0);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM tokens"), tokens0);
    ASSERT_EQ_INT(count(db, "SELECT count(*) FROM obs WHERE source = 1"), api_obs0);
    /* forbidden attempts by known tokens are in the audit log */
    ASSERT(count(db, "SELECT count(*) FROM audit WHERE result = 'forbidden'") > 0);

    /* A sensor may not read; a viewer may. */
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", sensor, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 403);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", viewer, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    /* The audit log and the token list are not for viewers. */
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/audit", viewer, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 403);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/tokens", oper, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 403);
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
}

TEST(non_loopback_reads_need_a_token)
{
    test_server s;
    const char *db = fresh_db("serve_public");
    static const char *const extra[] = { "--listen", "0.0.0.0:0", NULL };
    ASSERT_EQ_INT(start_server(&s, db, extra), 0);
    ASSERT_CONTAINS(s.out, "every route needs a token");
    test_resp r;
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 401);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/network", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 401);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/state", s.token, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/health", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);       /* liveness stays public */
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
}

TEST(limits_and_static_files)
{
    char dir[512], path[600], cfg[600];
    snprintf(dir, sizeof dir, "%s/serve_web_%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *f = fopen(path, "w");
    fputs("<!doctype html><title>citybrain</title>", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/secret.txt", dir);
    f = fopen(path, "w");
    fputs("not for the web", f);
    fclose(f);
    snprintf(cfg, sizeof cfg, "%s/serve_cfg_%d.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    f = fopen(cfg, "w");
    fprintf(f, "{\"web_dir\": \"%s\", \"max_body\": 2048, \"timeout\": 1}", dir);
    fclose(f);
    test_server s;
    const char *db = fresh_db("serve_limits");
    const char *extra[] = { "--config", cfg, NULL };
    ASSERT_EQ_INT(start_server(&s, db, extra), 0);
    test_resp r;
    ASSERT_EQ_INT(http(s.port, "GET", "/", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    ASSERT_CONTAINS(r.body, "<title>citybrain</title>");
    resp_free(&r);
    static const char *const bad[] = { "/secret.txt", "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                                       "/index.html/../secret.txt", "/../../../../etc/passwd", "//etc/passwd" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_EQ_INT(http(s.port, "GET", bad[i], NULL, NULL, &r), 0);
        ASSERT_EQ_INT(r.status, 404);
        ASSERT(strstr(r.body, "not for the web") == NULL && strstr(r.body, "root:") == NULL);
        resp_free(&r);
    }
    /* body over the cap: refused from the Content-Length alone */
    char *big = malloc(5000);
    memset(big, ' ', 4999);
    big[0] = '[';
    big[4998] = ']';
    big[4999] = '\0';
    ASSERT_EQ_INT(http(s.port, "POST", "/api/v1/ingest", s.token, big, &r), 0);
    ASSERT_EQ_INT(r.status, 413);
    resp_free(&r);
    free(big);
    /* a client that stops sending half-way through its headers is dropped */
    int fd = connect_port(s.port);
    ASSERT(fd >= 0);
    const char *part = "GET /api/v1/state HTTP/1.1\r\nHost: x\r\n";
    ASSERT(send(fd, part, strlen(part), MSG_NOSIGNAL) > 0);
    struct pollfd p = { fd, POLLIN, 0 };
    int ready = poll(&p, 1, 10000);
    char c;
    ASSERT(ready == 1);
    ASSERT(recv(fd, &c, 1, 0) <= 0);       /* closed without an answer */
    close(fd);
    /* the server is still fine */
    ASSERT_EQ_INT(http(s.port, "GET", "/api/v1/health", NULL, NULL, &r), 0);
    ASSERT_EQ_INT(r.status, 200);
    resp_free(&r);
    ASSERT_EQ_INT(stop_server(&s, SIGTERM), 0);
}

/* Settings out of range stop the server before it starts, naming the key:
 * 1e300 retention days became milliseconds in 64 bits (UB in store.c). */
TEST(settings_out_of_range_are_refused_at_start)
{
    static const struct { const char *json, *says; } bad[] = {
        { "{\"retention_days\": 1e300}", "retention_days and aggregate_days: more than 0, at most 36500" },
        { "{\"aggregate_days\": 1e20}", "retention_days and aggregate_days: more than 0, at most 36500" },
        { "{\"kpi_period\": 0}", "kpi_period: 1 .. 86400 s" },
        { "{\"loop_seconds\": -5}", "loop_seconds: 0 (no loop) .. 1e9 s" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *cfg = test_write_tmp("cb_serve_bad.json", bad[k].json);
        char cmd[1024], out[600];
        snprintf(out, sizeof out, "%s/cb_serve_bad.txt", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        snprintf(cmd, sizeof cmd, "timeout 20 " CB_BINARY " serve --listen 127.0.0.1:0 --db %s --config %s 2>%s",
                 fresh_db("serve_bad_settings"), cfg, out);
        int st = system(cmd);
        ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
        FILE *f = fopen(out, "r");
        ASSERT(f);
        char text[1024] = "";
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
        ASSERT_CONTAINS(text, bad[k].says);
    }
}

TEST_MAIN()
