/* sumo_xml.c -- expat (and zlib) to a flat element list; attribute helpers. */
#include "sumo_xml.h"
#include "../util/decimal.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum { SX_KINDS = 4, SX_KIND_ATTRS = 16 };

size_t sx_whole_max = SX_WHOLE_MAX;

/* Parser state.  Elements and attributes go into malloc'ed arrays that stay
 * in the doc.  When the whole text is known before parsing, the arrays are
 * sized from it once (sx_prepare_whole); otherwise, and should that bound
 * ever be short, they grow by doubling. */
typedef struct sx_build {
    sx_doc *d;
    XML_Parser p;
    uint32_t stack[SX_MAX_DEPTH];
    uint32_t depth;
    size_t cap_elems, cap_attrs;
    /* When the whole text is in memory (and not UTF-16): we number the
     * lines ourselves, counting from the last element's byte offset to
     * this one's as expat reports each start tag (sx_line_at).  NULL:
     * expat numbers them. */
    const char *text;
    size_t text_len;
    size_t line_pos;          /* the byte offset `line` was counted up to */
    uint32_t line;            /* the line that byte offset is on */
    bool has_cr;              /* the text has a CR, so CRLF and CR count too */
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

/* The line that byte offset `at` of b->text is on, counted as expat counts
 * (a line ends at LF, CR or CRLF) from where the last call left off: the
 * elements come in document order, so the text is scanned once in all. */
static uint32_t sx_line_at(sx_build *b, uint64_t at)
{
    const char *text = b->text;
    size_t pos = b->line_pos, to = at < b->text_len ? (size_t)at : b->text_len;
    if (to <= pos) return b->line;       /* offsets only grow; never trust it */
    uint32_t line = b->line;
    if (!b->has_cr) {
        for (const char *p = text + pos; (p = memchr(p, '\n', to - (size_t)(p - text))); p++) line++;
    } else {
        for (size_t k = pos; k < to; k++)
            if (text[k] == '\r' || (text[k] == '\n' && !(k > 0 && text[k - 1] == '\r'))) line++;
    }
    b->line_pos = to;
    return b->line = line;
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
        if (!e || !a) { b->fail = CB_ENOMEM; b->why = "out of memory"; XML_StopParser(b->p, XML_FALSE); return; }
        b->cap_elems = ce;
        b->cap_attrs = ca;
    }
    sx_elem *e = &d->elems[d->n_elems];
    struct sx_kind *kind = sx_kind_of(b, name);
    e->name = kind ? kind->name : NULL;
    e->line = b->text ? sx_line_at(b, (uint64_t)XML_GetCurrentByteIndex(b->p))
                      : (uint32_t)XML_GetCurrentLineNumber(b->p);
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

/* expat's error for the piece just fed, as our message. */
static int sx_parse_error(sx_build *b, cb_error *err)
{
    const char *label = b->d->file;
    unsigned long line = XML_GetCurrentLineNumber(b->p), col = XML_GetCurrentColumnNumber(b->p);
    if (b->fail) return cbu_err(err, b->fail, "%s:%lu:%lu: %s", label, line, col + 1, b->why);
    enum XML_Error code = XML_GetErrorCode(b->p);
    const char *msg = XML_ErrorString(code);
    if (code == XML_ERROR_NO_ELEMENTS && b->d->n_elems > 0)
        msg = "the file ends before its elements are closed (truncated?)";
    else if (code == XML_ERROR_UNCLOSED_TOKEN)
        msg = "the file ends inside a tag (truncated?)";
    return cbu_err(err, CB_ESYNTAX, "%s:%lu:%lu: malformed XML: %s", label, line, col + 1, msg ? msg : "error");
}

/* Feed one chunk; returns CB_OK or an error naming line and column.  With
 * buf NULL the chunk is already in expat's own buffer (XML_GetBuffer), len
 * bytes of it, at most INT_MAX.  The final chunk also checks that the
 * document had an element at all (expat reports a missing root itself;
 * this keeps the rule in the one place that every path goes through). */
static int sx_feed(sx_build *b, const char *buf, size_t len, bool final, cb_error *err)
{
    if (!buf) {
        if (XML_ParseBuffer(b->p, (int)len, final) == XML_STATUS_ERROR) return sx_parse_error(b, err);
    } else {
        while (len > 0 || final) {
            int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
            bool last = final && (size_t)chunk == len;
            if (XML_Parse(b->p, buf, chunk, last) == XML_STATUS_ERROR) return sx_parse_error(b, err);
            buf += chunk;
            len -= (size_t)chunk;
            if (last) break;
        }
    }
    if (final && b->d->n_elems == 0) return cbu_err(err, CB_ESYNTAX, "%s: no XML element", b->d->file);
    return CB_OK;
}

static int sx_end(sx_build *b, int rc)
{
    if (b->p) XML_ParserFree(b->p);
    b->p = NULL;
    if (rc) sx_free(b->d);
    return rc;
}

bool sx_is_utf16(const char *text, size_t len)
{
    return len >= 2 && (text[0] == 0 || text[1] == 0 || (unsigned char)text[0] == 0xFE ||
                        (unsigned char)text[0] == 0xFF);
}

static size_t sx_count_byte(const char *text, size_t len, char c)
{
    size_t n = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, c, (size_t)(end - p))); p++) n++;
    return n;
}

