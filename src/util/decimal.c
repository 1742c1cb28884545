/* decimal.c -- Clinger's fast path in front of strtod (see decimal.h). */
#include "decimal.h"

#include <stdint.h>
#include <stdlib.h>

static const double pow10_exact[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool cbu_decimal_fast(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && s[i] == '-') { neg = true; i++; }
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    size_t first = i;
    for (; i < n && is_digit(s[i]); i++) {
        if (m || s[i] != '0') digits++;          /* leading zeros are free */
        if (digits > 15) return false;
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    size_t int_end = i;
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++) {
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
        for (; i < n && is_digit(s[i]); i++) {
            if (e > 1000) return false;
            e = e * 10 + (s[i] - '0');
        }
        if (i == e_first) return false;          /* "1e": not a whole number */
        exp10 += eneg ? -e : e;
    }
    if (i != n || exp10 < -22 || exp10 > 22) return false;
    double d = (double)m;                        /* exact: m < 10^15 < 2^53 */
    d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
    *out = neg ? -d : d;
    return true;
}

double cbu_strtod(const char *s, char **end)
{
    /* the extent strtod would read as a decimal: sign, digits, '.', digits,
     * and an exponent only if digits follow the 'e' */
    const char *p = s;
    if (*p == '-') p++;
    const char *digits = p;
    while (is_digit(*p)) p++;
    if (*p == '.') {
        p++;
        while (is_digit(*p)) p++;
    }
    if (p - digits > (*digits == '.' ? 1 : 0) && *p != 'x' && *p != 'X') {
        if (*p == 'e' || *p == 'E') {
            const char *q = p + 1;
            if (*q == '+' || *q == '-') q++;
            if (is_digit(*q)) {
                while (is_digit(*q)) q++;
                p = q;
            }
        }
        double d;
        if (cbu_decimal_fast(s, (size_t)(p - s), &d)) {
            if (end) *end = (char *)p;
            return d;
        }
    }
    return strtod(s, end);
}
