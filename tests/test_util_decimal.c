/* test_util_decimal.c -- cbu_strtod and cbu_decimal_fast against glibc's
 * strtod, which rounds correctly: the same bits and the same end, for
 * hand-picked edge cases and for random decimals of every length. */
#include "test.h"
#include "util/decimal.h"

#include <stdint.h>

static int same_as_strtod(const char *s)
{
    char *e1, *e2;
    double a = cbu_strtod(s, &e1), b = strtod(s, &e2);
    if (memcmp(&a, &b, sizeof a) != 0 || e1 != e2) {
        fprintf(stderr, "  \"%s\": cbu_strtod %.17g (end +%td), strtod %.17g (end +%td)\n", s, a,
                e1 - s, b, e2 - s);
        return 0;
    }
    return 1;
}

TEST(edge_cases_match_strtod)
{
    static const char *cases[] = {
        "", "-", ".", "-.", "5.", ".5", "-.5", "0", "-0", "-0.0", "0.1", "57600.20", "213003.70,451489.81",
        "0x1p3", "0X10", "inf", "-infinity", "nan", " 1.5", "+1.5", "1e", "1e+", "1e-", "2e3", "2E-3",
        "1e22", "1e23", "1e-22", "1e-23", "1e400", "1e-400", "4.9e-324", "1.7976931348623157e308",
        "123456789012345", "1234567890123456", "9007199254740993", "0.000000000000000000001",
        "00000000000000000012.5", "12.50000000000000000000", "3.14159 ", "7,8", "1.5e3x", "1..2", "--1",
        "1e99999999999999", "0.0000000000000000000000000", "999999999999999e22", "999999999999999e-22",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) ASSERT(same_as_strtod(cases[i]));
}

/* Random decimals: up to 20 integer and 20 fraction digits, exponents up
 * to +-40, signs and a trailing character.  Inputs of 16-19 digits are
 * where a fast path that trusted more digits than a double holds would
 * round twice and differ. */
TEST(random_decimals_match_strtod)
{
    uint64_t z = 42;
    char buf[80];
    int bad = 0;
    for (int n = 0; n < 200000 && bad < 5; n++) {
        z = z * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = z >> 11;
        char *p = buf;
        if (r % 3 == 0) *p++ = '-';
        int ni = (int)(r >> 2) % 21, nf = (int)(r >> 7) % 21;
        uint64_t y = z;
        for (int i = 0; i < ni + nf + 1; i++) {
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            if (i == ni) { if ((r >> 12) % 4) *p++ = '.'; continue; }
            *p++ = (char)('0' + (y >> 33) % 10);
        }
        if ((r >> 14) % 4 == 0) p += sprintf(p, "e%d", (int)((r >> 16) % 81) - 40);
        static const char tail[] = "\0 ,e.x";
        *p++ = tail[(r >> 24) % 6];
        *p = '\0';
        if (!same_as_strtod(buf)) bad++;
    }
    ASSERT_EQ_INT(bad, 0);
}

TEST(fast_path_takes_short_decimals_only)
{
    double d = 0;
    ASSERT(cbu_decimal_fast("57600.20", 8, &d) && d == 57600.20);
    ASSERT(cbu_decimal_fast("-3e4", 4, &d) && d == -30000.0);
    ASSERT(!cbu_decimal_fast("1234567890123456", 16, &d));   /* 16 digits: strtod's job */
    ASSERT(!cbu_decimal_fast("1e23", 4, &d));                /* 10^23 is not a double */
    ASSERT(!cbu_decimal_fast(".", 1, &d));
    ASSERT(!cbu_decimal_fast("1.5 ", 4, &d));                /* every byte must be read */
}

TEST_MAIN()
