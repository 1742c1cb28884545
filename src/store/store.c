/* store.c -- opening the database, the group-commit writer, and the small
 * writes (decisions, KPIs, alerts, audit) and maintenance. */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"

void cbs_options_init(cbs_options *o)
{
    memset(o, 0, sizeof *o);
    o->path = "citybrain.db";
    o->retention_days = 30;
    o->aggregate_days = 730;
    o->sync_full = true;
}

static int open_conn(const char *path, bool write, bool sync_full, sqlite3 **out, cb_error *err)
{
    sqlite3 *db = NULL;
    int flags = (write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        int rc = cbu_err(err, CB_EIO, "%s: cannot open the database: %s", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    int rc = CB_OK;
    if (write) {
        /* WAL: readers never block the writer; FULL: the WAL is synced at
         * every commit, so an acknowledged write survives power loss. */
        rc = cbs_exec(db, "PRAGMA journal_mode=WAL", err);
        if (!rc) rc = cbs_exec(db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
        if (!rc) rc = cbs_exec(db, "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=4000", err);
    }
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return CB_OK;
}

static void *writer_main(void *arg);
static void mark_dirty(cbs_store *s, int64_t t_from);

/* Buckets with raw rows newer than the last aggregate were touched by a run
 * that stopped before folding them (a crash, a kill): fold them again. */
static void mark_unfolded(cbs_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->wdb,
                           "SELECT coalesce((SELECT max(bucket) FROM obs_agg), (SELECT min(t_from) FROM obs)), "
                           "(SELECT max(t_from) FROM obs)",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        sqlite3_column_type(st, 1) != SQLITE_NULL) {
        int64_t from = sqlite3_column_int64(st, 0), to = sqlite3_column_int64(st, 1);
        /* at most 10,000 buckets (104 days); older ones stay as they were */
        if (to - from > (int64_t)10000 * CBS_BUCKET_MS) from = to - (int64_t)10000 * CBS_BUCKET_MS;
        for (int64_t t = from; t <= to + CBS_BUCKET_MS - 1; t += CBS_BUCKET_MS) mark_dirty(s, t);
    }
    sqlite3_finalize(st);
}

int cbs_open(const cbs_options *o, cbs_store **out, cb_error *err)
{
    *out = NULL;
    cbs_store *s = calloc(1, sizeof *s);
    if (!s) return cbu_err_nomem(err);
    s->opt = *o;
    s->path = strdup(o->path);
    if (!s->path) {
        free(s);
        return cbu_err_nomem(err);
    }
    s->opt.path = s->path;
    pthread_mutex_init(&s->wlock, NULL);
    pthread_mutex_init(&s->qlock, NULL);
    pthread_mutex_init(&s->tlock, NULL);
    pthread_cond_init(&s->qcond, NULL);
    pthread_cond_init(&s->dcond, NULL);
    for (int i = 0; i < CBS_READERS; i++) pthread_mutex_init(&s->rlock[i], NULL);
    int rc = open_conn(s->path, true, o->sync_full, &s->wdb, err);
    if (!rc) rc = cbs_schema_migrate(s->wdb, s->path, err);
    for (int i = 0; i < CBS_READERS && !rc; i++) rc = open_conn(s->path, false, false, &s->rdb[i], err);
    if (!rc &&
        (sqlite3_prepare_v2(s->wdb,
                            "INSERT INTO obs(t_from, lane, t_to, intensity, occupancy, speed, source) "
                            "VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                            -1, &s->ins_obs, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(s->wdb,
                            "INSERT INTO air(station, t, lon, lat, road, pollutants) VALUES(?,?,?,?,?,?) "
                            "ON CONFLICT DO NOTHING",
                            -1, &s->ins_air, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(s->wdb,
                            "INSERT INTO alerts(entity, category, sub_category, severity, issued, valid_from, "
                            "valid_to, road, lane, lon, lat, description, source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) "
                            "ON CONFLICT(entity) DO UPDATE SET severity=excluded.severity, valid_to=excluded.valid_to",
                            -1, &s->ins_alert, NULL) != SQLITE_OK))
        rc = cbs_sql_err(s->wdb, "cannot prepare statements", err);
    if (!rc) rc = cbs_tokens_load(s, err);
    if (!rc) mark_unfolded(s);
    if (!rc) {
        if (pthread_create(&s->writer, NULL, writer_main, s) != 0) rc = cbu_err(err, CB_ENOMEM, "cannot start the writer thread");
        else s->writer_started = true;
    }
    if (rc) {
        cbs_close(s);
        return rc;
    }
    *out = s;
    return CB_OK;
}

void cbs_close(cbs_store *s)
{
    if (!s) return;
    if (s->writer_started) {
        pthread_mutex_lock(&s->qlock);
        s->stopping = true;
        pthread_cond_broadcast(&s->qcond);
        pthread_mutex_unlock(&s->qlock);
        pthread_join(s->writer, NULL);
    }
    sqlite3_finalize(s->ins_obs);
    sqlite3_finalize(s->ins_air);
    sqlite3_finalize(s->ins_alert);
    for (int i = 0; i < CBS_READERS; i++) sqlite3_close(s->rdb[i]);
    if (s->wdb) {
        /* A clean shutdown folds the WAL into the database file. */
        sqlite3_exec(s->wdb, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(s->wdb);
    }
    free(s->dirty);
    free(s->lane_key);
    free(s->key_engine);
    free(s->tokens);
    free(s->path);
    free(s);
}

int cbs_schema_version(cbs_store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->wlock);
    return v;
}

sqlite3 *cbs_reader_get(cbs_store *s)
{
    unsigned start = __atomic_fetch_add(&s->rnext, 1, __ATOMIC_RELAXED);
    for (unsigned k = 0; k < CBS_READERS; k++) {
        unsigned i = (start + k) % CBS_READERS;
        if (pthread_mutex_trylock(&s->rlock[i]) == 0) return s->rdb[i];
    }
    unsigned i = start % CBS_READERS;
    pthread_mutex_lock(&s->rlock[i]);
    return s->rdb[i];
}

void cbs_reader_put(cbs_store *s, sqlite3 *db)
{
    for (int i = 0; i < CBS_READERS; i++)
        if (s->rdb[i] == db) {
            pthread_mutex_unlock(&s->rlock[i]);
            return;
        }
}

/*--- lanes -------------------------------------------------------------------------*/

int cbs_set_lanes(cbs_store *s, size_t n, const char *const *road, const int *index, cb_error *err)
{
    int rc = CB_OK;
    int64_t *keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys) return cbu_err_nomem(err);
    sqlite3_stmt *ins = NULL, *sel = NULL;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "INSERT OR IGNORE INTO lanes(road, idx) VALUES(?,?)", -1, &ins, NULL) ||
        sqlite3_prepare_v2(s->wdb, "SELECT key FROM lanes WHERE road=? AND idx=?", -1, &sel, NULL))
        rc = cbs_sql_err(s->wdb, "cannot prepare the lane table", err);
    if (!rc) rc = cbs_exec(s->wdb, "BEGIN IMMEDIATE", err);
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_text(ins, 1, road[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 2, index[i]);
        if (sqlite3_step(ins) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot register a lane", err);
        sqlite3_reset(ins);
        sqlite3_bind_text(sel, 1, road[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(sel, 2, index[i]);
        if (!rc && sqlite3_step(sel) == SQLITE_ROW) keys[i] = sqlite3_column_int64(sel, 0);
        else if (!rc) rc = cbs_sql_err(s->wdb, "cannot read a lane key", err);
        sqlite3_reset(sel);
    }
    if (!rc) rc = cbs_exec(s->wdb, "COMMIT", err);
    else cbs_exec(s->wdb, "ROLLBACK", NULL);
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    if (!rc) {
        int64_t maxk = 0;
        for (size_t i = 0; i < n; i++)
            if (keys[i] > maxk) maxk = keys[i];
        long *ke = malloc(((size_t)maxk + 1) * sizeof *ke);
        if (!ke) rc = cbu_err_nomem(err);
        else {
            for (int64_t k = 0; k <= maxk; k++) ke[k] = -1;
            for (size_t i = 0; i < n; i++) ke[keys[i]] = (long)i;
            free(s->lane_key);
            free(s->key_engine);
            s->lane_key = keys;
            s->n_lanes = n;
            s->key_engine = ke;
            s->n_keys = (size_t)maxk + 1;
            keys = NULL;
        }
    }
    pthread_mutex_unlock(&s->wlock);
    free(keys);
    return rc;
}

long cbs_lane_engine(const cbs_store *s, int64_t key)
{
    return key >= 0 && (size_t)key < s->n_keys ? s->key_engine[key] : -1;
}

int64_t cbs_lane_key(const cbs_store *s, size_t engine_lane)
{
    return engine_lane < s->n_lanes ? s->lane_key[engine_lane] : -1;
}

/*--- the writer: group commit ---------------------------------------------------------*/

static void bind_opt(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v)) sqlite3_bind_null(st, i);
    else sqlite3_bind_double(st, i, v);
}

static void mark_dirty(cbs_store *s, int64_t t_from)
{
    int64_t b = t_from - ((t_from % CBS_BUCKET_MS) + CBS_BUCKET_MS) % CBS_BUCKET_MS;
    for (size_t i = s->n_dirty; i-- > 0 && i + 8 >= s->n_dirty;)
        if (s->dirty[i] == b) return;
    if (s->n_dirty == s->cap_dirty) {
        size_t c = s->cap_dirty ? s->cap_dirty * 2 : 64;
        int64_t *d = realloc(s->dirty, c * sizeof *d);
        if (!d) return;       /* the bucket is refolded by the next full pass */
        s->dirty = d;
        s->cap_dirty = c;
    }
    s->dirty[s->n_dirty++] = b;
}

/* Insert one job's records (inside the writer's transaction). */
static int write_job(cbs_store *s, cbs_job *j)
{
    const cbi_batch *b = j->batch;
    sqlite3 *db = s->wdb;
    for (size_t i = 0; i < b->traffic.n; i++) {
        const cbi_traffic *t = &b->traffic.a[i];
        int64_t key = cbs_lane_key(s, t->lane);
        if (key < 0) return cbu_err(&j->err, CB_ESTATE, "lane %u is not registered", t->lane);
        sqlite3_stmt *st = s->ins_obs;
        sqlite3_bind_int64(st, 1, t->t_from);
        sqlite3_bind_int64(st, 2, key);
        sqlite3_bind_int64(st, 3, t->t_to);
        bind_opt(st, 4, t->intensity);
        bind_opt(st, 5, t->occupancy);
        bind_opt(st, 6, t->speed);
        sqlite3_bind_int(st, 7, j->src);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) return cbs_sql_err(db, "cannot store an observation", &j->err);
        if (sqlite3_changes(db)) {
            j->res.stored++;
            mark_dirty(s, t->t_from);
        } else {
            j->res.duplicates++;
        }
    }
    for (size_t i = 0; i < b->air.n; i++) {
        const cbi_air *q = &b->air.a[i];
        char json[1024];
        size_t n = 0;
        json[n++] = '{';
        for (int k = 0; k < CBI_N_POLLUTANTS; k++) {
            if (isnan(q->value[k])) continue;
            n += (size_t)snprintf(json + n, sizeof json - n, "%s\"%s\":{\"value\":%.9g,\"unitCode\":\"%s\"}",
                                  n > 1 ? "," : "", cbi_pollutant_names[k], q->value[k], q->unit[k]);
        }
        snprintf(json + n, sizeof json - n, "}");
        sqlite3_stmt *st = s->ins_air;
        sqlite3_bind_text(st, 1, q->station, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, q->t);
        bind_opt(st, 3, q->lon);
        bind_opt(st, 4, q->lat);
        if (q->road >= 0) sqlite3_bind_int64(st, 5, q->road);
        else sqlite3_bind_null(st, 5);
        sqlite3_bind_text(st, 6, json, -1, SQLITE_TRANSIENT);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) return cbs_sql_err(db, "cannot store an air-quality observation", &j->err);
        if (sqlite3_changes(db)) j->res.stored++;
        else j->res.duplicates++;
    }
    for (size_t i = 0; i < b->alerts.n; i++) {
        const cbi_alert *a = &b->alerts.a[i];
        sqlite3_stmt *st = s->ins_alert;
        sqlite3_clear_bindings(st);
        if (a->id) sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->sub_category, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, a->severity, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, a->issued);
        sqlite3_bind_int64(st, 6, a->valid_from);
        if (a->valid_to) sqlite3_bind_int64(st, 7, a->valid_to);
        if (a->road >= 0) sqlite3_bind_int64(st, 8, a->road);
        if (a->lane >= 0) sqlite3_bind_int(st, 9, a->lane);
        bind_opt(st, 10, a->lon);
        bind_opt(st, 11, a->lat);
        if (a->description) sqlite3_bind_text(st, 12, a->description, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, j->src == CBS_SRC_TWIN ? "twin" : "api", -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE) return cbs_sql_err(db, "cannot store an alert", &j->err);
        int64_t id = sqlite3_last_insert_rowid(db);
        if (a->id) {
            /* An update of a known entity keeps its row id. */
            sqlite3_stmt *q;
            if (sqlite3_prepare_v2(db, "SELECT id FROM alerts WHERE entity=?", -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, a->id, -1, SQLITE_STATIC);
                if (sqlite3_step(q) == SQLITE_ROW) id = sqlite3_column_int64(q, 0);
                sqlite3_finalize(q);
            }
        }
        if (j->alert_ids) j->alert_ids[i] = id;
        j->res.stored++;
    }
    return CB_OK;
}

