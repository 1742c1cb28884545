/* store.h -- citybrain's durable memory: one SQLite file in WAL mode.
 *
 * What it keeps (docs/serve.md has the tables):
 *   observations   raw per-lane TrafficFlowObserved records, deleted after
 *                  the raw retention (30 days by default);
 *   aggregates     the same per lane and 15-minute bucket, kept longer
 *                  (730 days by default);
 *   air, alerts, KPIs, signal decisions;
 *   audit          an append-only log of every operator action (SQLite
 *                  triggers refuse UPDATE and DELETE on it);
 *   tokens         API tokens as salted BLAKE2b hashes only (libsodium).
 *
 * Durability: cbs_ingest() returns only after the transaction holding the
 * batch has committed with synchronous=FULL, so an acknowledged batch
 * survives a crash of the process or of the machine.  Concurrent callers
 * share commits (group commit): one writer thread takes every batch queued
 * while the previous commit was running and commits them together.
 * Observations are keyed by (time, lane): the same observation sent twice
 * is stored once, and the second copy is counted as a duplicate.
 *
 * Schema versions are numbered migrations applied in order at open
 * (store_schema.c); a database from a newer citybrain is refused.
 *
 * Threads: every function may be called from any thread.  Writes go through
 * one connection (serialised); reads use a small pool of read connections,
 * which WAL lets run next to the writer. */
#ifndef CB_STORE_H
#define CB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citybrain.h"
#include "../ingest/ingest.h"

#define CBS_SCHEMA_VERSION 2
#define CBS_BUCKET_MS (15 * 60 * 1000)   /* aggregate bucket: 15 minutes */

typedef struct cbs_store cbs_store;

typedef struct cbs_options {
    const char *path;         /* the database file (created if absent) */
    double retention_days;    /* raw observations (30) */
    double aggregate_days;    /* aggregates, KPIs, decisions (730) */
    bool sync_full;           /* fsync every commit (true): power-loss safe */
} cbs_options;

void cbs_options_init(cbs_options *o);

/* Open (create, migrate).  Caller owns *out; release with cbs_close, which
 * finishes pending writes first. */
int cbs_open(const cbs_options *o, cbs_store **out, cb_error *err);
void cbs_close(cbs_store *s);
int cbs_schema_version(cbs_store *s);

/*--- lanes ------------------------------------------------------------------------*/

/* Tell the store the served network's lanes, in engine order: lane i is
 * lane `index[i]` of road `road[i]`.  Lanes are interned by (road, index),
 * so a database outlives a re-ordered network file.  Call once after open. */
int cbs_set_lanes(cbs_store *s, size_t n, const char *const *road, const int *index, cb_error *err);

/*--- ingest -----------------------------------------------------------------------*/

typedef enum cbs_source { CBS_SRC_TWIN = 0, CBS_SRC_API = 1 } cbs_source;

typedef struct cbs_ingest_result {
    int64_t stored;           /* new records */
    int64_t duplicates;       /* records already present (not stored again) */
} cbs_ingest_result;

/* Store a batch durably; returns after the commit.  The batch stays the
 * caller's.  Alerts get their database id assigned (alert_ids, may be NULL:
 * b->alerts.n entries). */
int cbs_ingest(cbs_store *s, const cbi_batch *b, cbs_source src, cbs_ingest_result *res, int64_t *alert_ids,
               cb_error *err);
/* The same without waiting: the store takes ownership of *b (heap-allocated
 * with malloc, records inside) and frees it after the commit. */
int cbs_ingest_async(cbs_store *s, cbi_batch *b, cbs_source src, cb_error *err);
/* Wait until everything queued so far is committed. */
void cbs_flush(cbs_store *s);

/*--- maintenance ------------------------------------------------------------------*/

/* Fold new observations into aggregates, then delete raw observations older
 * than the retention and aggregates/KPIs/decisions older than theirs,
 * relative to `now_ms`.  Returns the rows deleted in *deleted (may be NULL). */
int cbs_maintain(cbs_store *s, int64_t now_ms, int64_t *deleted, cb_error *err);

/*--- signals, KPIs, alerts, audit ---------------------------------------------------*/

/* Signal decisions: the greens the field was told to show. */
typedef struct cbs_decision {
    int64_t t;                /* field ms */
    const char *inter;        /* intersection id (borrowed) */
    int phase;
    const char *source;       /* "fixedtime", "override", ... (borrowed) */
    double duration;          /* s the decision holds for, NaN: until changed */
} cbs_decision;


typedef struct cbs_kpi {
    int64_t t;                /* field time, ms */
    double sim_time;          /* s */
    int64_t created, finished, running, waiting;
    double att, published_att;
    double mean_speed;        /* m/s over running vehicles' lanes */
    double queue;             /* stopped vehicles */
} cbs_kpi;
/* What the field did since the last call, in one transaction (one sync):
 * n_d decisions and n_k KPI snapshots (either may be 0). */
int cbs_record(cbs_store *s, const cbs_decision *d, size_t n_d, const cbs_kpi *k, size_t n_k, cb_error *err);

/* Clear an alert (operator or field).  CB_ENOTFOUND if no active alert. */
int cbs_alert_clear(cbs_store *s, int64_t id, int64_t t_ms, cb_error *err);

/* Append to the audit log.  who: "tok_1a2b3c4d (admin: ops desk)". */
int cbs_audit(cbs_store *s, int64_t t_ms, const char *who, const char *action, const char *detail_json,
              const char *result, cb_error *err);

/*--- tokens -------------------------------------------------------------------------*/

typedef enum cbs_role { CBS_ROLE_NONE = 0, CBS_ROLE_VIEWER, CBS_ROLE_SENSOR, CBS_ROLE_OPERATOR, CBS_ROLE_ADMIN } cbs_role;
const char *cbs_role_name(cbs_role r);
cbs_role cbs_role_parse(const char *name);   /* CBS_ROLE_NONE if unknown */

#define CBS_TOKEN_MAX 96      /* "cbt_<8 hex>_<43 base64url>" + NUL fits */

/* Create a token; the secret exists only in `token_out` (shown once).
 * id_out gets "1a2b3c4d" (may be NULL, 16 bytes). */
int cbs_token_create(cbs_store *s, cbs_role role, const char *label, char *token_out, char *id_out,
                     cb_error *err);
/* Role of a presented token, or CBS_ROLE_NONE (unknown, revoked, forged).
 * id_out/label_out (may be NULL; 16 / 128 bytes) name who it is.  Served
 * from memory: tokens are loaded at open and kept in step. */
cbs_role cbs_token_verify(cbs_store *s, const char *token, char *id_out, char *label_out);
int cbs_token_revoke(cbs_store *s, const char *id, cb_error *err);
size_t cbs_token_count(cbs_store *s);    /* active tokens */

/*--- reads ----------------------------------------------------------------------------*/

/* A read connection for queries (store_query.c).  Borrow with
 * cbs_reader_get, return with cbs_reader_put. */
typedef struct sqlite3 sqlite3;
sqlite3 *cbs_reader_get(cbs_store *s);
void cbs_reader_put(cbs_store *s, sqlite3 *db);
/* Engine lane index of a store lane key, or -1 (lane of another network). */
long cbs_lane_engine(const cbs_store *s, int64_t key);
int64_t cbs_lane_key(const cbs_store *s, size_t engine_lane);

#endif
