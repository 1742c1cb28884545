/* json.c -- yajl events to a cbu_jv tree, plus schema-error helpers. */
#include "json.h"
#include "decimal.h"
#include "err.h"
#include "fileio.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/*--- Parsing ----------------------------------------------------------------*/

/* While parsing, finished values wait on one shared stack; a container's
 * members are the stack entries above its frame's `base`.  When the
 * container closes they are copied into the arena in one piece. */
typedef struct build_frame {
    size_t base;           /* first member on the value stack */
    uint8_t type;          /* CBU_JARR or CBU_JOBJ */
    uint32_t offset;
    const char *key;       /* the container's own key in its parent */
} build_frame;

typedef struct builder {
    yajl_handle h;
    cbu_jdoc *doc;
    cbu_jv *vals; size_t nvals, capvals;
    build_frame *frames; size_t nframes, capframes;
    const char *pending_key;   /* key read for the next value */
    cbu_jv root;
    bool have_root;
    bool oom;
    const char *num_err;       /* a number we refuse, as yajl would ("integer overflow") */
    size_t num_err_off;        /* where that number starts */
    bool nul_key;          /* a key held \u0000: refused (lookups use strcmp) */
} builder;

#define BUILD_MAX_DEPTH 10000   /* deeper input is rejected, not recursed */

static uint32_t builder_offset(builder *b)
{
    size_t off = yajl_get_bytes_consumed(b->h);
    return off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
}

static int builder_add(builder *b, cbu_jv v)
{
    v.key = b->pending_key;
    b->pending_key = NULL;
    if (b->nframes == 0) {                   /* the root value */
        b->root = v;
        b->have_root = true;
        return 1;
    }
    if (b->nvals == b->capvals) {
        size_t cap = b->capvals ? b->capvals * 2 : 1024;
        cbu_jv *p = realloc(b->vals, cap * sizeof *p);
        if (!p) { b->oom = true; return 0; }
        b->vals = p;
        b->capvals = cap;
    }
    b->vals[b->nvals++] = v;
    return 1;
}

static int on_null(void *ctx)
{
    builder *b = ctx;
    cbu_jv v = { .type = CBU_JNULL, .offset = builder_offset(b) };
    return builder_add(b, v);
}

static int on_bool(void *ctx, int val)
{
    builder *b = ctx;
    cbu_jv v = { .type = CBU_JBOOL, .offset = builder_offset(b), .u.b = val != 0 };
    return builder_add(b, v);
}

static int on_int(void *ctx, long long val)
{
    builder *b = ctx;
    cbu_jv v = { .type = CBU_JINT, .offset = builder_offset(b), .u.i = val };
    return builder_add(b, v);
}

static int on_double(void *ctx, double val)
{
    builder *b = ctx;
    cbu_jv v = { .type = CBU_JREAL, .offset = builder_offset(b), .u.d = val };
    return builder_add(b, v);
}

/* Numbers arrive as text (yajl has checked the syntax).  Integers are
 * written without '.', 'e' or 'E'.  Most reals in our files are short
 * decimals ("11.111", "-300.0"), which cbu_decimal_fast turns into exactly
 * strtod's result; anything else goes to strtod.  This halves the cost of
 * reading a flow file. */
static int on_number(void *ctx, const char *s, size_t n)
{
    bool real = memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n);
    size_t sign = s[0] == '-';
    if (!real && n - sign <= 18) {       /* 18 digits always fit 64 bits */
        long long v = 0;
        for (size_t k = sign; k < n; k++) v = v * 10 + (s[k] - '0');
        return on_int(ctx, sign ? -v : v);
    }
    double d;
    if (real && cbu_decimal_fast(s, n, &d)) return on_double(ctx, d);
    char small[64], *buf = small;
    if (n >= sizeof small && !(buf = malloc(n + 1))) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* out of range: refused as yajl's own number callbacks would */
    builder *b = ctx;
    int rc;
    errno = 0;
    if (!real) {
        long long v = strtoll(buf, NULL, 10);
        rc = errno == ERANGE ? 0 : on_int(ctx, v);
        if (!rc) b->num_err = "integer overflow";
    } else {
        d = strtod(buf, NULL);
        rc = errno == ERANGE && isinf(d) ? 0 : on_double(ctx, d);
        if (!rc) b->num_err = "numeric (floating point) overflow";
    }
    if (!rc) {
        size_t end = yajl_get_bytes_consumed(b->h);
        b->num_err_off = end >= n ? end - n : 0;
    }
    if (buf != small) free(buf);
    return rc;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    builder *b = ctx;
    if (n > UINT32_MAX) return 0;
    char *copy = cbu_arena_strndup(&b->doc->arena, (const char *)s, n);
    if (!copy) { b->oom = true; return 0; }
    cbu_jv v = { .type = CBU_JSTR, .n = (uint32_t)n, .offset = builder_offset(b), .u.s = copy };
    return builder_add(b, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    builder *b = ctx;
    if (memchr(s, '\0', n)) { b->nul_key = true; return 0; }
    char *copy = cbu_arena_strndup(&b->doc->arena, (const char *)s, n);
    if (!copy) { b->oom = true; return 0; }
    b->pending_key = copy;
    return 1;
}