static void *writer_main(void *arg)
{
    cbs_store *s = arg;
    pthread_mutex_lock(&s->qlock);
    for (;;) {
        while (!s->head && !s->stopping) pthread_cond_wait(&s->qcond, &s->qlock);
        if (!s->head && s->stopping) break;
        cbs_job *jobs = s->head;
        s->head = s->tail = NULL;
        for (cbs_job *j = jobs; j; j = j->next) s->inflight++;
        pthread_mutex_unlock(&s->qlock);

        pthread_mutex_lock(&s->wlock);
        cb_error err = { 0 };
        int rc = cbs_exec(s->wdb, "BEGIN IMMEDIATE", &err);
        for (cbs_job *j = jobs; j && !rc; j = j->next) {
            /* A savepoint per job: one failing batch does not undo others. */
            if (sqlite3_exec(s->wdb, "SAVEPOINT job", NULL, NULL, NULL) != SQLITE_OK) {
                j->status = cbs_sql_err(s->wdb, "savepoint", &j->err);
                continue;
            }
            cbs_ingest_result before = j->res;
            j->status = write_job(s, j);
            if (j->status) {
                j->res = before;
                sqlite3_exec(s->wdb, "ROLLBACK TO job", NULL, NULL, NULL);
            }
            sqlite3_exec(s->wdb, "RELEASE job", NULL, NULL, NULL);
        }
        if (!rc && (rc = cbs_exec(s->wdb, "COMMIT", &err))) sqlite3_exec(s->wdb, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_unlock(&s->wlock);

        pthread_mutex_lock(&s->qlock);
        for (cbs_job *j = jobs, *next; j; j = next) {
            next = j->next;
            if (rc) {
                j->status = rc;
                j->err = err;
                j->res.stored = j->res.duplicates = 0;
            }
            s->inflight--;
            if (j->owned) {
                cbi_batch_free(j->owned);
                free(j->owned);
                free(j);
            } else {
                j->done = true;
            }
        }
        pthread_cond_broadcast(&s->dcond);
    }
    pthread_mutex_unlock(&s->qlock);
    return NULL;
}

static void enqueue(cbs_store *s, cbs_job *j)
{
    j->next = NULL;
    if (s->tail) s->tail->next = j;
    else s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->qcond);
}

