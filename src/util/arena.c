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

/* n bytes at a multiple of `align` (a power of two, at most 16), not
 * zeroed: for copies, which overwrite them at once (zeroing first touched
 * every copied string twice; reading SUMO files copies each attribute).
 * Strings take align 1: rounding each up to 16 bytes made a route file's
 * attribute values a quarter larger, and every page of them is a fresh
 * page to fault in. */
static void *arena_take(cbu_arena *a, size_t n, size_t align)
{
    cbu_arena_block *b = a->head;
    size_t at = b ? (b->used + (align - 1)) & ~(align - 1) : 0;
    if (!b || at > b->cap || n > b->cap - at) {
        size_t cap = a->block_size;
        if (n > cap / 4) cap = n;                   /* big piece: own block */
        else if (a->block_size < (64u << 20)) a->block_size *= 2;
        if (cap > SIZE_MAX - sizeof *b) return NULL;  /* overflow */
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        at = 0;
        a->total += sizeof *b + cap;
        if (cap == n && a->head) {                  /* keep the open block */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    b->used = at + n;
    return b->data + at;
}

void *cbu_arena_alloc(cbu_arena *a, size_t n)
{
    void *p = arena_take(a, n, 16);
    if (p) memset(p, 0, n);
    return p;
}

void *cbu_arena_dup(cbu_arena *a, const void *p, size_t n)
{
    void *q = arena_take(a, n ? n : 1, 16);
    if (q && n) memcpy(q, p, n);
    else if (q) *(unsigned char *)q = 0;
    return q;
}

char *cbu_arena_strndup(cbu_arena *a, const char *s, size_t n)
{
    char *q = n + 1 ? arena_take(a, n + 1, 1) : NULL;
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
