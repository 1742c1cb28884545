/* sim_pub.c -- the "published" average travel time of the research papers.
 *
 * The papers' environments (CoLight, Advanced-XLight, LLMLight) record,
 * per signalized intersection, when a vehicle first appears on one of its
 * incoming lanes and when it is last seen leaving them; a vehicle's time is
 * the sum over intersections of (last leave - first enter), and the metric
 * is the mean over vehicles with at least one such pair (docs/metrics.md).
 *
 * For the usual route that passes each intersection once this is the time
 * spent on incoming lanes.  A route that comes back to an intersection
 * (4% of Jinan's) contributes the whole loop, because the first enter time
 * is kept and the leave time overwritten.  We handle that from the static
 * route: at a revisit the sum grows by (this leave - previous leave), the
 * previous leave being kept in a two-entry memo on the vehicle.  Times are
 * steps ("after the step" = step + 1), so the sums are exact integers. */
#include "sim.h"

#include <stdlib.h>

int sim_pub_route_init(sim_engine *s, sim_route *r)
{
    const cb_net *n = s->net;
    r->pub_inter = malloc(r->n * sizeof *r->pub_inter);
    r->pub_flags = calloc(r->n, 1);
    if (!r->pub_inter || !r->pub_flags) return -1;
    for (uint32_t k = 0; k < r->n; k++) {
        const net_road *rd = &n->roads[r->roads[k]];
        r->pub_inter[k] = rd->incoming_signal ? rd->to : SIM_NONE;
        if (r->pub_inter[k] == SIM_NONE) continue;
        for (uint32_t j = 0; j < k; j++)
            if (r->pub_inter[j] == r->pub_inter[k]) {
                r->pub_flags[k] |= SIM_PUB_REVISIT;
                r->pub_flags[j] |= SIM_PUB_LATER;
            }
    }
    return 0;
}

void sim_pub_enter(const sim_engine *s, sim_veh *v)
{
    const sim_route *r = &s->routes[v->route];
    uint32_t k = v->route_pos;
    if (r->pub_inter[k] == SIM_NONE) return;
    if (!(r->pub_flags[k] & SIM_PUB_REVISIT) || v->pub_enter_step == -2)
        v->pub_enter_step = s->step + 1;
    else
        v->pub_enter_step = -2;               /* a revisit: the first enter stands */
}

static void pub_add(sim_veh *v, int64_t steps, sim_wctx *w)
{
    w->pub_sum_steps += steps;
    if (!v->pub_has) {
        v->pub_has = 1;
        w->pub_count++;
    }
}

void sim_pub_leave(const sim_engine *s, sim_veh *v, sim_wctx *w)
{
    const sim_route *r = &s->routes[v->route];
    uint32_t k = v->route_pos, inter = r->pub_inter[k];
    int64_t now = s->step + 1;
    if (inter == SIM_NONE || v->pub_enter_step == -1) return;
    int slot = -1;
    for (int i = 0; i < 2; i++)
        if (v->pub_memo_inter[i] == inter) slot = i;
    if (v->pub_enter_step == -2 && slot >= 0) {
        pub_add(v, now - v->pub_memo_leave[slot], w);
    } else {
        if (v->pub_enter_step < 0) { v->pub_enter_step = -1; return; }
        pub_add(v, now - v->pub_enter_step, w);
    }
    v->pub_enter_step = -1;
    if (r->pub_flags[k] & SIM_PUB_LATER) {
        if (slot < 0) slot = v->pub_memo_inter[0] == SIM_NONE ? 0 : 1;
        v->pub_memo_inter[slot] = inter;
        v->pub_memo_leave[slot] = now;
    } else if (slot >= 0) {
        v->pub_memo_inter[slot] = SIM_NONE;
    }
}
