/* sumo_xml.c -- expat (and zlib) to a flat element list; attribute helpers. */
#include "sumo_xml.h"
#include "../util/decimal.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { SX_KINDS = 4, SX_KIND_ATTRS = 16 };

size_t sx_whole_max = SX_WHOLE_MAX;

/* Parser state.  Elements and attributes grow in malloc'ed arrays while
 * parsing (their final count is unknown) and stay malloc'ed in the doc. */
typedef struct sx_build {
    sx_doc *d;
    XML_Parser p;
    uint32_t stack[SX_MAX_DEPTH];
    uint32_t depth;
    size_t cap_elems, cap_attrs;
    uint64_t *at;             /* when we number the lines ourselves: each
                                 element's byte offset, parallel to d->elems
                                 (cap_elems long); NULL: expat numbers them */
    int fail;                 /* CB_E* once something went wrong in a callback */
    const char *why;          /* message for `fail` */
    /* Names already copied into the arena, shared by the elements that
     * repeat them: the last few kinds of element seen (a network
     * alternates edge and lane, a route file vehicle and route), each with
     * the attribute names it last had at each position (elements of one
     * kind list theirs in the same order).  Copying every name was a fifth
     * of this callback's instructions on cologne1 (expat's line count for
     * each element, which it does byte by byte, is half). */
    struct sx_kind { const char *name, *attr[SX_KIND_ATTRS]; } kinds[SX_KINDS];
    uint32_t next_kind;       /* the slot a new kind replaces (round robin) */
} sx_build;

/* The kind of element `name`, remembered; NULL when out of memory. */
static struct sx_kind *sx_kind_of(sx_build *b, const char *name)
{
    for (uint32_t i = 0; i < SX_KINDS; i++)
        if (b->kinds[i].name && strcmp(b->kinds[i].name, name) == 0) return &b->kinds[i];
    struct sx_kind *k = &b->kinds[b->next_kind++ % SX_KINDS];
    memset(k, 0, sizeof *k);
    k->name = cbu_arena_strdup(&b->d->arena, name);
    return k->name ? k : NULL;
}

/* Attribute name `name` at position i of an element of kind k. */
static const char *sx_attr_name(sx_build *b, struct sx_kind *k, uint32_t i, const char *name)
{
    if (i >= SX_KIND_ATTRS) return cbu_arena_strdup(&b->d->arena, name);
    if (!k->attr[i] || strcmp(k->attr[i], name) != 0) k->attr[i] = cbu_arena_strdup(&b->d->arena, name);
    return k->attr[i];
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sx_build *b = ud;
    sx_doc *d = b->d;
    if (b->fail) return;
    if (b->depth >= SX_MAX_DEPTH) {
        b->fail = CB_ESYNTAX;
        b->why = "elements nested too deeply";
        XML_StopParser(b->p, XML_FALSE);
        return;
    }
    uint32_t na = 0;
    while (atts[2 * na]) na++;
    if (d->n_elems + 1 > b->cap_elems || d->n_attrs + na > b->cap_attrs) {
        size_t ce = b->cap_elems, ca = b->cap_attrs;
        while (d->n_elems + 1 > ce) ce = ce ? ce * 2 : 1024;
        while (d->n_attrs + na > ca) ca = ca ? ca * 2 : 4096;
        if (ce > UINT32_MAX / 2 || ca > UINT32_MAX / 2) { b->fail = CB_ELIMIT; b->why = "too many elements"; XML_StopParser(b->p, XML_FALSE); return; }
        sx_elem *e = realloc(d->elems, ce * sizeof *e);
        if (e) d->elems = e;
        sx_attr *a = realloc(d->attrs, ca * sizeof *a);
        if (a) d->attrs = a;
        uint64_t *at = b->at ? realloc(b->at, ce * sizeof *at) : NULL;
        if (at) b->at = at;
        if (!e || !a || (b->at && !at)) { b->fail = CB_ENOMEM; b->why = "out of memory"; XML_StopParser(b->p, XML_FALSE); return; }
        b->cap_elems = ce;
        b->cap_attrs = ca;
    }
    sx_elem *e = &d->elems[d->n_elems];
    struct sx_kind *kind = sx_kind_of(b, name);
    e->name = kind ? kind->name : NULL;
    if (b->at) b->at[d->n_elems] = (uint64_t)XML_GetCurrentByteIndex(b->p);
    else e->line = (uint32_t)XML_GetCurrentLineNumber(b->p);
    e->parent = b->depth ? b->stack[b->depth - 1] : SX_NONE;
    e->depth = b->depth;
    e->first_attr = d->n_attrs;
    e->n_attr = na;
    bool ok = e->name != NULL;
    for (uint32_t i = 0; i < na && ok; i++) {
        sx_attr *a = &d->attrs[d->n_attrs + i];
        a->name = sx_attr_name(b, kind, i, atts[2 * i]);
        a->value = cbu_arena_strdup(&d->arena, atts[2 * i + 1]);
        ok = a->name && a->value;
    }
    if (!ok) { b->fail = CB_ENOMEM; b->why = "out of memory"; XML_StopParser(b->p, XML_FALSE); return; }
    d->n_attrs += na;
    b->stack[b->depth++] = d->n_elems++;
}

