/* strmap.c -- string to index hash map; see strmap.h. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;         /* FNV-1a */
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ull; }
    return h ^ (h >> 29);
}

void cbu_strmap_init(cbu_strmap *m) { memset(m, 0, sizeof *m); }

static int strmap_grow(cbu_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = calloc(cap, sizeof *keys);
    uint32_t *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) { free(keys); free(vals); return -1; }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = str_hash(m->keys[i]) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int cbu_strmap_put(cbu_strmap *m, const char *key, uint32_t val, uint32_t *old)
{
    if ((m->n + 1) * 2 > m->cap && strmap_grow(m)) return -1;
    size_t j = str_hash(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0) {
            if (old) *old = m->vals[j];
            return 1;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->vals[j] = val;
    m->n++;
    return 0;
}

int cbu_strmap_get(const cbu_strmap *m, const char *key, uint32_t *val)
{
    if (!m->cap) return 0;
    size_t j = str_hash(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0) { *val = m->vals[j]; return 1; }
        j = (j + 1) & (m->cap - 1);
    }
    return 0;
}

void cbu_strmap_free(cbu_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
