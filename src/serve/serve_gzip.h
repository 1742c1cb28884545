/* serve_gzip.h -- gzip for large answers (serve_gzip.c). */
#ifndef CB_SERVE_GZIP_H
#define CB_SERVE_GZIP_H

#include <stdbool.h>
#include <stddef.h>

/* Answers shorter than this go as they are: below it, compressing costs
 * more than the bytes it saves. */
#define SV_GZIP_MIN 65536

/* Does an Accept-Encoding header value accept gzip (a "gzip" coding whose
 * q is not 0)?  NULL: no. */
bool sv_gzip_accepted(const char *accept_encoding);

/* The gzip member of data[0..len-1] at level 1 (fast: a 5 MB network
 * answer takes about 50 ms), malloc'ed, its size in *out_len; the caller
 * frees it.  NULL when out of memory or when it would not be smaller. */
char *sv_gzip(const char *data, size_t len, size_t *out_len);

#endif
