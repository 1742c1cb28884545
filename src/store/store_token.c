/* store_token.c -- API tokens: created with a random secret, kept only as a
 * salted hash.
 *
 * A token reads "cbt_<id>_<secret>": id is 8 random hex digits that name
 * the token in the audit log and in revocation; secret is 32 random bytes
 * in base64url.  The database holds the id, the role, a label, a 16-byte
 * random salt and BLAKE2b-256(key = salt, secret).  A fast keyed hash is
 * the right tool here, unlike for passwords: the secret has 256 bits of
 * entropy, so there is nothing to brute-force, and every API request
 * verifies one.  The table is mirrored in memory so that verifying costs
 * one hash and no database access. */
#include "store_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/err.h"

static const char *const role_names[] = { "none", "viewer", "sensor", "operator", "admin" };

const char *cbs_role_name(cbs_role r)
{
    return r >= CBS_ROLE_NONE && r <= CBS_ROLE_ADMIN ? role_names[r] : "none";
}

cbs_role cbs_role_parse(const char *name)
{
    for (int r = CBS_ROLE_VIEWER; r <= CBS_ROLE_ADMIN; r++)
        if (name && strcmp(name, role_names[r]) == 0) return (cbs_role)r;
    return CBS_ROLE_NONE;
}

static int push_rec(cbs_store *s, const cbs_token_rec *r)
{
    if (s->n_tokens == s->cap_tokens) {
        size_t c = s->cap_tokens ? s->cap_tokens * 2 : 16;
        cbs_token_rec *t = realloc(s->tokens, c * sizeof *t);
        if (!t) return -1;
        s->tokens = t;
        s->cap_tokens = c;
    }
    s->tokens[s->n_tokens++] = *r;
    return 0;
}

int cbs_tokens_load(cbs_store *s, cb_error *err)
{
    if (sodium_init() < 0) return cbu_err(err, CB_ESTATE, "libsodium cannot initialise");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->wdb, "SELECT id, role, label, salt, hash FROM tokens WHERE revoked IS NULL", -1, &st,
                           NULL) != SQLITE_OK)
        return cbs_sql_err(s->wdb, "cannot read tokens", err);
    int rc = CB_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cbs_token_rec r;
        memset(&r, 0, sizeof r);
        snprintf(r.id, sizeof r.id, "%s", (const char *)sqlite3_column_text(st, 0));
        r.role = cbs_role_parse((const char *)sqlite3_column_text(st, 1));
        snprintf(r.label, sizeof r.label, "%s", (const char *)sqlite3_column_text(st, 2));
        if (sqlite3_column_bytes(st, 3) != sizeof r.salt || sqlite3_column_bytes(st, 4) != sizeof r.hash) continue;
        memcpy(r.salt, sqlite3_column_blob(st, 3), sizeof r.salt);
        memcpy(r.hash, sqlite3_column_blob(st, 4), sizeof r.hash);
        if (push_rec(s, &r)) {
            rc = cbu_err_nomem(err);
            break;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static void hash_secret(const unsigned char salt[16], const char *secret, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)secret, strlen(secret), salt, 16);
}

int cbs_token_create(cbs_store *s, cbs_role role, const char *label, char *token_out, char *id_out, cb_error *err)
{
    if (role <= CBS_ROLE_NONE || role > CBS_ROLE_ADMIN) return cbu_err(err, CB_EINVAL, "unknown role");
    cbs_token_rec r;
    memset(&r, 0, sizeof r);
    unsigned char idb[4], secret[32];
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(secret, sizeof secret);
    randombytes_buf(r.salt, sizeof r.salt);
    sodium_bin2hex(r.id, sizeof r.id, idb, sizeof idb);
    char sec64[64];
    sodium_bin2base64(sec64, sizeof sec64, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof secret);
    hash_secret(r.salt, sec64, r.hash);
    r.role = role;
    snprintf(r.label, sizeof r.label, "%s", label ? label : "");

    sqlite3_stmt *st;
    int rc = CB_OK;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "INSERT INTO tokens(id, role, label, salt, hash, created) VALUES(?,?,?,?,?,?)", -1,
                           &st, NULL) != SQLITE_OK) {
        rc = cbs_sql_err(s->wdb, "cannot store a token", err);
    } else {
        sqlite3_bind_text(st, 1, r.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, cbs_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r.label, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, r.salt, sizeof r.salt, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, r.hash, sizeof r.hash, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, (int64_t)time(NULL) * 1000);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot store a token", err);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->wlock);
    if (rc) return rc;
    pthread_mutex_lock(&s->tlock);
    int full = push_rec(s, &r);
    pthread_mutex_unlock(&s->tlock);
    if (full) return cbu_err_nomem(err);
    snprintf(token_out, CBS_TOKEN_MAX, "cbt_%s_%s", r.id, sec64);
    sodium_memzero(sec64, sizeof sec64);
    if (id_out) snprintf(id_out, 16, "%s", r.id);
    return CB_OK;
}

cbs_role cbs_token_verify(cbs_store *s, const char *token, char *id_out, char *label_out)
{
    /* cbt_ + 8 hex + _ + 43 base64url */
    if (!token || strncmp(token, "cbt_", 4) != 0 || strlen(token) != 4 + 8 + 1 + 43 || token[12] != '_')
        return CBS_ROLE_NONE;
    char id[9];
    memcpy(id, token + 4, 8);
    id[8] = '\0';
    const char *secret = token + 13;
    cbs_role role = CBS_ROLE_NONE;
    pthread_mutex_lock(&s->tlock);
    for (size_t i = 0; i < s->n_tokens; i++) {
        cbs_token_rec *r = &s->tokens[i];
        if (r->revoked || strcmp(r->id, id) != 0) continue;
        unsigned char h[32];
        hash_secret(r->salt, secret, h);
        if (sodium_memcmp(h, r->hash, sizeof h) == 0) {
            role = r->role;
            if (id_out) snprintf(id_out, 16, "%s", r->id);
            if (label_out) snprintf(label_out, 128, "%s", r->label);
        }
        break;
    }
    pthread_mutex_unlock(&s->tlock);
    return role;
}

int cbs_token_revoke(cbs_store *s, const char *id, cb_error *err)
{
    sqlite3_stmt *st;
    int rc = CB_OK;
    pthread_mutex_lock(&s->wlock);
    if (sqlite3_prepare_v2(s->wdb, "UPDATE tokens SET revoked=? WHERE id=? AND revoked IS NULL", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = cbs_sql_err(s->wdb, "cannot revoke a token", err);
    } else {
        sqlite3_bind_int64(st, 1, (int64_t)time(NULL) * 1000);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cbs_sql_err(s->wdb, "cannot revoke a token", err);
        else if (sqlite3_changes(s->wdb) == 0) rc = cbu_err(err, CB_ENOTFOUND, "no active token \"%s\"", id);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->wlock);
    if (rc) return rc;
    pthread_mutex_lock(&s->tlock);
    for (size_t i = 0; i < s->n_tokens; i++)
        if (strcmp(s->tokens[i].id, id) == 0) s->tokens[i].revoked = true;
    pthread_mutex_unlock(&s->tlock);
    return CB_OK;
}

size_t cbs_token_count(cbs_store *s)
{
    size_t n = 0;
    pthread_mutex_lock(&s->tlock);
    for (size_t i = 0; i < s->n_tokens; i++) n += !s->tokens[i].revoked;
    pthread_mutex_unlock(&s->tlock);
    return n;
}
