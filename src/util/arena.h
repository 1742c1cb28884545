/* arena.h -- a bump allocator for data that lives and dies together.
 *
 * The network, a parsed JSON document and a loader's intermediate spec are
 * each built from many small pieces that are all freed at once; an arena
 * makes that one call and keeps the pieces close in memory.  Allocation
 * returns NULL on exhaustion of the system allocator (callers report
 * CB_ENOMEM).  cbu_arena_alloc's memory is 16-byte aligned and zero-filled,
 * cbu_arena_dup's 16-byte aligned; strings are packed with no alignment. */
#ifndef CB_UTIL_ARENA_H
#define CB_UTIL_ARENA_H

#include <stddef.h>

typedef struct cbu_arena_block cbu_arena_block;

typedef struct cbu_arena {
    cbu_arena_block *head;    /* newest block; older ones follow */
    size_t block_size;        /* size of the next regular block */
    size_t total;             /* bytes obtained from malloc, for accounting */
} cbu_arena;

void cbu_arena_init(cbu_arena *a);
void *cbu_arena_alloc(cbu_arena *a, size_t n);           /* zeroed */
void *cbu_arena_dup(cbu_arena *a, const void *p, size_t n);
char *cbu_arena_strdup(cbu_arena *a, const char *s);
char *cbu_arena_strndup(cbu_arena *a, const char *s, size_t n);
void cbu_arena_free(cbu_arena *a);

#define CBU_NEW(a, T, n) ((T *)cbu_arena_alloc((a), sizeof(T) * (size_t)(n)))

#endif
