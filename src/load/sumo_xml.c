/* sumo_xml.c -- libxml2's SAX2 parser (and zlib) to a flat element list;
 * attribute helpers. */
#include "sumo_xml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Parser state.  Elements and attributes grow in malloc'ed arrays while
 * parsing (their final count is unknown) and stay malloc'ed in the doc. */
typedef struct sx_build {
    sx_doc *d;
    xmlParserCtxtPtr p;
    uint32_t stack[SX_MAX_DEPTH];
    uint32_t depth;
    size_t cap_elems, cap_attrs;
    int fail;                 /* CB_E* once something went wrong in a callback */
    const char *why;          /* message for `fail` */
    unsigned long end_line;   /* where the input fed so far ends: line and */
    unsigned long end_col;    /* column (1-based), for "the file ends" */
    xmlGenericErrorFunc old_fn;   /* the thread's libxml2 message handler, */
    void *old_ctx;                /* put back when parsing ends */
} sx_build;

static void stop(sx_build *b, int code, const char *why)
{
    b->fail = code;
    b->why = why;
    xmlStopParser(b->p);
}

/* "prefix:local" (or "local") into the arena: the name as written, as a
 * parser without namespace processing reports it. */
static const char *qname(cbu_arena *a, const xmlChar *prefix, const xmlChar *local)
{
    if (!prefix) return cbu_arena_strdup(a, (const char *)local);
    size_t np = strlen((const char *)prefix), nl = strlen((const char *)local);
    char *s = cbu_arena_alloc(a, np + nl + 2);
    if (!s) return NULL;
    memcpy(s, prefix, np);
    s[np] = ':';
    memcpy(s + np + 1, local, nl + 1);
    return s;
}

/* An attribute value as libxml2 hands it over (not NUL-terminated; every
 * '&' it decoded written "&#38;", which is how it keeps a literal ampersand
 * apart from an entity reference it leaves alone), decoded into the arena. */
