/* test.h -- the test runner and assertion macros shared by all tests.
 *
 * A test file defines cases with TEST(name) { ... } and ends with
 * TEST_MAIN().  Each ASSERT prints the expression, both values and the
 * location, then fails the case (the remaining cases still run).  A case
 * may call TEST_SKIP("why") when data it needs is absent; a file whose
 * cases all skip exits 77, which ctest reports as skipped. */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct test_case { const char *name; void (*fn)(void); } test_case;

static test_case test_cases_[256];
static int test_n_cases_;
static int test_failed_, test_skipped_;

#define TEST(name)                                                            \
    static void test_##name(void);                                            \
    __attribute__((constructor)) static void test_reg_##name(void)            \
    { test_cases_[test_n_cases_++] = (test_case){ #name, test_##name }; }     \
    static void test_##name(void)

#define TEST_FAIL_(...)                                                       \
    do { fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                    \
         fprintf(stderr, __VA_ARGS__); fputc('\n', stderr);                   \
         test_failed_ = 1; return; } while (0)

#define ASSERT(cond)                                                          \
    do { if (!(cond)) TEST_FAIL_("assertion failed: %s", #cond); } while (0)
#define ASSERT_EQ_INT(a, b)                                                   \
    do { long long a_ = (long long)(a), b_ = (long long)(b);                  \
         if (a_ != b_) TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define ASSERT_NEAR(a, b, tol)                                                \
    do { double a_ = (a), b_ = (b);                                           \
         if (!(fabs(a_ - b_) <= (tol)))                                       \
             TEST_FAIL_("%s ~ %s: %.9g vs %.9g (tol %g)", #a, #b, a_, b_, (double)(tol)); } while (0)
#define ASSERT_STR_EQ(a, b)                                                   \
    do { const char *a_ = (a), *b_ = (b);                                     \
         if (!a_ || !b_ || strcmp(a_, b_) != 0)                               \
             TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define ASSERT_CONTAINS(hay, needle)                                          \
    do { const char *h_ = (hay), *n_ = (needle);                              \
         if (!h_ || !strstr(h_, n_))                                          \
             TEST_FAIL_("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_); } while (0)
#define TEST_SKIP(...)                                                        \
    do { fprintf(stderr, "  skipped: "); fprintf(stderr, __VA_ARGS__);       \
         fputc('\n', stderr); test_skipped_ = 1; return; } while (0)

static inline int test_path_exists(const char *p) { struct stat st; return stat(p, &st) == 0; }

/* Write text to a fresh file under the build's temporary directory. */
static inline const char *test_write_tmp(const char *name, const char *text)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 512, "%s/%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    FILE *f = fopen(p, "wb");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

#define TEST_MAIN()                                                           \
    int main(int argc, char **argv)                                           \
    {                                                                         \
        int failed = 0, skipped = 0, ran = 0;                                 \
        for (int i = 0; i < test_n_cases_; i++) {                             \
            if (argc > 1 && strcmp(argv[1], test_cases_[i].name) != 0) continue; \
            test_failed_ = test_skipped_ = 0;                                 \
            fprintf(stderr, "[ RUN  ] %s\n", test_cases_[i].name);            \
            test_cases_[i].fn();                                              \
            ran++;                                                            \
            if (test_failed_) failed++;                                       \
            else if (test_skipped_) skipped++;                                \
            fprintf(stderr, "[ %s ] %s\n", test_failed_ ? "FAIL" :            \
                    test_skipped_ ? "SKIP" : " OK ", test_cases_[i].name);    \
        }                                                                     \
        fprintf(stderr, "%d cases, %d failed, %d skipped\n", ran, failed, skipped); \
        if (failed) return 1;                                                 \
        if (ran > 0 && skipped == ran) return 77;                             \
        return 0;                                                             \
    }

#endif
