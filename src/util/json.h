/* json.h -- a compact, read-only JSON tree, parsed with yajl.
 *
 * yajl's event parser is the fastest JSON reader in Debian that tells
 * integers from reals (docs/dependencies.md has the measurements); this file
 * turns its events into a tree of 32-byte nodes in one arena, so a 48 MB
 * roadnet becomes one allocation list that is freed at once.
 *
 * The tree remembers, for every value, whether it was written as an integer
 * (CBU_JINT) or not (CBU_JREAL), and its byte offset in the source, so that
 * loaders can report "flow.json: [412].startTime: expected an integer, got
 * 0.5 (line 5123)".  Keys are kept in document order; lookup is linear
 * (objects in our formats have a handful of members) and takes the first
 * member with that name.
 *
 * The second half of this header is the path-tracking context loaders use
 * to produce such messages. */
#ifndef CB_UTIL_JSON_H
#define CB_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "citybrain.h"

typedef enum cbu_jtype {
    CBU_JNULL, CBU_JBOOL, CBU_JINT, CBU_JREAL, CBU_JSTR, CBU_JARR, CBU_JOBJ
} cbu_jtype;

typedef struct cbu_jv cbu_jv;
struct cbu_jv {
    uint8_t type;          /* a cbu_jtype */
    uint32_t n;            /* members (array/object) or bytes (string) */
    uint32_t offset;       /* byte offset just after the value's first token,
                              saturated at UINT32_MAX */
    const char *key;       /* member name inside an object, else NULL */
    union {
        int64_t i;         /* CBU_JINT */
        double d;          /* CBU_JREAL */
        bool b;            /* CBU_JBOOL */
        const char *s;     /* CBU_JSTR, NUL-terminated, may hold NULs */
        cbu_jv *kids;      /* CBU_JARR / CBU_JOBJ: n nodes */
    } u;
};

/* A parsed document.  Owns its nodes (arena); borrows nothing. */
typedef struct cbu_jdoc {
    cbu_arena arena;
    cbu_jv *root;
    char *name;            /* file name used in messages (arena) */
    char *src;             /* the source text, kept for line numbers (malloc) */
    size_t len;
} cbu_jdoc;

/* Parse `len` bytes.  `name` names the input in messages.  Takes ownership
 * of `src` (malloc'ed) in every case.  On a syntax error sets err to
 * "<name>:<line>:<col>: <what>" and returns CB_ESYNTAX.  On any failure
 * *doc is left empty (all freed); cbu_json_free on it is harmless. */
int cbu_json_parse(cbu_jdoc *doc, const char *name, char *src, size_t len,
                   cb_error *err);
/* Read and parse a file; messages use the path as given. */
int cbu_json_load(cbu_jdoc *doc, const char *path, cb_error *err);
void cbu_json_free(cbu_jdoc *doc);

/* 1-based line of a byte offset in the document's source. */
size_t cbu_json_line(const cbu_jdoc *doc, uint32_t offset);

const cbu_jv *cbu_jobj_get(const cbu_jv *obj, const char *key);
const char *cbu_jtype_name(const cbu_jv *v);  /* "a number", "a string" ... */
bool cbu_jis_number(const cbu_jv *v);
double cbu_jnumber(const cbu_jv *v);          /* int or real as double */

/*--- Path-tracking context for schema errors -------------------------------*/

/* The path is a stack of components, formatted only when an error is
 * reported: formatting every step of a 6,000-flow file eagerly cost more
 * than parsing it. */
#define CBU_JPATH_MAX 64
typedef struct cbu_jctx {
    const cbu_jdoc *doc;
    const char *file;      /* short file name for messages ("flow.json") */
    cb_error *err;
    size_t len;            /* components in use (may exceed CBU_JPATH_MAX) */
    struct { const char *key; size_t index; } comp[CBU_JPATH_MAX]; /* key NULL: [index] */
} cbu_jctx;

void cbu_jctx_init(cbu_jctx *c, const cbu_jdoc *doc, const char *file, cb_error *err);
/* Push a path component; returns the previous length for cbu_jpop. */
size_t cbu_jpush_key(cbu_jctx *c, const char *key);
size_t cbu_jpush_index(cbu_jctx *c, size_t i);
static inline void cbu_jpop(cbu_jctx *c, size_t len) { c->len = len; }
/* Format the current path ("[412].vehicle.maxSpeed") into buf. */
void cbu_jpath_format(const cbu_jctx *c, char *buf, size_t cap);

/* Report a schema error at the current path (about value `at`, which may be
 * NULL) and return CB_ESCHEMA:  "<file>: <path>: <message> (line N)". */
int cbu_jfail(cbu_jctx *c, const cbu_jv *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Typed member access.  Each pushes `key` onto the path for its message,
 * fails with CB_ESCHEMA when the member is missing (and required) or has
 * the wrong type, and leaves *out untouched when an optional member is
 * absent.  Return CB_OK or CB_ESCHEMA. */
int cbu_jget_number(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, double *out);
int cbu_jget_int(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, int64_t *out);
int cbu_jget_bool(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, bool *out);
int cbu_jget_string(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const char **out);
int cbu_jget_array(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const cbu_jv **out);
int cbu_jget_object(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const cbu_jv **out);
/* Value checks without a member lookup (the path is already pushed). */
int cbu_jas_number(cbu_jctx *c, const cbu_jv *v, double *out);
int cbu_jas_int(cbu_jctx *c, const cbu_jv *v, int64_t *out);
int cbu_jas_string(cbu_jctx *c, const cbu_jv *v, const char **out);
int cbu_jas_object(cbu_jctx *c, const cbu_jv *v);
int cbu_jas_array(cbu_jctx *c, const cbu_jv *v);

/*--- Writing ----------------------------------------------------------------*/

/* Format a double the shortest way that reads back exactly ("16.67", "0.1",
 * "30"); buf needs 32 bytes.  Returns the length. */
int cbu_json_fmt_double(char *buf, double d);

#endif