static void on_end(void *ud, const XML_Char *name)
{
    sx_build *b = ud;
    (void)name;
    if (b->depth) b->depth--;
}

static int sx_begin(sx_doc *d, sx_build *b, const char *label, cb_error *err)
{
    memset(d, 0, sizeof *d);
    cbu_arena_init(&d->arena);
    memset(b, 0, sizeof *b);
    b->d = d;
    d->file = cbu_arena_strdup(&d->arena, label);
    b->p = XML_ParserCreate(NULL);
    if (!d->file || !b->p) return cbu_err(err, CB_ENOMEM, "%s: out of memory", label);
    XML_SetUserData(b->p, b);
    XML_SetElementHandler(b->p, on_start, on_end);
    return CB_OK;
}

/* Feed one chunk; returns CB_OK or an error naming line and column.  The
 * final chunk also checks that the document had an element at all (expat
 * reports a missing root itself; this keeps the rule in the one place that
 * both sx_parse and sx_load's streaming path go through). */
static int sx_feed(sx_build *b, const char *buf, size_t len, bool final, cb_error *err)
{
    const char *label = b->d->file;
    while (len > 0 || final) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
        bool last = final && (size_t)chunk == len;
        if (XML_Parse(b->p, buf, chunk, last) == XML_STATUS_ERROR) {
            unsigned long line = XML_GetCurrentLineNumber(b->p), col = XML_GetCurrentColumnNumber(b->p);
            if (b->fail)
                return cbu_err(err, b->fail, "%s:%lu:%lu: %s", label, line, col + 1, b->why);
            enum XML_Error code = XML_GetErrorCode(b->p);
            const char *msg = XML_ErrorString(code);
            if (code == XML_ERROR_NO_ELEMENTS && b->d->n_elems > 0)
                msg = "the file ends before its elements are closed (truncated?)";
            else if (code == XML_ERROR_UNCLOSED_TOKEN)
                msg = "the file ends inside a tag (truncated?)";
            return cbu_err(err, CB_ESYNTAX, "%s:%lu:%lu: malformed XML: %s", label, line, col + 1,
                           msg ? msg : "error");
        }
        buf += chunk;
        len -= (size_t)chunk;
        if (last) break;
    }
    if (final && b->d->n_elems == 0) return cbu_err(err, CB_ESYNTAX, "%s: no XML element", label);
    return CB_OK;
}

static int sx_end(sx_build *b, int rc)
{
    if (b->p) XML_ParserFree(b->p);
    b->p = NULL;
    free(b->at);
    b->at = NULL;
    if (rc) sx_free(b->d);
    return rc;
}

/* The lines the elements start on, from their byte offsets, counted as
 * expat counts them (a line ends at LF, CR or CRLF): one pass over the
 * text, the elements being in document order. */
static void sx_number_lines(sx_doc *d, const uint64_t *at, const char *text, size_t len)
{
    bool has_cr = memchr(text, '\r', len) != NULL;
    uint32_t line = 1;
    size_t pos = 0;
    for (uint32_t i = 0; i < d->n_elems; i++) {
        size_t to = at[i] < len ? (size_t)at[i] : len;
        if (to < pos) to = pos;          /* offsets only grow; never trust it */
        if (!has_cr) {
            for (const char *p = text + pos; (p = memchr(p, '\n', to - (size_t)(p - text))); p++) line++;
        } else {
            for (size_t k = pos; k < to; k++)
                if (text[k] == '\r' || (text[k] == '\n' && !(k > 0 && text[k - 1] == '\r'))) line++;
        }
        pos = to;
        d->elems[i].line = line;
    }
}

