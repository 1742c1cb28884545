/* test_store_basic.c -- the service's store: migrations, durable ingest
 * with duplicates stored once, retention with aggregates kept, the
 * append-only audit log, tokens kept only as salted hashes, and group
 * commit under concurrent writers. */
#include "test.h"

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/store.h"

static const char *db_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name, (int)getpid());
    char side[600];
    unlink(p);
    snprintf(side, sizeof side, "%s-wal", p);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", p);
    unlink(side);
    return p;
}

static cbs_store *open_store(const char *path)
{
    cbs_options o;
    cbs_options_init(&o);
    o.path = path;
    cbs_store *s = NULL;
    cb_error err = { 0 };
    if (cbs_open(&o, &s, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        return NULL;
    }
    static const char *const roads[] = { "r0", "r0", "r1" };
    static const int idx[] = { 0, 1, 0 };
    if (cbs_set_lanes(s, 3, roads, idx, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        cbs_close(s);
        return NULL;
    }
    return s;
}

static void add_obs(cbi_batch *b, uint32_t lane, int64_t t, double occ)
{
    cbi_traffic x = { lane, t, t + 60000, 5, occ, 10 };
    cbu_vec_push(&b->traffic, x);
}

static long long scalar(const char *path, const char *sql)
{
    sqlite3 *db;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

static int exec(const char *path, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) return -1;
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

TEST(fresh_database_is_current)
{
    const char *p = db_path("store_fresh");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    ASSERT_EQ_INT(cbs_schema_version(s), CBS_SCHEMA_VERSION);
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "PRAGMA user_version"), 2);
    sqlite3 *db;
    sqlite3_open(p, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    ASSERT(sqlite3_step(st) == SQLITE_ROW);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST(migration_from_version_1_keeps_data)
{
    const char *p = db_path("store_migrate");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    cbs_close(s);
    /* Make it a version-1 database holding one observation. */
    ASSERT_EQ_INT(exec(p, "DROP TABLE obs_agg; DROP TABLE kpis; PRAGMA user_version=1;"
                          "INSERT INTO obs VALUES(1000, 1, 61000, 3, 0.1, 5, 1);"), SQLITE_OK);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM sqlite_master WHERE name='obs_agg'"), 0);
    s = open_store(p);
    ASSERT(s != NULL);
    ASSERT_EQ_INT(cbs_schema_version(s), 2);
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM sqlite_master WHERE name='obs_agg'"), 1);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs"), 1);
    /* A database from a newer citybrain is refused, not modified. */
    ASSERT_EQ_INT(exec(p, "PRAGMA user_version=99"), SQLITE_OK);
    cbs_options o;
    cbs_options_init(&o);
    o.path = p;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_open(&o, &s, &err), CB_ESTATE);
    ASSERT_CONTAINS(err.msg, "newer");
    ASSERT_EQ_INT(scalar(p, "PRAGMA user_version"), 99);
}

TEST(ingest_stores_duplicates_once)
{
    const char *p = db_path("store_dup");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    cbi_batch b;
    cbi_batch_init(&b);
    add_obs(&b, 0, 1795773600000LL, 0.1);
    add_obs(&b, 1, 1795773600000LL, 0.2);
    add_obs(&b, 2, 1795773660000LL, 0.3);
    cbs_ingest_result r;
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_ingest(s, &b, CBS_SRC_API, &r, NULL, &err), CB_OK);
    ASSERT_EQ_INT(r.stored, 3);
    ASSERT_EQ_INT(r.duplicates, 0);
    ASSERT_EQ_INT(cbs_ingest(s, &b, CBS_SRC_API, &r, NULL, &err), CB_OK);
    ASSERT_EQ_INT(r.stored, 0);
    ASSERT_EQ_INT(r.duplicates, 3);
    cbi_batch_free(&b);
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs"), 3);
    /* lane 2 is road r1's lane 0, whatever key the store gave it */
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs JOIN lanes ON obs.lane = lanes.key WHERE road='r1' AND idx=0"), 1);
}

TEST(retention_keeps_aggregates)
{
    const char *p = db_path("store_retention");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    const int64_t day = 86400000LL;
    const int64_t now = 1795773600000LL;                 /* a bucket boundary (10:00) */
    const int64_t old = now - 40 * day;
    cbi_batch b;
    cbi_batch_init(&b);
    add_obs(&b, 0, old, 0.2);
    add_obs(&b, 0, old + 60000, 0.4);                   /* same 15-min bucket */
    add_obs(&b, 0, now - 60000, 0.5);                   /* recent */
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_ingest(s, &b, CBS_SRC_API, NULL, NULL, &err), CB_OK);
    cbi_batch_free(&b);
    int64_t deleted = 0;
    ASSERT_EQ_INT(cbs_maintain(s, now, &deleted, &err), CB_OK);
    ASSERT_EQ_INT(deleted, 2);                           /* the two 40-day-old rows */
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs"), 1);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs_agg"), 2);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT n FROM obs_agg WHERE bucket = %lld", (long long)old);
    ASSERT_EQ_INT(scalar(p, sql), 2);
    snprintf(sql, sizeof sql, "SELECT round(occupancy * 1000) FROM obs_agg WHERE bucket = %lld", (long long)old);
    ASSERT_EQ_INT(scalar(p, sql), 300);                 /* mean of 0.2 and 0.4 */
    snprintf(sql, sizeof sql, "SELECT intensity FROM obs_agg WHERE bucket = %lld", (long long)old);
    ASSERT_EQ_INT(scalar(p, sql), 10);                  /* 5 + 5 vehicles */
}