int cbs_ingest(cbs_store *s, const cbi_batch *b, cbs_source src, cbs_ingest_result *res, int64_t *alert_ids,
               cb_error *err)
{
    cbs_job j;
    memset(&j, 0, sizeof j);
    j.batch = b;
    j.src = src;
    j.alert_ids = alert_ids;
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        return cbu_err(err, CB_ESTATE, "the store is closing");
    }
    enqueue(s, &j);
    while (!j.done) pthread_cond_wait(&s->dcond, &s->qlock);
    pthread_mutex_unlock(&s->qlock);
    if (res) *res = j.res;
    if (j.status && err) *err = j.err;
    return j.status;
}

int cbs_ingest_async(cbs_store *s, cbi_batch *b, cbs_source src, cb_error *err)
{
    cbs_job *j = calloc(1, sizeof *j);
    if (!j) return cbu_err_nomem(err);
    j->batch = b;
    j->owned = b;
    j->src = src;
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        free(j);
        return cbu_err(err, CB_ESTATE, "the store is closing");
    }
    enqueue(s, j);
    pthread_mutex_unlock(&s->qlock);
    return CB_OK;
}

void cbs_flush(cbs_store *s)
{
    pthread_mutex_lock(&s->qlock);
    while (s->head || s->inflight) pthread_cond_wait(&s->dcond, &s->qlock);
    pthread_mutex_unlock(&s->qlock);
}