/* A whole document in memory, parsed in one piece.  expat brings its line
 * count up to date, byte by byte, at the end of every piece but the last
 * and whenever a line number is asked for; given the whole text as the
 * last piece and asked for byte offsets instead, it does neither, and
 * sx_number_lines counts the lines once, with memchr (cologne3: 10 M
 * fewer instructions of the 256 M of a whole run).  UTF-16 text (a NUL in
 * its first two bytes, as its byte order mark or a '<' encodes) is left
 * to expat's count. */
int sx_parse(sx_doc *d, const char *label, const char *buf, size_t len, cb_error *err)
{
    sx_build b;
    int rc = sx_begin(d, &b, label, err);
    bool utf16 = len >= 2 && (buf[0] == 0 || buf[1] == 0 || (unsigned char)buf[0] == 0xFE || (unsigned char)buf[0] == 0xFF);
    if (rc == CB_OK && !utf16 && !(b.at = malloc(sizeof *b.at)))
        rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", label);
    if (rc == CB_OK) rc = sx_feed(&b, buf, len, true, err);
    if (rc == CB_OK && b.at) sx_number_lines(d, b.at, buf, len);
    return sx_end(&b, rc);
}

/* Read from gz into buf (grown as needed, *cap bytes) until end of file or
 * until it holds more than `limit` bytes; *len: bytes held.  Returns CB_OK
 * or an error naming the file. */
static int sx_read_upto(gzFile gz, const char *path, char **buf, size_t *cap, size_t *len, size_t limit,
                        bool *eof, cb_error *err)
{
    *eof = false;
    while (*len <= limit) {
        if (*cap - *len < (1u << 16)) {
            size_t nc = *cap * 2;
            char *nb = realloc(*buf, nc);
            if (!nb) return cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
            *buf = nb;
            *cap = nc;
        }
        size_t want = *cap - *len;
        int got = gzread(gz, *buf + *len, want > (1u << 30) ? (1u << 30) : (unsigned)want);
        int zerr;
        const char *m;
        if (got < 0) {
            m = gzerror(gz, &zerr);
            return cbu_err(err, CB_EIO, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : m);
        }
        if (got == 0) {
            m = gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) return cbu_err(err, CB_ESYNTAX, "%s: broken gzip data: %s", path, m);
            *eof = true;
            return CB_OK;
        }
        *len += (size_t)got;
    }
    return CB_OK;
}

/* A file of up to sx_whole_max bytes (after gunzip) is read whole and
 * parsed in one piece (sx_parse); a larger one is parsed as it is read, a
 * buffer-full at a time, with expat's line numbers, so that the text does
 * not stay in memory beside the document. */
int sx_load(sx_doc *d, const char *path, cb_error *err)
{
    memset(d, 0, sizeof *d);
    FILE *probe = fopen(path, "rb");
    if (!probe) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    fclose(probe);
    gzFile gz = gzopen(path, "rb");
    if (!gz) return cbu_err(err, CB_EIO, "%s: cannot open", path);
    gzbuffer(gz, 1 << 17);
    size_t cap = 1 << 17, len = 0;
    bool eof = false;
    char *buf = malloc(cap);
    int rc = buf ? sx_read_upto(gz, path, &buf, &cap, &len, sx_whole_max, &eof, err)
                 : cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
    if (rc == CB_OK && eof) {
        rc = sx_parse(d, path, buf, len, err);
    } else if (rc == CB_OK) {
        sx_build b;
        rc = sx_begin(d, &b, path, err);
        if (rc == CB_OK) rc = sx_feed(&b, buf, len, false, err);
        while (rc == CB_OK) {
            len = 0;
            rc = sx_read_upto(gz, path, &buf, &cap, &len, 0, &eof, err);
            if (rc == CB_OK) rc = sx_feed(&b, buf, len, eof, err);
            if (eof) break;
        }
        rc = sx_end(&b, rc);
    }
    free(buf);
    gzclose(gz);
    return rc;
}

void sx_free(sx_doc *d)
{
    free(d->elems);
    free(d->attrs);
    cbu_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}