/* Rows stored by a run that never folded them (killed) are folded by the
 * next run's first maintenance. */
TEST(aggregates_catch_up_after_a_crash)
{
    const char *p = db_path("store_catchup");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    const int64_t t0 = 1795773600000LL;
    cbi_batch b;
    cbi_batch_init(&b);
    add_obs(&b, 1, t0, 0.5);
    add_obs(&b, 1, t0 + 20 * 60000, 0.1);              /* the next bucket */
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_ingest(s, &b, CBS_SRC_API, NULL, NULL, &err), CB_OK);
    cbi_batch_free(&b);
    cbs_close(s);                                        /* no cbs_maintain */
    ASSERT_EQ_INT(exec(p, "DELETE FROM obs_agg"), SQLITE_OK);
    s = open_store(p);
    ASSERT(s != NULL);
    ASSERT_EQ_INT(cbs_maintain(s, t0 + 3600000, NULL, &err), CB_OK);
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs_agg"), 2);
    ASSERT_EQ_INT(scalar(p, "SELECT sum(n) FROM obs_agg"), 2);
}

TEST(audit_is_append_only)
{
    const char *p = db_path("store_audit");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_audit(s, 1000, "tok_x (operator: a)", "override", "{\"phase\":2}", "ok", &err), CB_OK);
    cbs_close(s);
    ASSERT(exec(p, "UPDATE audit SET result='forged'") != SQLITE_OK);
    ASSERT(exec(p, "DELETE FROM audit") != SQLITE_OK);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM audit WHERE result='ok'"), 1);
}

TEST(tokens_are_hashed)
{
    const char *p = db_path("store_tokens");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    char tok[CBS_TOKEN_MAX], id[16];
    cb_error err = { 0 };
    ASSERT_EQ_INT(cbs_token_create(s, CBS_ROLE_OPERATOR, "desk", tok, id, &err), CB_OK);
    ASSERT_EQ_INT(strlen(tok), 4 + 8 + 1 + 43);
    char label[128];
    ASSERT_EQ_INT(cbs_token_verify(s, tok, NULL, label), CBS_ROLE_OPERATOR);
    ASSERT_STR_EQ(label, "desk");
    char forged[CBS_TOKEN_MAX];
    snprintf(forged, sizeof forged, "%s", tok);
    forged[20] = forged[20] == 'A' ? 'B' : 'A';
    ASSERT_EQ_INT(cbs_token_verify(s, forged, NULL, NULL), CBS_ROLE_NONE);
    ASSERT_EQ_INT(cbs_token_verify(s, "Bearer nonsense", NULL, NULL), CBS_ROLE_NONE);
    cbs_close(s);
    /* The secret is nowhere in the database file. */
    FILE *f = fopen(p, "rb");
    ASSERT(f != NULL);
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    const char *secret = tok + 13;
    bool found = false;
    for (size_t i = 0; i + 43 <= n && !found; i++) found = memcmp(data + i, secret, 43) == 0;
    ASSERT(!found);
    /* Reopened, the token still verifies (hash and salt persisted); revoked, it does not. */
    s = open_store(p);
    ASSERT(s != NULL);
    ASSERT_EQ_INT(cbs_token_verify(s, tok, NULL, NULL), CBS_ROLE_OPERATOR);
    ASSERT_EQ_INT(cbs_token_revoke(s, id, &err), CB_OK);
    ASSERT_EQ_INT(cbs_token_verify(s, tok, NULL, NULL), CBS_ROLE_NONE);
    ASSERT_EQ_INT(cbs_token_revoke(s, id, &err), CB_ENOTFOUND);
    cbs_close(s);
}

typedef struct writer_arg {
    cbs_store *s;
    int lane;
    int64_t stored;
} writer_arg;

static void *writer(void *p)
{
    writer_arg *a = p;
    for (int k = 0; k < 40; k++) {
        cbi_batch b;
        cbi_batch_init(&b);
        for (int j = 0; j < 25; j++) add_obs(&b, (uint32_t)a->lane, (int64_t)(k * 25 + j) * 1000, 0.1);
        cbs_ingest_result r;
        if (cbs_ingest(a->s, &b, CBS_SRC_API, &r, NULL, NULL) == CB_OK) a->stored += r.stored;
        cbi_batch_free(&b);
    }
    return NULL;
}

TEST(concurrent_writers_share_commits)
{
    const char *p = db_path("store_group");
    cbs_store *s = open_store(p);
    ASSERT(s != NULL);
    pthread_t t[3];
    writer_arg a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = (writer_arg){ s, i, 0 };
        pthread_create(&t[i], NULL, writer, &a[i]);
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) ASSERT_EQ_INT(a[i].stored, 1000);
    cbs_close(s);
    ASSERT_EQ_INT(scalar(p, "SELECT count(*) FROM obs"), 3000);
}

TEST_MAIN()