/*--- maintenance ------------------------------------------------------------------------*/

static int fold_bucket(cbs_store *s, sqlite3_stmt *st, int64_t b, cb_error *err)
{
    sqlite3_bind_int64(st, 1, b);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int64(st, 3, b + CBS_BUCKET_MS);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? CB_OK : cbs_sql_err(s->wdb, "cannot fold observations into aggregates", err);
}

int cbs_maintain(cbs_store *s, int64_t now_ms, int64_t *deleted, cb_error *err)
{
    int64_t del = 0;
    sqlite3_stmt *fold = NULL;
    pthread_mutex_lock(&s->wlock);
    /* Aggregates are recomputed from the raw rows of every bucket touched
     * since the last pass, so a late or repeated observation is counted
     * exactly once. */
    int rc = sqlite3_prepare_v2(s->wdb,
                                "INSERT OR REPLACE INTO obs_agg(bucket, lane, n, intensity, occupancy, speed) "
                                "SELECT ?, lane, count(*), sum(intensity), avg(occupancy), avg(speed) FROM obs "
                                "WHERE t_from >= ? AND t_from < ? GROUP BY lane",
                                -1, &fold, NULL) == SQLITE_OK
                 ? CB_OK
                 : cbs_sql_err(s->wdb, "cannot prepare aggregation", err);
    if (!rc) rc = cbs_exec(s->wdb, "BEGIN IMMEDIATE", err);
    for (size_t i = 0; i < s->n_dirty && !rc; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) seen = s->dirty[k] == s->dirty[i];
        if (!seen) rc = fold_bucket(s, fold, s->dirty[i], err);
    }
    if (!rc) s->n_dirty = 0;
    int64_t raw_cut = now_ms - (int64_t)(s->opt.retention_days * 86400000.0);
    int64_t agg_cut = now_ms - (int64_t)(s->opt.aggregate_days * 86400000.0);
    const char *sql[] = { "DELETE FROM obs WHERE t_from < ?1", "DELETE FROM air WHERE t < ?1",
                          "DELETE FROM obs_agg WHERE bucket < ?2", "DELETE FROM kpis WHERE t < ?2",
                          "DELETE FROM decisions WHERE t < ?2", NULL };
    for (int i = 0; sql[i] && !rc; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->wdb, sql[i], -1, &st, NULL) != SQLITE_OK) {
            rc = cbs_sql_err(s->wdb, "cannot prepare retention", err);
            break;
        }
        sqlite3_bind_int64(st, 1, raw_cut);
        sqlite3_bind_int64(st, 2, agg_cut);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot apply retention", err);
        else del += sqlite3_changes(s->wdb);
        sqlite3_finalize(st);
    }
    if (!rc) rc = cbs_exec(s->wdb, "COMMIT", err);
    else cbs_exec(s->wdb, "ROLLBACK", NULL);
    pthread_mutex_unlock(&s->wlock);
    sqlite3_finalize(fold);
    if (deleted) *deleted = del;
    return rc;
}

