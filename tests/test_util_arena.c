/* test_util_arena.c -- the bump allocator: what cbu_arena_alloc and
 * cbu_arena_dup promise (16-byte alignment, zeroes) still holds between
 * strings, which are packed with no alignment; big pieces get their own
 * block without closing the open one. */
#include "test.h"
#include "util/arena.h"

#include <stdint.h>

static int aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }

TEST(strings_are_packed_and_other_pieces_stay_aligned)
{
    cbu_arena a;
    cbu_arena_init(&a);
    /* "ab" takes 3 bytes, so the next string starts 3 bytes later: no
     * rounding to 16 */
    char *s1 = cbu_arena_strdup(&a, "ab");
    char *s2 = cbu_arena_strndup(&a, "xyz123", 3);
    ASSERT(s1 && s2);
    ASSERT_EQ_INT((int)(s2 - s1), 3);
    ASSERT_STR_EQ(s1, "ab");
    ASSERT_STR_EQ(s2, "xyz");
    /* after an odd length, an allocation and a copy are aligned again,
     * zeroed and copied whole, and the strings before are intact */
    double *d = CBU_NEW(&a, double, 3);
    ASSERT(d);
    ASSERT(aligned16(d));
    ASSERT(d[0] == 0 && d[1] == 0 && d[2] == 0);
    ASSERT((char *)d >= s2 + 4);
    char *s3 = cbu_arena_strdup(&a, "q");
    static const uint64_t words[2] = { 0x0123456789abcdefull, 42 };
    uint64_t *w = cbu_arena_dup(&a, words, sizeof words);
    ASSERT(s3 && w);
    ASSERT(aligned16(w));
    ASSERT(w[0] == words[0] && w[1] == 42);
    ASSERT_STR_EQ(s1, "ab");
    ASSERT_STR_EQ(s2, "xyz");
    ASSERT_STR_EQ(s3, "q");
    ASSERT_STR_EQ(cbu_arena_strdup(&a, ""), "");
    cbu_arena_free(&a);
}

TEST(a_big_piece_gets_its_own_block_and_the_open_one_goes_on)
{
    cbu_arena a;
    cbu_arena_init(&a);
    char *s1 = cbu_arena_strdup(&a, "abc");
    size_t big = a.block_size;            /* more than a quarter of a block */
    unsigned char *p = cbu_arena_alloc(&a, big);
    char *s2 = cbu_arena_strdup(&a, "de");
    ASSERT(s1 && p && s2);
    ASSERT(aligned16(p));
    ASSERT(p[0] == 0 && p[big - 1] == 0);
    ASSERT_EQ_INT((int)(s2 - s1), 4);     /* the small pieces share the first block */
    /* many strings across several blocks, each intact */
    char buf[32], *all[5000];
    for (int i = 0; i < 5000; i++) {
        snprintf(buf, sizeof buf, "s%d", i * 7919);
        ASSERT((all[i] = cbu_arena_strdup(&a, buf)));
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(buf, sizeof buf, "s%d", i * 7919);
        ASSERT_STR_EQ(all[i], buf);
    }
    cbu_arena_free(&a);
}

TEST_MAIN()
