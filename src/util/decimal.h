/* decimal.h -- decimal text to double, exactly as strtod, without its cost.
 *
 * glibc's strtod spends 500-700 instructions on a short decimal such as
 * "57600.20" (it runs multi-precision arithmetic for every input).  The
 * numbers in our input files are almost all short decimals: SUMO's
 * coordinates, lengths and departure times, CityFlow's reals.  With at
 * most 15 significant digits and a decimal exponent of at most 22 in size,
 * the mantissa and the power of ten are exact doubles, and one correctly
 * rounded multiplication or division gives exactly the correctly rounded
 * result that strtod returns (Clinger's fast path, 1990).  Anything else
 * (more digits, larger exponents, hex, inf, nan, leading blanks, '+')
 * goes to strtod itself, so callers get strtod's answer in every case. */
#ifndef CB_UTIL_DECIMAL_H
#define CB_UTIL_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 10^0 .. 10^22: exactly representable as doubles. */
static const double cbu_pow10_exact_[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline bool cbu_is_digit_(char c) { return c >= '0' && c <= '9'; }

/* The n bytes at s, all of them, as a decimal ("-12.5", "3e4"): true and
 * *out set when the fast path applies, false (nothing set) otherwise.
 * Inline: the JSON reader calls it for every number. */
static inline bool cbu_decimal_fast(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') { neg = true; i++; }
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    size_t first = i;
    for (; i < n && cbu_is_digit_(s[i]); i++) {
        if (m || s[i] != '0') digits++;          /* leading zeros are free */
        if (digits > 15) return false;
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    size_t int_end = i;
    if (i < n && s[i] == '.') {
        for (i++; i < n && cbu_is_digit_(s[i]); i++) {
            if (m || s[i] != '0') digits++;
            if (digits > 15) return false;
            m = m * 10 + (uint64_t)(s[i] - '0');
            exp10--;
        }
    }
    if (int_end == first && i - int_end <= 1) return false;   /* no digit at all */
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        size_t e_first = i;
        int e = 0;
        for (; i < n && cbu_is_digit_(s[i]); i++) {
            if (e > 1000) return false;
            e = e * 10 + (s[i] - '0');
        }
        if (i == e_first) return false;          /* "1e": not a whole number */
        exp10 += eneg ? -e : e;
    }
    if (i != n || exp10 < -22 || exp10 > 22) return false;
    double d = (double)m;                        /* exact: m < 10^15 < 2^53 */
    d = exp10 < 0 ? d / cbu_pow10_exact_[-exp10] : d * cbu_pow10_exact_[exp10];
    *out = neg ? -d : d;
    return true;
}


/* strtod(s, end), same result, same *end (end may be NULL), same errno
 * behaviour on the inputs it passes to strtod; no errno change otherwise. */
double cbu_strtod(const char *s, char **end);

#endif