const char *sx_get(const sx_doc *d, const sx_elem *e, const char *name)
{
    const sx_attr *a = d->attrs + e->first_attr;
    for (uint32_t i = 0; i < e->n_attr; i++)      /* the first letter spares most calls */
        if (a[i].name[0] == name[0] && strcmp(a[i].name, name) == 0) return a[i].value;
    return NULL;
}

const char *sx_describe(const sx_doc *d, const sx_elem *e, char *buf, size_t n)
{
    const char *id = sx_get(d, e, "id");
    if (!id && strcmp(e->name, "connection") == 0) {
        const char *from = sx_get(d, e, "from"), *to = sx_get(d, e, "to");
        snprintf(buf, n, "<connection from=\"%.60s\" to=\"%.60s\">", from ? from : "?", to ? to : "?");
    } else if (id) {
        snprintf(buf, n, "<%.40s id=\"%.80s\">", e->name, id);
    } else {
        snprintf(buf, n, "<%.40s>", e->name);
    }
    return buf;
}

int sx_fail(const sx_doc *d, const sx_elem *e, cb_error *err, int code, const char *fmt, ...)
{
    if (!err) return code;
    char what[256], msg[CB_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cbu_err(err, code, "%s:%u: %s: %s", d->file, e->line, sx_describe(d, e, what, sizeof what), msg);
}

bool sx_parse_double(const char *s, double *out)
{
    char *end;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return false;
    errno = 0;
    double v = cbu_strtod(s, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (*end || !isfinite(v)) return false;
    *out = v;
    return true;
}

int sx_get_double(const sx_doc *d, const sx_elem *e, const char *name, bool required, double dflt,
                  double *out, cb_error *err)
{
    const char *v = sx_get(d, e, name);
    if (!v) {
        if (required) return sx_fail(d, e, err, CB_ESCHEMA, "attribute '%s' is missing", name);
        *out = dflt;
        return CB_OK;
    }
    if (!sx_parse_double(v, out))
        return sx_fail(d, e, err, CB_ESCHEMA, "attribute '%s' is not a number: \"%.60s\"", name, v);
    return CB_OK;
}

int sx_get_long(const sx_doc *d, const sx_elem *e, const char *name, bool required, long dflt,
                long *out, cb_error *err)
{
    const char *v = sx_get(d, e, name);
    if (!v) {
        if (required) return sx_fail(d, e, err, CB_ESCHEMA, "attribute '%s' is missing", name);
        *out = dflt;
        return CB_OK;
    }
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno)
        return sx_fail(d, e, err, CB_ESCHEMA, "attribute '%s' is not an integer: \"%.60s\"", name, v);
    *out = x;
    return CB_OK;
}

int sx_get_str(const sx_doc *d, const sx_elem *e, const char *name, bool required, const char **out,
               cb_error *err)
{
    *out = sx_get(d, e, name);
    if (!*out && required) return sx_fail(d, e, err, CB_ESCHEMA, "attribute '%s' is missing", name);
    return CB_OK;
}

int sx_words(const char *s, bool commas, int (*fn)(const char *w, size_t n, void *ud), void *ud)
{
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || (commas && *s == ',')) s++;
        if (!*s) return 0;
        const char *w = s;
        while (*s && !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || (commas && *s == ','))) s++;
        int r = fn(w, (size_t)(s - w), ud);
        if (r) return r;
    }
}

bool sx_parse_shape(cbu_arena *arena, const char *s, uint32_t min, net_point **pts, uint32_t *n)
{
    uint32_t count = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        count++;
        while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    }
    if (count < min || count > (1u << 24)) return false;
    net_point *out = CBU_NEW(arena, net_point, count ? count : 1);
    if (!out) return false;
    const char *p = s;
    for (uint32_t i = 0; i < count; i++) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        char *end;
        double x = cbu_strtod(p, &end);
        if (end == p || *end != ',') return false;
        p = end + 1;
        double y = cbu_strtod(p, &end);
        if (end == p) return false;
        if (*end == ',') {                       /* x,y,z: the height is ignored */
            p = end + 1;
            (void)cbu_strtod(p, &end);
            if (end == p) return false;
        }
        if (*end && !(*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) return false;
        if (!(fabs(x) <= NET_MAX_COORD && fabs(y) <= NET_MAX_COORD)) return false;   /* NaN too */
        out[i] = (net_point){ x, y };
        p = end;
    }
    *pts = out;
    *n = count;
    return true;
}