static int open_container(builder *b, uint8_t type)
{
    if (b->nframes >= BUILD_MAX_DEPTH) return 0;
    if (b->nframes == b->capframes) {
        size_t cap = b->capframes ? b->capframes * 2 : 64;
        build_frame *p = realloc(b->frames, cap * sizeof *p);
        if (!p) { b->oom = true; return 0; }
        b->frames = p;
        b->capframes = cap;
    }
    build_frame *f = &b->frames[b->nframes++];
    f->base = b->nvals;
    f->type = type;
    f->offset = builder_offset(b);
    f->key = b->pending_key;
    b->pending_key = NULL;
    return 1;
}

static int close_container(builder *b)
{
    build_frame f = b->frames[--b->nframes];
    size_t n = b->nvals - f.base;
    if (n > UINT32_MAX) return 0;
    cbu_jv v = { .type = f.type, .n = (uint32_t)n, .offset = f.offset };
    if (n) {
        v.u.kids = cbu_arena_dup(&b->doc->arena, b->vals + f.base, n * sizeof(cbu_jv));
        if (!v.u.kids) { b->oom = true; return 0; }
    }
    b->nvals = f.base;
    b->pending_key = f.key;
    return builder_add(b, v);
}

static int on_start_map(void *ctx) { return open_container(ctx, CBU_JOBJ); }
static int on_start_array(void *ctx) { return open_container(ctx, CBU_JARR); }
static int on_end(void *ctx) { return close_container(ctx); }

static const yajl_callbacks parse_callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string,
    on_start_map, on_key, on_end, on_start_array, on_end
};

size_t cbu_json_line(const cbu_jdoc *doc, uint32_t offset)
{
    size_t line = 1;
    size_t end = offset < doc->len ? offset : doc->len;
    for (size_t i = 0; i < end; i++)
        if (doc->src[i] == '\n') line++;
    return line;
}

static size_t json_column(const cbu_jdoc *doc, size_t offset)
{
    size_t col = 1;
    if (offset > doc->len) offset = doc->len;
    while (offset > 0 && doc->src[offset - 1] != '\n') { offset--; col++; }
    return col;
}

int cbu_json_parse(cbu_jdoc *doc, const char *name, char *src, size_t len, cb_error *err)
{
    memset(doc, 0, sizeof *doc);
    cbu_arena_init(&doc->arena);
    doc->src = src;
    doc->len = len;
    doc->name = cbu_arena_strdup(&doc->arena, name);
    if (!doc->name) { cbu_json_free(doc); return cbu_err(err, CB_ENOMEM, "%s: out of memory", name); }

    builder b = { .doc = doc };
    b.h = yajl_alloc(&parse_callbacks, NULL, &b);
    if (!b.h) { cbu_json_free(doc); return cbu_err(err, CB_ENOMEM, "%s: out of memory", name); }

    int rc = CB_OK;
    bool at_end = false;           /* failed in yajl_complete_parse */
    yajl_status st = yajl_parse(b.h, (const unsigned char *)src, len);
    if (st == yajl_status_ok) { st = yajl_complete_parse(b.h); at_end = true; }
    if (st != yajl_status_ok || !b.have_root) {
        /* Where it went wrong: yajl counts the offending character as
         * consumed, except that it rewinds to the start of a number that
         * overflows.  Errors found by yajl_complete_parse (an input that
         * ends too early) are placed at the end of the input. */
        unsigned char *ymsg = yajl_get_error(b.h, 0, (const unsigned char *)src, len);
        const char *m = ymsg ? (const char *)ymsg : "syntax error";
        size_t off = yajl_get_bytes_consumed(b.h);
        if (at_end) off = len;
        else if (b.num_err) off = b.num_err_off;
        else if (!strstr(m, "overflow") && off > 0) off--;
        if (off > len) off = len;
        /* yajl's rewind to a token can stop on the blank before it */
        while (off < len && (src[off] == ' ' || src[off] == '\t' || src[off] == '\r' || src[off] == '\n')) off++;
        size_t line = cbu_json_line(doc, (uint32_t)(off > UINT32_MAX ? UINT32_MAX : off));
        size_t col = json_column(doc, off);
        /* yajl says "parse error: <what>\n"; keep <what>. */
        const char *colon = strstr(m, ": ");
        char what[256];
        snprintf(what, sizeof what, "%s", colon ? colon + 2 : m);
        what[strcspn(what, "\n")] = '\0';
        if (b.num_err) snprintf(what, sizeof what, "%s", b.num_err);
        if (at_end && (st == yajl_status_ok || strstr(m, "premature EOF"))) {
            size_t k = 0;
            while (k < len && (src[k] == ' ' || src[k] == '\t' || src[k] == '\r' || src[k] == '\n')) k++;
            snprintf(what, sizeof what, "%s", len == 0 ? "empty file" :
                     k == len ? "no JSON value (the file is blank)" : "unexpected end of file (truncated?)");
        }
        if (b.oom)
            rc = cbu_err(err, CB_ENOMEM, "%s: out of memory while parsing", name);
        else if (b.nframes >= BUILD_MAX_DEPTH)
            rc = cbu_err(err, CB_ESYNTAX, "%s:%zu:%zu: invalid JSON: nesting deeper than %d levels",
                         name, line, col, BUILD_MAX_DEPTH);
        else if (b.nul_key)
            rc = cbu_err(err, CB_ESYNTAX, "%s:%zu:%zu: invalid JSON: object key contains a NUL character (\\u0000)",
                         name, line, col);
        else
            rc = cbu_err(err, CB_ESYNTAX, "%s:%zu:%zu: invalid JSON: %s", name, line, col, what);
        if (ymsg) yajl_free_error(b.h, ymsg);
    } else {
        doc->root = cbu_arena_dup(&doc->arena, &b.root, sizeof b.root);
        if (!doc->root) rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", name);
    }
    yajl_free(b.h);
    free(b.vals);
    free(b.frames);
    /* A failed parse keeps nothing: callers that return at once (most
     * do) must not leak the source and the partial tree. */
    if (rc) cbu_json_free(doc);
    return rc;
}

