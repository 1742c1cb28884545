/* serve_gzip.c -- gzip for large answers sent to clients that accept it.
 *
 * Used by serve_http.c for answers of SV_GZIP_MIN bytes or more to a
 * client on another machine (a loopback client reads the bytes as fast as
 * it could inflate them, so there compressing is pure cost).  The map's
 * GET /network of the 100x100 grid goes from 5.3 MB to under 1 MB. */
#include "serve_gzip.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

bool sv_gzip_accepted(const char *h)
{
    /* codings: "gzip", "deflate;q=0.5", "*" ...; only an explicit gzip counts */
    while (h && *h) {
        while (*h == ' ' || *h == '\t' || *h == ',') h++;
        size_t n = strcspn(h, ",;");
        size_t t = n;
        while (t && isspace((unsigned char)h[t - 1])) t--;
        bool gzip = t == 4 && strncasecmp(h, "gzip", 4) == 0;
        const char *end = h + strcspn(h, ",");
        double q = 1;
        const char *qp = h + n;
        if (*qp == ';') {
            const char *e = strstr(qp, "q=");
            if (e && e < end) q = strtod(e + 2, NULL);
        }
        if (gzip && q > 0) return true;
        h = end;
    }
    return false;
}

char *sv_gzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (!out || len > UINT32_MAX || cap > UINT32_MAX) {
        free(out);
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len >= len) {
        free(out);
        return NULL;
    }
    return out;
}
