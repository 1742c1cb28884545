/* arena.c -- bump allocator; see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cbu_arena_block {
    cbu_arena_block *next;   /* older block */
    size_t used, cap;        /* bytes used / available in data[] */
    _Alignas(16) unsigned char data[];
};

void cbu_arena_init(cbu_arena *a)
{
    a->head = NULL;
    a->block_size = 64 * 1024;
    a->total = 0;
}

/* n bytes, not zeroed: for copies, which overwrite them at once (zeroing
 * first touched every copied string twice; reading SUMO files copies each
 * attribute). */
static void *arena_take(cbu_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n) return NULL;                      /* overflow */
    cbu_arena_block *b = a->head;
    if (!b || b->cap - b->used < need) {
        size_t cap = a->block_size;
        if (need > cap / 4) cap = need;             /* big piece: own block */
        else if (a->block_size < (64u << 20)) a->block_size *= 2;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        a->total += sizeof *b + cap;
        if (cap == need && a->head) {               /* keep the open block */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *cbu_arena_alloc(cbu_arena *a, size_t n)
{
    void *p = arena_take(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *cbu_arena_dup(cbu_arena *a, const void *p, size_t n)
{
    void *q = arena_take(a, n ? n : 1);
    if (q && n) memcpy(q, p, n);
    else if (q) *(unsigned char *)q = 0;
    return q;
}

char *cbu_arena_strndup(cbu_arena *a, const char *s, size_t n)
{
    char *q = arena_take(a, n + 1);
    if (q) { memcpy(q, s, n); q[n] = '\0'; }
    return q;
}

char *cbu_arena_strdup(cbu_arena *a, const char *s)
{
    return cbu_arena_strndup(a, s, strlen(s));
}

void cbu_arena_free(cbu_arena *a)
{
    cbu_arena_block *b = a->head;
    while (b) {
        cbu_arena_block *next = b->next;
        free(b);
        b = next;
    }
    cbu_arena_init(a);
}