/* Before parsing a whole text: number its lines ourselves, unless it is
 * UTF-16 (a NUL in its first two bytes, as its byte order mark or a '<'
 * encodes), which is left to expat's count; and size the element and
 * attribute arrays once.  Every element starts with a '<' and every
 * attribute has its '=', so counting those bounds both (an entity or a
 * DTD default could add more; the arrays then grow as when streaming).
 * Growing them by doubling copied them about twice over into fresh memory:
 * on cologne3 a fifth of the page faults of the whole run (2-3 us each on
 * these machines) came from those copies.  Unused room at the end is
 * never touched, so it costs address space only.  CB_ENOMEM or CB_OK. */
static int sx_prepare_whole(sx_build *b, const char *text, size_t len, cb_error *err)
{
    if (sx_is_utf16(text, len)) return CB_OK;
    b->text = text;
    b->text_len = len;
    b->line = 1;
    b->has_cr = memchr(text, '\r', len) != NULL;
    size_t ce = sx_count_byte(text, len, '<') + 1, ca = sx_count_byte(text, len, '=') + 1;
    if (ce > UINT32_MAX / 2 || ca > UINT32_MAX / 2) return CB_OK;   /* on_start refuses them */
    b->d->elems = malloc(ce * sizeof *b->d->elems);
    b->d->attrs = malloc(ca * sizeof *b->d->attrs);
    if (!b->d->elems || !b->d->attrs) return cbu_err(err, CB_ENOMEM, "%s: out of memory", b->d->file);
    b->cap_elems = ce;
    b->cap_attrs = ca;
    return CB_OK;
}

/* A whole document in memory, parsed in one piece.  expat brings its line
 * count up to date, byte by byte, at the end of every piece but the last
 * and whenever a line number is asked for; given the whole text as the
 * last piece and asked for byte offsets instead, it does neither, and
 * sx_line_at counts the lines, with memchr (cologne3: 10 M fewer
 * instructions of the 256 M of a whole run). */
