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

/* The n bytes at s, all of them, as a decimal ("-12.5", "3e4"): true and
 * *out set when the fast path applies, false (nothing set) otherwise. */
bool cbu_decimal_fast(const char *s, size_t n, double *out);

/* strtod(s, end), same result, same *end (end may be NULL), same errno
 * behaviour on the inputs it passes to strtod; no errno change otherwise. */
double cbu_strtod(const char *s, char **end);

#endif
