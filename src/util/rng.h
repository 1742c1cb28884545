/* rng.h -- the engine's seeded random number generator: MT19937 (32 bit).
 *
 * The same algorithm as C++'s std::mt19937, so a seed means what it means in
 * the reference simulator.  One generator per engine, used only in serial
 * parts of a step, in a fixed order: that is what makes a run identical for
 * any thread count. */
#ifndef CB_UTIL_RNG_H
#define CB_UTIL_RNG_H

#include <stdint.h>

typedef struct cbu_rng {
    uint32_t mt[624];   /* state */
    int idx;            /* next word to temper; 624 = regenerate */
} cbu_rng;

void cbu_rng_seed(cbu_rng *r, uint32_t seed);
uint32_t cbu_rng_next(cbu_rng *r);

#endif
