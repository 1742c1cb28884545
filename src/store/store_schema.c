/* store_schema.c -- the database schema as numbered migrations.
 *
 * A database records its version in PRAGMA user_version.  Opening applies
 * every migration above it, each in its own transaction, so a citybrain
 * upgrade never needs a manual step and a crash half-way leaves the last
 * complete version.  Migrations are never edited once released: a change is
 * a new entry at the end.  A database whose version is above the newest we
 * know was written by a newer citybrain and is refused (CB_ESTATE), since
 * writing to it could break that version's invariants. */
#include "store_int.h"

#include <stdio.h>

#include "../util/err.h"

static const char *const migrations[] = {
    /* 1: observations, alerts, signal decisions, audit, tokens */
    "CREATE TABLE lanes(key INTEGER PRIMARY KEY, road TEXT NOT NULL, idx INTEGER NOT NULL, UNIQUE(road, idx));"
    /* Keyed by (time, lane): arrivals in time order append at the end of
     * the tree (fast inserts), retention deletes a prefix, and a repeated
     * observation collides instead of being stored twice. */
    "CREATE TABLE obs(t_from INTEGER NOT NULL, lane INTEGER NOT NULL, t_to INTEGER NOT NULL,"
    "  intensity REAL, occupancy REAL, speed REAL, source INTEGER NOT NULL,"
    "  PRIMARY KEY(t_from, lane)) WITHOUT ROWID;"
    "CREATE TABLE air(id INTEGER PRIMARY KEY, station TEXT NOT NULL, t INTEGER NOT NULL, lon REAL, lat REAL,"
    "  road INTEGER, pollutants TEXT NOT NULL, UNIQUE(station, t));"
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY, entity TEXT UNIQUE, category TEXT NOT NULL,"
    "  sub_category TEXT NOT NULL, severity TEXT NOT NULL, issued INTEGER NOT NULL, valid_from INTEGER NOT NULL,"
    "  valid_to INTEGER, road TEXT, lane INTEGER, lon REAL, lat REAL, description TEXT, source TEXT NOT NULL,"
    "  cleared INTEGER);"
    "CREATE INDEX alerts_active ON alerts(cleared, issued);"
    "CREATE TABLE decisions(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, inter TEXT NOT NULL,"
    "  phase INTEGER NOT NULL, source TEXT NOT NULL, duration REAL);"
    "CREATE INDEX decisions_t ON decisions(t);"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, who TEXT NOT NULL,"
    "  action TEXT NOT NULL, detail TEXT NOT NULL, result TEXT NOT NULL);"
    /* Append-only: the database itself refuses to rewrite history. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TABLE tokens(id TEXT PRIMARY KEY, role TEXT NOT NULL, label TEXT NOT NULL, salt BLOB NOT NULL,"
    "  hash BLOB NOT NULL, created INTEGER NOT NULL, revoked INTEGER);",

    /* 2: downsampled aggregates and KPI history */
    "CREATE TABLE obs_agg(bucket INTEGER NOT NULL, lane INTEGER NOT NULL, n INTEGER NOT NULL,"
    "  intensity REAL, occupancy REAL, speed REAL, PRIMARY KEY(bucket, lane)) WITHOUT ROWID;"
    "CREATE TABLE kpis(t INTEGER PRIMARY KEY, sim_time REAL NOT NULL, created INTEGER, finished INTEGER,"
    "  running INTEGER, waiting INTEGER, att REAL, published_att REAL, mean_speed REAL, queue REAL);",
};

enum { N_MIGRATIONS = sizeof migrations / sizeof migrations[0] };
_Static_assert(N_MIGRATIONS == CBS_SCHEMA_VERSION, "CBS_SCHEMA_VERSION must be the number of migrations");

int cbs_sql_err(sqlite3 *db, const char *what, cb_error *err)
{
    int code = sqlite3_errcode(db);
    int cb = code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN || code == SQLITE_READONLY
                 ? CB_EIO
             : code == SQLITE_NOMEM ? CB_ENOMEM
             : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? CB_EIO
                                                               : CB_ESTATE;
    return cbu_err(err, cb, "%s: %s (%s)", sqlite3_db_filename(db, "main"), what, sqlite3_errmsg(db));
}

int cbs_exec(sqlite3 *db, const char *sql, cb_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return CB_OK;
    int rc = cbs_sql_err(db, msg ? msg : "SQL failed", err);
    sqlite3_free(msg);
    return rc;
}

static int user_version(sqlite3 *db, int *out, cb_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return cbs_sql_err(db, "cannot read the schema version", err);
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return CB_OK;
}

int cbs_schema_migrate(sqlite3 *db, const char *path, cb_error *err)
{
    int v = 0, rc;
    if ((rc = user_version(db, &v, err))) return rc;
    if (v > N_MIGRATIONS)
        return cbu_err(err, CB_ESTATE, "%s: database schema version %d is newer than this citybrain's (%d)", path,
                       v, N_MIGRATIONS);
    for (; v < N_MIGRATIONS; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
        if ((rc = cbs_exec(db, "BEGIN IMMEDIATE", err))) return rc;
        if ((rc = cbs_exec(db, migrations[v], err)) || (rc = cbs_exec(db, bump, err))) {
            cbs_exec(db, "ROLLBACK", NULL);
            cbu_err_prefix(err, "migration %d: ", v + 1);
            return rc;
        }
        if ((rc = cbs_exec(db, "COMMIT", err))) return rc;
    }
    return CB_OK;
}
