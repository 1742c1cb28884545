/* decimal.c -- Clinger's fast path in front of strtod (see decimal.h). */
#include "decimal.h"

#include <stdlib.h>

double cbu_strtod(const char *s, char **end)
{
    /* the extent strtod would read as a decimal: sign, digits, '.', digits,
     * and an exponent only if digits follow the 'e' */
    const char *p = s;
    if (*p == '-') p++;
    const char *digits = p;
    while (cbu_is_digit_(*p)) p++;
    if (*p == '.') {
        p++;
        while (cbu_is_digit_(*p)) p++;
    }
    if (p - digits > (*digits == '.' ? 1 : 0) && *p != 'x' && *p != 'X') {
        if (*p == 'e' || *p == 'E') {
            const char *q = p + 1;
            if (*q == '+' || *q == '-') q++;
            if (cbu_is_digit_(*q)) {
                while (cbu_is_digit_(*q)) q++;
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
