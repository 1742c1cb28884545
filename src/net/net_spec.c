/* net_spec.c -- life cycle of the input-side descriptions. */
#include "net_spec.h"

#include <stdlib.h>
#include <string.h>

void net_spec_init(net_spec *s)
{
    memset(s, 0, sizeof *s);
    cbu_arena_init(&s->arena);
}

void net_spec_free(net_spec *s)
{
    cbu_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}

void demand_spec_init(demand_spec *d)
{
    memset(d, 0, sizeof *d);
    cbu_arena_init(&d->arena);
}

void demand_spec_free(demand_spec *d)
{
    free(d->flows_heap);
    cbu_arena_free(&d->arena);
    memset(d, 0, sizeof *d);
}
