/* sumo_xml.h -- SUMO's XML files read into a flat list of elements.
 *
 * SUMO's inputs (.net.xml, route files, .sumocfg, additional files) carry
 * everything in attributes; text content is never needed.  So a document
 * is just its elements in document order, each with its attributes, its
 * parent and the line it starts on (for messages).  expat does the
 * parsing; zlib reads gzip files (recognised by their first two bytes,
 * whatever the name), so a gzip-compressed network needs no special case.
 *
 * Errors name the file and line:
 *
 *     x.net.xml:12:4: malformed XML: mismatched tag
 *     x.rou.xml:40: <vehicle id="v3">: unknown edge "A9" in route
 *
 * Ownership: every string and array of an sx_doc lives in doc->arena;
 * sx_free releases them all. */
#ifndef CB_LOAD_SUMO_XML_H
#define CB_LOAD_SUMO_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citybrain.h"
#include "../net/net_spec.h"
#include "../util/arena.h"
#include "../util/err.h"

#define SX_NONE UINT32_MAX
#define SX_MAX_DEPTH 256      /* SUMO files nest 3-4 levels; deeper is refused */

typedef struct sx_attr { const char *name, *value; } sx_attr;

typedef struct sx_elem {
    const char *name;
    uint32_t line;
    uint32_t parent;          /* index of the enclosing element, SX_NONE for the root */
    uint32_t depth;           /* 0 for the root */
    uint32_t first_attr, n_attr;
} sx_elem;

typedef struct sx_doc {
    cbu_arena arena;
    const char *file;         /* as given, for messages */
    sx_elem *elems;
    uint32_t n_elems;
    sx_attr *attrs;
    uint32_t n_attrs;
} sx_doc;

/* Read a file (plain or gzip).  On failure *d is empty (sx_free is still
 * safe) and err names the file, the line and column for malformed XML.
 * A file of up to sx_whole_max bytes (SX_WHOLE_MAX unless a test lowers
 * it) is read into memory whole and parsed in one piece, which is faster;
 * a larger one is parsed as it is read.  A regular file, plain or gzip,
 * is read straight into expat's buffer; anything else (a pipe) comes
 * through a buffer of ours.  The results are the same. */
#define SX_WHOLE_MAX ((size_t)256 << 20)
extern size_t sx_whole_max;
int sx_load(sx_doc *d, const char *path, cb_error *err);
/* Parse a buffer already in memory; `label` names it in messages. */
int sx_parse(sx_doc *d, const char *label, const char *buf, size_t len, cb_error *err);
/* Does this text look like UTF-16 (a NUL in its first two bytes, as its
 * byte order mark or a '<' encodes)?  Its lines are then left to expat's
 * count. */
bool sx_is_utf16(const char *text, size_t len);
void sx_free(sx_doc *d);

/* Attribute value, NULL if absent. */
const char *sx_get(const sx_doc *d, const sx_elem *e, const char *name);

/* "file:line: <name id="...">: " + message; returns code. */
int sx_fail(const sx_doc *d, const sx_elem *e, cb_error *err, int code, const char *fmt, ...) CBU_PRINTF(5, 6);
/* The element as messages show it: `<edge id="A0B0">` (into buf). */
const char *sx_describe(const sx_doc *d, const sx_elem *e, char *buf, size_t n);

/* Typed attributes.  Absent and not required: *out = dflt.  Present: must
 * parse completely as a finite number (CB_ESCHEMA otherwise, naming the
 * attribute). */
int sx_get_double(const sx_doc *d, const sx_elem *e, const char *name, bool required, double dflt,
                  double *out, cb_error *err);
int sx_get_long(const sx_doc *d, const sx_elem *e, const char *name, bool required, long dflt,
                long *out, cb_error *err);
int sx_get_str(const sx_doc *d, const sx_elem *e, const char *name, bool required, const char **out,
               cb_error *err);

/* A whole string as a finite double; false if it is not one. */
bool sx_parse_double(const char *s, double *out);

/* Split "a b  c" (spaces, tabs, newlines, and commas when `commas`) into
 * words.  Calls fn(word, len, ud) per word; stops at a non-zero return and
 * returns it. */
int sx_words(const char *s, bool commas, int (*fn)(const char *w, size_t n, void *ud), void *ud);

/* A SUMO shape "x,y x,y ..." into points allocated in `arena`; false if
 * malformed (a point without a comma, a non-number, fewer than min points). */
bool sx_parse_shape(cbu_arena *arena, const char *s, uint32_t min, net_point **pts, uint32_t *n);

#endif