int cbu_json_load(cbu_jdoc *doc, const char *path, cb_error *err)
{
    size_t len;
    memset(doc, 0, sizeof *doc);
    char *src = cbu_file_read(path, &len, err);
    if (!src) return err ? err->code : CB_EIO;
    return cbu_json_parse(doc, path, src, len, err);
}

void cbu_json_free(cbu_jdoc *doc)
{
    cbu_arena_free(&doc->arena);
    free(doc->src);
    memset(doc, 0, sizeof *doc);
}

const cbu_jv *cbu_jobj_get(const cbu_jv *obj, const char *key)
{
    if (!obj || obj->type != CBU_JOBJ) return NULL;
    for (uint32_t i = 0; i < obj->n; i++)
        if (strcmp(obj->u.kids[i].key, key) == 0) return &obj->u.kids[i];
    return NULL;
}

const char *cbu_jtype_name(const cbu_jv *v)
{
    if (!v) return "nothing";
    switch (v->type) {
    case CBU_JNULL: return "null";
    case CBU_JBOOL: return "a boolean";
    case CBU_JINT: return "an integer";
    case CBU_JREAL: return "a real number";
    case CBU_JSTR: return "a string";
    case CBU_JARR: return "an array";
    case CBU_JOBJ: return "an object";
    }
    return "?";
}

bool cbu_jis_number(const cbu_jv *v) { return v && (v->type == CBU_JINT || v->type == CBU_JREAL); }

double cbu_jnumber(const cbu_jv *v)
{
    return v->type == CBU_JINT ? (double)v->u.i : v->u.d;
}

/*--- Schema errors -----------------------------------------------------------*/

void cbu_jctx_init(cbu_jctx *c, const cbu_jdoc *doc, const char *file, cb_error *err)
{
    c->doc = doc;
    c->file = file;
    c->err = err;
    c->len = 0;
}

size_t cbu_jpush_key(cbu_jctx *c, const char *key)
{
    if (c->len < CBU_JPATH_MAX) { c->comp[c->len].key = key; c->comp[c->len].index = 0; }
    return c->len++;
}

size_t cbu_jpush_index(cbu_jctx *c, size_t i)
{
    if (c->len < CBU_JPATH_MAX) { c->comp[c->len].key = NULL; c->comp[c->len].index = i; }
    return c->len++;
}

void cbu_jpath_format(const cbu_jctx *c, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->len && i < CBU_JPATH_MAX && used + 1 < cap; i++) {
        int w = c->comp[i].key ? snprintf(buf + used, cap - used, i ? ".%s" : "%s", c->comp[i].key)
                               : snprintf(buf + used, cap - used, "[%zu]", c->comp[i].index);
        if (w < 0) break;
        used += (size_t)w;
    }
    if (c->len > CBU_JPATH_MAX && used + 4 < cap) strcat(buf, "...");
}