int sx_parse(sx_doc *d, const char *label, const char *buf, size_t len, cb_error *err)
{
    sx_build b;
    int rc = sx_begin(d, &b, label, err);
    if (rc == CB_OK) rc = sx_prepare_whole(&b, buf, len, err);
    if (rc == CB_OK) rc = sx_feed(&b, buf, len, true, err);
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

/* Read up to `want` bytes from fd, or from gz when it is not NULL, into
 * buf; *got: bytes read, fewer only at the end of the data.  false on a
 * read error (errno set for fd; gzip's own errors are left for the general
 * path to report). */
static bool sx_read_all(int fd, gzFile gz, char *buf, size_t want, size_t *got)
{
    size_t n = 0;
    while (n < want) {
        size_t ask = want - n > (1u << 30) ? (1u << 30) : want - n;
        ssize_t r = gz ? (ssize_t)gzread(gz, buf + n, (unsigned)ask) : read(fd, buf + n, ask);
        if (r < 0 && !gz && errno == EINTR) continue;
        if (r < 0) return false;
        if (r == 0) break;
        n += (size_t)r;
    }
    *got = n;
    return true;
}

/* A document whose size is known before reading it: a plain regular file
 * (`size` from fstat), read from fd, or a gzip file (`size` from its
 * trailer), read through gz.  It is read straight into expat's own buffer
 * and parsed from there in one piece.  Reading it into a buffer of ours
 * first (through zlib's, which passes plain files through by copying
 * them), growing that by doubling, and then handing it to XML_Parse, which
 * copies every buffer into its own, wrote every byte three times into
 * fresh memory: on cologne3 a third of the whole run's page faults.
 * Returns CB_OK, an error, or -1: the text was not `size` bytes after all
 * (a plain file that changed while being read; a gzip file of several
 * members, whose trailer gives only the last one's size, of 4 GiB or
 * more, or broken), and the caller reads it the general way, which also
 * reports a broken gzip file in its words. */
static int sx_load_known(sx_doc *d, const char *path, int fd, gzFile gz, size_t size, cb_error *err)
{
    sx_build b;
    int rc = sx_begin(d, &b, path, err);
    /* one byte more than expected, to see that the text goes on */
    char *xb = rc == CB_OK ? XML_GetBuffer(b.p, (int)size + 1) : NULL;
    if (rc == CB_OK && !xb) rc = cbu_err(err, CB_ENOMEM, "%s: out of memory", path);
    size_t got = 0;
    bool read_ok = rc == CB_OK && sx_read_all(fd, gz, xb, size + 1, &got);
    if (rc == CB_OK && !read_ok && !gz) rc = cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    if (rc == CB_OK && (!read_ok || got != size)) {
        sx_end(&b, CB_EIO);
        return -1;
    }
    if (rc == CB_OK) rc = sx_prepare_whole(&b, xb, size, err);
    if (rc == CB_OK) rc = sx_feed(&b, NULL, size, true, err);
    return sx_end(&b, rc);
}

/* A gzip file's size once unpacked, from its trailer (ISIZE: the last
 * member's size modulo 2^32, which sx_load_known checks); false when the
 * file is too short to be gzip. */
static bool sx_gzip_size(int fd, off_t file_size, size_t *size)
{
    unsigned char t[4];
    if (file_size < 18 || pread(fd, t, 4, file_size - 4) != 4) return false;
    *size = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    return true;
}

/* A file of up to sx_whole_max bytes (after gunzip) is read whole and
 * parsed in one piece: a regular file, plain or gzip, straight into
 * expat's buffer (sx_load_known), anything else (a pipe) through zlib into
 * ours first (sx_parse).  A larger one is parsed as it is read, a
 * buffer-full at a time, with expat's line numbers, so that the text does
 * not stay in memory beside the document. */
int sx_load(sx_doc *d, const char *path, cb_error *err)
{
    memset(d, 0, sizeof *d);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    unsigned char magic[2];
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        bool gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        size_t size = (size_t)st.st_size;
        int rc = -1;
        if (gzip ? sx_gzip_size(fd, st.st_size, &size) : (uint64_t)st.st_size == size) {
            if (size <= sx_whole_max && size <= INT_MAX - 1) {
                if (!gzip) {
                    rc = sx_load_known(d, path, fd, NULL, size, err);
                } else {
                    /* zlib closes what it reads from: a copy of fd, which
                     * stays open for the general path */
                    int zfd = dup(fd);
                    gzFile zg = zfd >= 0 ? gzdopen(zfd, "rb") : NULL;
                    if (zfd >= 0 && !zg) close(zfd);
                    if (zg) {
                        gzbuffer(zg, 1 << 17);
                        rc = sx_load_known(d, path, -1, zg, size, err);
                        gzclose(zg);
                    }
                }
            }
        }
        if (rc != -1) {
            close(fd);
            return rc;
        }
        if (lseek(fd, 0, SEEK_SET) != 0) {
            rc = cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
            close(fd);
            return rc;
        }
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return cbu_err(err, CB_EIO, "%s: cannot open", path);
    }
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