/*--- small writes --------------------------------------------------------------------------*/

/* Run one prepared statement on the write connection; binds via callback. */
#define WRITE_ONE(sql_text, what, binds)                                                \
    do {                                                                               \
        sqlite3_stmt *st;                                                              \
        int rc_ = CB_OK;                                                               \
        pthread_mutex_lock(&s->wlock);                                                 \
        if (sqlite3_prepare_v2(s->wdb, sql_text, -1, &st, NULL) != SQLITE_OK) {        \
            rc_ = cbs_sql_err(s->wdb, what, err);                                      \
        } else {                                                                       \
            binds;                                                                     \
            if (sqlite3_step(st) != SQLITE_DONE) rc_ = cbs_sql_err(s->wdb, what, err); \
            sqlite3_finalize(st);                                                      \
        }                                                                              \
        pthread_mutex_unlock(&s->wlock);                                               \
        return rc_;                                                                    \
    } while (0)

int cbs_record(cbs_store *s, const cbs_decision *d, size_t n_d, const cbs_kpi *k, size_t n_k, cb_error *err)
{
    if (n_d == 0 && n_k == 0) return CB_OK;
    sqlite3_stmt *sd = NULL, *sk = NULL;
    int rc = CB_OK;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "INSERT INTO decisions(t, inter, phase, source, duration) VALUES(?,?,?,?,?)", -1,
                           &sd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->wdb,
                           "INSERT OR REPLACE INTO kpis(t, sim_time, created, finished, running, waiting, att, "
                           "published_att, mean_speed, queue) VALUES(?,?,?,?,?,?,?,?,?,?)",
                           -1, &sk, NULL) != SQLITE_OK)
        rc = cbs_sql_err(s->wdb, "cannot prepare the field record", err);
    if (!rc) rc = cbs_exec(s->wdb, "BEGIN IMMEDIATE", err);
    for (size_t i = 0; i < n_d && !rc; i++) {
        sqlite3_bind_int64(sd, 1, d[i].t);
        sqlite3_bind_text(sd, 2, d[i].inter, -1, SQLITE_STATIC);
        sqlite3_bind_int(sd, 3, d[i].phase);
        sqlite3_bind_text(sd, 4, d[i].source, -1, SQLITE_STATIC);
        bind_opt(sd, 5, d[i].duration);
        if (sqlite3_step(sd) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot store a signal decision", err);
        sqlite3_reset(sd);
    }
    for (size_t i = 0; i < n_k && !rc; i++) {
        sqlite3_bind_int64(sk, 1, k[i].t);
        sqlite3_bind_double(sk, 2, k[i].sim_time);
        sqlite3_bind_int64(sk, 3, k[i].created);
        sqlite3_bind_int64(sk, 4, k[i].finished);
        sqlite3_bind_int64(sk, 5, k[i].running);
        sqlite3_bind_int64(sk, 6, k[i].waiting);
        bind_opt(sk, 7, k[i].att);
        bind_opt(sk, 8, k[i].published_att);
        bind_opt(sk, 9, k[i].mean_speed);
        bind_opt(sk, 10, k[i].queue);
        if (sqlite3_step(sk) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot store KPIs", err);
        sqlite3_reset(sk);
    }
    if (!rc) rc = cbs_exec(s->wdb, "COMMIT", err);
    else cbs_exec(s->wdb, "ROLLBACK", NULL);
    sqlite3_finalize(sd);
    sqlite3_finalize(sk);
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

int cbs_alert_clear(cbs_store *s, int64_t id, int64_t t_ms, cb_error *err)
{
    sqlite3_stmt *st;
    int rc = CB_OK;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "UPDATE alerts SET cleared=? WHERE id=? AND cleared IS NULL", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = cbs_sql_err(s->wdb, "cannot clear an alert", err);
    } else {
        sqlite3_bind_int64(st, 1, t_ms);
        sqlite3_bind_int64(st, 2, id);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot clear an alert", err);
        else if (sqlite3_changes(s->wdb) == 0) rc = cbu_err(err, CB_ENOTFOUND, "no active alert %lld", (long long)id);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

int cbs_audit(cbs_store *s, int64_t t_ms, const char *who, const char *action, const char *detail_json,
              const char *result, cb_error *err)
{
    WRITE_ONE("INSERT INTO audit(t, who, action, detail, result) VALUES(?,?,?,?,?)", "cannot write the audit log", {
        sqlite3_bind_int64(st, 1, t_ms);
        sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, detail_json ? detail_json : "{}", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, result, -1, SQLITE_STATIC);
    });
}