/* A short rendering of a scalar for messages: 0.5, "abc", true. */
static void render_value(const cbu_jv *v, char *buf, size_t n)
{
    char num[32];
    switch (v ? v->type : CBU_JNULL) {
    case CBU_JINT: snprintf(buf, n, "%lld", (long long)v->u.i); break;
    case CBU_JREAL: cbu_json_fmt_double(num, v->u.d); snprintf(buf, n, "%s", num); break;
    case CBU_JBOOL: snprintf(buf, n, "%s", v->u.b ? "true" : "false"); break;
    case CBU_JSTR: snprintf(buf, n, "\"%.40s%s\"", v->u.s, v->n > 40 ? "..." : ""); break;
    case CBU_JNULL: snprintf(buf, n, "null"); break;
    default: snprintf(buf, n, "%s", cbu_jtype_name(v)); break;
    }
}

int cbu_jfail(cbu_jctx *c, const cbu_jv *at, const char *fmt, ...)
{
    char msg[600], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cbu_jpath_format(c, path, sizeof path);
    if (at && c->doc && c->doc->src)
        return cbu_err(c->err, CB_ESCHEMA, "%s: %s: %s (line %zu)", c->file,
                       c->len ? path : "(top level)", msg, cbu_json_line(c->doc, at->offset));
    return cbu_err(c->err, CB_ESCHEMA, "%s: %s: %s", c->file, c->len ? path : "(top level)", msg);
}

static int jwrong(cbu_jctx *c, const cbu_jv *v, const char *want)
{
    char got[64];
    render_value(v, got, sizeof got);
    if (v->type == CBU_JARR || v->type == CBU_JOBJ || v->type == CBU_JNULL)
        return cbu_jfail(c, v, "expected %s, got %s", want, cbu_jtype_name(v));
    return cbu_jfail(c, v, "expected %s, got %s %s", want, cbu_jtype_name(v), got);
}

int cbu_jas_number(cbu_jctx *c, const cbu_jv *v, double *out)
{
    if (!cbu_jis_number(v)) return jwrong(c, v, "a number");
    *out = cbu_jnumber(v);
    return CB_OK;
}

int cbu_jas_int(cbu_jctx *c, const cbu_jv *v, int64_t *out)
{
    if (v->type != CBU_JINT) return jwrong(c, v, "an integer");
    *out = v->u.i;
    return CB_OK;
}

int cbu_jas_string(cbu_jctx *c, const cbu_jv *v, const char **out)
{
    if (v->type != CBU_JSTR) return jwrong(c, v, "a string");
    if (strlen(v->u.s) != v->n) return cbu_jfail(c, v, "string contains a NUL character");
    *out = v->u.s;
    return CB_OK;
}

int cbu_jas_object(cbu_jctx *c, const cbu_jv *v)
{
    return v->type == CBU_JOBJ ? CB_OK : jwrong(c, v, "an object");
}

int cbu_jas_array(cbu_jctx *c, const cbu_jv *v)
{
    return v->type == CBU_JARR ? CB_OK : jwrong(c, v, "an array");
}

/* Shared shape of the cbu_jget_* functions: find, push path, check, pop. */
#define JGET_BODY(check)                                                     \
    const cbu_jv *v = cbu_jobj_get(obj, key);                                \
    size_t old = cbu_jpush_key(c, key);                                      \
    int rc = CB_OK;                                                          \
    if (!v) {                                                                \
        if (required) rc = cbu_jfail(c, obj, "missing required member");     \
    } else {                                                                 \
        rc = (check);                                                        \
    }                                                                        \
    if (rc == CB_OK) cbu_jpop(c, old);                                       \
    return rc;

int cbu_jget_number(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, double *out)
{
    JGET_BODY(cbu_jas_number(c, v, out))
}

int cbu_jget_int(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, int64_t *out)
{
    JGET_BODY(cbu_jas_int(c, v, out))
}

int cbu_jget_bool(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, bool *out)
{
    JGET_BODY(v->type == CBU_JBOOL ? (*out = v->u.b, CB_OK) : jwrong(c, v, "true or false"))
}

int cbu_jget_string(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const char **out)
{
    JGET_BODY(cbu_jas_string(c, v, out))
}

int cbu_jget_array(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const cbu_jv **out)
{
    JGET_BODY(cbu_jas_array(c, v) == CB_OK ? (*out = v, CB_OK) : CB_ESCHEMA)
}

int cbu_jget_object(cbu_jctx *c, const cbu_jv *obj, const char *key, bool required, const cbu_jv **out)
{
    JGET_BODY(cbu_jas_object(c, v) == CB_OK ? (*out = v, CB_OK) : CB_ESCHEMA)
}

/*--- Writing -------------------------------------------------------------------*/

int cbu_json_fmt_double(char *buf, double d)
{
    if (!isfinite(d)) return snprintf(buf, 32, "null");
    if (d == 0) return snprintf(buf, 32, "0");
    for (int prec = 15; prec <= 17; prec++) {
        int n = snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) return n;
    }
    return snprintf(buf, 32, "%.17g", d);
}
