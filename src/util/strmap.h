/* strmap.h -- map from string to uint32 index (ids to array positions).
 *
 * Keys are borrowed: the caller keeps them alive (usually in an arena) for
 * the map's lifetime.  Open addressing with linear probing; the table is
 * kept at most half full so a miss costs a couple of probes. */
#ifndef CB_UTIL_STRMAP_H
#define CB_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cbu_strmap {
    const char **keys;     /* NULL = empty slot */
    uint32_t *vals;
    size_t cap, n;         /* cap is a power of two; n < cap / 2 */
} cbu_strmap;

void cbu_strmap_init(cbu_strmap *m);
/* Insert key -> val.  Returns 0, 1 if the key already existed (value left
 * unchanged; *old set if old != NULL), or -1 on OOM. */
int cbu_strmap_put(cbu_strmap *m, const char *key, uint32_t val, uint32_t *old);
/* Returns 1 and sets *val if found, else 0. */
int cbu_strmap_get(const cbu_strmap *m, const char *key, uint32_t *val);
void cbu_strmap_free(cbu_strmap *m);

#endif