static const char *att_value(cbu_arena *a, const xmlChar *v, const xmlChar *end)
{
    size_t n = (size_t)(end - v);
    char *s = cbu_arena_strndup(a, (const char *)v, n);
    if (!s || !memchr(s, '&', n)) return s;
    char *w = s;
    for (const char *r = s; *r;) {
        if (strncmp(r, "&#38;", 5) == 0) {
            *w++ = '&';
            r += 5;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return s;
}

/* The line a start tag begins on.  libxml2 is at its end when it calls us
 * (the whole tag is in its buffer, the push parser waits for the '>'), so
 * step back to the '<', which cannot occur inside the tag, counting the
 * line breaks on the way. */
static uint32_t start_line(xmlParserCtxtPtr p)
{
    const xmlParserInput *in = p->input;
    long line = in->line;
    if (in->base && in->cur)
        for (const xmlChar *c = in->cur; c > in->base && *--c != '<';)
            if (*c == '\n') line--;
    return line > 0 ? (uint32_t)line : 1;
}

static void on_start(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int n_ns,
                     const xmlChar **ns, int n_attrs, int n_defaulted, const xmlChar **atts)
{
    (void)uri, (void)n_ns, (void)ns, (void)n_defaulted;
    sx_build *b = ud;
    sx_doc *d = b->d;
    if (b->fail) return;
    if (b->depth >= SX_MAX_DEPTH) {
        stop(b, CB_ESYNTAX, "elements nested too deeply");
        return;
    }
    uint32_t na = n_attrs > 0 ? (uint32_t)n_attrs : 0;
    if (d->n_elems + 1 > b->cap_elems || d->n_attrs + na > b->cap_attrs) {
        size_t ce = b->cap_elems, ca = b->cap_attrs;
        while (d->n_elems + 1 > ce) ce = ce ? ce * 2 : 1024;
        while (d->n_attrs + na > ca) ca = ca ? ca * 2 : 4096;
        if (ce > UINT32_MAX / 2 || ca > UINT32_MAX / 2) { stop(b, CB_ELIMIT, "too many elements"); return; }
        sx_elem *e = realloc(d->elems, ce * sizeof *e);
        if (e) d->elems = e;
        sx_attr *a = realloc(d->attrs, ca * sizeof *a);
        if (a) d->attrs = a;
        if (!e || !a) { stop(b, CB_ENOMEM, "out of memory"); return; }
        b->cap_elems = ce;
        b->cap_attrs = ca;
    }
    sx_elem *e = &d->elems[d->n_elems];
    e->name = qname(&d->arena, prefix, local);
    e->line = start_line(b->p);
    e->parent = b->depth ? b->stack[b->depth - 1] : SX_NONE;
    e->depth = b->depth;
    e->first_attr = d->n_attrs;
    e->n_attr = na;
    bool ok = e->name != NULL;
    for (uint32_t i = 0; i < na && ok; i++) {
        const xmlChar **at = atts + 5 * i;   /* local, prefix, URI, value, end */
        sx_attr *a = &d->attrs[d->n_attrs + i];
        a->name = qname(&d->arena, at[1], at[0]);
        a->value = att_value(&d->arena, at[3], at[4]);
        ok = a->name && a->value;
    }
    if (!ok) { stop(b, CB_ENOMEM, "out of memory"); return; }
    d->n_attrs += na;
    b->stack[b->depth++] = d->n_elems++;
}

static void on_end(void *ud, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    (void)local, (void)prefix, (void)uri;
    sx_build *b = ud;
    if (b->depth) b->depth--;
}

/* libxml2 keeps the error in the context (sx_feed reports it); without a
 * handler it would print to stderr, which the library never does. */
static void on_error(void *ud, xmlErrorPtr e)
{
    (void)ud, (void)e;
}

/* Messages libxml2 prints outside a parser context (encoding errors):
 * dropped while we parse, since the error reaches us through the context. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

/* Only the element callbacks: no tree is built, character data is
 * skipped.  libxml2 copies the handler into each context. */
static xmlSAXHandler sax = {
    .initialized = XML_SAX2_MAGIC,
    .startElementNs = on_start,
    .endElementNs = on_end,
    .serror = on_error,
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

static int sx_begin(sx_doc *d, sx_build *b, const char *label, cb_error *err)
{
    memset(d, 0, sizeof *d);
    cbu_arena_init(&d->arena);
    memset(b, 0, sizeof *b);
    b->d = d;
    d->file = cbu_arena_strdup(&d->arena, label);
    b->end_line = b->end_col = 1;
    pthread_once(&xml_once, xml_init);
    b->old_fn = xmlGenericError;
    b->old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    b->p = d->file ? xmlCreatePushParserCtxt(&sax, b, NULL, 0, NULL) : NULL;
    if (!d->file || !b->p) return cbu_err(err, CB_ENOMEM, "%s: out of memory", label);
    /* never fetch anything (XML_PARSE_NONET), never print; entities are not
     * substituted and no DTD is loaded (the defaults) */
    xmlCtxtUseOptions(b->p, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    return CB_OK;
}

/* The error libxml2 stopped at, as "file:line:column: message". */
static int feed_error(sx_build *b, bool at_end, cb_error *err)
{
    const char *label = b->d->file;
    const xmlError *e = xmlCtxtGetLastError(b->p);
    long line = e && e->line > 0 ? e->line : xmlSAX2GetLineNumber(b->p);
    long col = e && e->int2 > 0 ? e->int2 : 1;
    if (b->fail) return cbu_err(err, b->fail, "%s:%ld:%ld: %s", label, line, col, b->why);
    char msg[160];
    snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "error");
    for (size_t n = strlen(msg); n && (msg[n - 1] == '\n' || msg[n - 1] == ' ');) msg[--n] = '\0';
    if (at_end) {
        /* the input ran out: say where, rather than what libxml2 expected next */
        if (b->d->n_elems == 0) return cbu_err(err, CB_ESYNTAX, "%s: no XML element", label);
        const char *why = b->depth > 0 && e && e->code != XML_ERR_GT_REQUIRED
                              ? "the file ends before its elements are closed (truncated?)"
                              : "the file ends inside a tag (truncated?)";
        return cbu_err(err, CB_ESYNTAX, "%s:%lu:%lu: malformed XML: %s", label, b->end_line, b->end_col, why);
    }
    return cbu_err(err, CB_ESYNTAX, "%s:%ld:%ld: malformed XML: %s", label, line, col, msg);
}

/* Feed one chunk (the last one with `final`); returns CB_OK or an error
 * naming line and column. */
static int sx_feed(sx_build *b, const char *buf, size_t len, bool final, cb_error *err)
{
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (!nl) {
            b->end_col += (unsigned long)(len - i);
            break;
        }
        b->end_line++;
        b->end_col = 1;
        i = (size_t)(nl - buf) + 1;
    }
    while (len > 0) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
        if (xmlParseChunk(b->p, buf, chunk, 0) != 0 || b->fail) return feed_error(b, false, err);
        buf += chunk;
        len -= (size_t)chunk;
    }
    if (final && (xmlParseChunk(b->p, NULL, 0, 1) != 0 || b->fail)) return feed_error(b, true, err);
    return CB_OK;
}

static int sx_end(sx_build *b, int rc)
{
    if (b->p) xmlFreeParserCtxt(b->p);
    b->p = NULL;
    xmlSetGenericErrorFunc(b->old_ctx, b->old_fn);
    if (rc) sx_free(b->d);
    return rc;
}

int sx_parse(sx_doc *d, const char *label, const char *buf, size_t len, cb_error *err)
{
    sx_build b;
    int rc = sx_begin(d, &b, label, err);
    if (rc == CB_OK) rc = sx_feed(&b, buf, len, true, err);
    if (rc == CB_OK && d->n_elems == 0)
        rc = cbu_err(err, CB_ESYNTAX, "%s: no XML element", label);
    return sx_end(&b, rc);
}

int sx_load(sx_doc *d, const char *path, cb_error *err)
{
    memset(d, 0, sizeof *d);
    FILE *probe = fopen(path, "rb");
    if (!probe) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    fclose(probe);
    gzFile gz = gzopen(path, "rb");
    if (!gz) return cbu_err(err, CB_EIO, "%s: cannot open", path);
    gzbuffer(gz, 1 << 17);
    sx_build b;
    int rc = sx_begin(d, &b, path, err);
    char *buf = rc == CB_OK ? malloc(1 << 17) : NULL;
    if (rc == CB_OK && !buf) rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
    while (rc == CB_OK) {
        int got = gzread(gz, buf, 1 << 17);
        if (got < 0) {
            int zerr;
            const char *m = gzerror(gz, &zerr);
            rc = cbu_err(err, CB_EIO, "%s: %s", path, zerr == Z_ERRNO ? strerror(errno) : m);
            break;
        }
        if (got == 0) {
            int zerr;
            const char *m = gzerror(gz, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                rc = cbu_err(err, CB_ESYNTAX, "%s: broken gzip data: %s", path, m);
                break;
            }
            rc = sx_feed(&b, buf, 0, true, err);
            break;
        }
        rc = sx_feed(&b, buf, (size_t)got, false, err);
    }
    free(buf);
    gzclose(gz);
    if (rc == CB_OK && d->n_elems == 0) rc = cbu_err(err, CB_ESYNTAX, "%s: no XML element", path);
    return sx_end(&b, rc);
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
    for (uint32_t i = 0; i < e->n_attr; i++)
        if (strcmp(a[i].name, name) == 0) return a[i].value;
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
    double v = strtod(s, &end);
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
        double x = strtod(p, &end);
        if (end == p || *end != ',') return false;
        p = end + 1;
        double y = strtod(p, &end);
        if (end == p) return false;
        if (*end == ',') {                       /* x,y,z: the height is ignored */
            p = end + 1;
            (void)strtod(p, &end);
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
