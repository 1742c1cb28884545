/* store_int.h -- what the files of src/store share: the store object. */
#ifndef CB_STORE_INT_H
#define CB_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

#define CBS_READERS 4

typedef struct cbs_job cbs_job;
struct cbs_job {
    cbs_job *next;
    const cbi_batch *batch;
    cbi_batch *owned;         /* async: freed by the writer */
    cbs_source src;
    int64_t *alert_ids;
    cbs_ingest_result res;
    int status;
    cb_error err;
    bool done;
};

typedef struct cbs_token_rec {
    char id[16];
    char label[128];
    cbs_role role;
    unsigned char salt[16];
    unsigned char hash[32];
    bool revoked;
} cbs_token_rec;

struct cbs_store {
    cbs_options opt;
    char *path;
    sqlite3 *wdb;                 /* the write connection; under wlock */
    pthread_mutex_t wlock;
    sqlite3 *rdb[CBS_READERS];    /* read connections; each under rlock[i] */
    pthread_mutex_t rlock[CBS_READERS];
    unsigned rnext;

    /* group commit */
    pthread_t writer;
    bool writer_started;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;         /* writer waits for jobs */
    pthread_cond_t dcond;         /* submitters wait for done */
    cbs_job *head, *tail;
    bool stopping;
    int64_t inflight;             /* jobs taken but not done */
    sqlite3_stmt *ins_obs, *ins_air, *ins_alert;

    /* 15-minute buckets touched since the last cbs_maintain (under wlock) */
    int64_t *dirty;
    size_t n_dirty, cap_dirty;

    /* lanes: engine index -> key and back */
    int64_t *lane_key;
    size_t n_lanes;
    long *key_engine;
    size_t n_keys;

    /* tokens, mirrored in memory (under tlock) */
    pthread_mutex_t tlock;
    cbs_token_rec *tokens;
    size_t n_tokens, cap_tokens;
};

int cbs_schema_migrate(sqlite3 *db, const char *path, cb_error *err);
int cbs_sql_err(sqlite3 *db, const char *what, cb_error *err);
int cbs_exec(sqlite3 *db, const char *sql, cb_error *err);
int cbs_tokens_load(cbs_store *s, cb_error *err);

#endif
