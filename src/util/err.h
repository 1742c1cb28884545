/* err.h -- filling cb_error from deep inside the library.
 *
 * Library code never prints.  A failing function calls cbu_err(err, code,
 * fmt, ...) once, at the point where it knows what is wrong, and returns the
 * code; callers above it just pass the code up.  cbu_err_prefix() lets a
 * caller add context ("flow.json: ") in front of a message written below. */
#ifndef CB_UTIL_ERR_H
#define CB_UTIL_ERR_H

#include "citybrain.h"

#if defined(__GNUC__)
#define CBU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CBU_PRINTF(a, b)
#endif

/* Sets err (if not NULL) and returns code, so a caller can write
 * `return cbu_err(err, CB_EINVAL, "...")`. */
int cbu_err(cb_error *err, int code, const char *fmt, ...) CBU_PRINTF(3, 4);
/* Prepends formatted text to an error message already set. */
void cbu_err_prefix(cb_error *err, const char *fmt, ...) CBU_PRINTF(2, 3);
void cbu_err_clear(cb_error *err);
static inline int cbu_err_nomem(cb_error *err) { return cbu_err(err, CB_ENOMEM, "out of memory"); }

#endif
