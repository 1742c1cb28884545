/* sim_engine.c -- creating and destroying the engine state. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int sim_open(sim_engine *s, cb_net *net, const demand_spec *demand, const char *flow_file,
             double dt, uint32_t seed, bool lane_change, bool external_signals, int threads,
             cb_error *err)
{
    memset(s, 0, sizeof *s);
    s->net = net;
    s->dt = dt;
    s->inv_dt = 1.0 / dt;
    s->lane_change = lane_change;
    s->external_signals = external_signals;
    cbu_rng_seed(&s->rng, seed);
    s->seed = seed;
    uint32_t nd = net_n_drivables(net);
    s->drv = calloc(nd + 1, sizeof *s->drv);
    s->aux = calloc(nd + 1, sizeof *s->aux);
    s->link_occ = calloc(net->n_lanes + 1, sizeof *s->link_occ);
    s->active = malloc((nd + 1) * sizeof *s->active);
    s->queues = calloc(net->n_lanes + 1, sizeof *s->queues);
    s->queue_bits = calloc((net->n_lanes + 63) / 64 + 1, sizeof *s->queue_bits);
    s->signals = calloc(net->n_inters + 1, sizeof *s->signals);
    s->green = calloc(net->n_roadlinks + 1, 1);
    for (uint32_t l = 0; l < net->n_lanes; l++) s->n_allway_lanes += net->lanes[l].allway;
    s->allway_lanes = malloc((s->n_allway_lanes + 1) * sizeof *s->allway_lanes);
    if (!s->drv || !s->aux || !s->link_occ || !s->active || !s->queues || !s->queue_bits || !s->signals || !s->green ||
        !s->allway_lanes) {
        sim_close(s);
        return cbu_err_nomem(err);
    }
    for (uint32_t l = 0, k = 0; l < net->n_lanes; l++)
        if (net->lanes[l].allway) s->allway_lanes[k++] = l;
    for (uint32_t d = 0; d < nd; d++) {
        s->aux[d].active_pos = SIM_NONE;
        s->aux[d].length = net_drivable_length(net, d);
        s->aux[d].arrived_step = -1;
    }
    int rc = sim_flows_init(s, demand, flow_file, err);
    if (rc) { sim_close(s); return rc; }
    sim_signals_init(s);
    if (sim_threads_start(s, threads)) {
        sim_close(s);
        return cbu_err(err, CB_ENOMEM, "cannot start %d worker threads", threads);
    }
    return CB_OK;
}

void sim_close(sim_engine *s)
{
    sim_threads_stop(s);
    if (s->drv) {
        uint32_t nd = net_n_drivables(s->net);
        for (uint32_t d = 0; d < nd; d++) free(s->drv[d].v);
    }
    if (s->queues)
        for (uint32_t l = 0; l < s->net->n_lanes; l++) free(s->queues[l].q);
    if (s->routes)
        for (uint32_t r = 0; r < s->n_routes; r++) sim_route_free(&s->routes[r]);
    free(s->drv);
    free(s->aux);
    free(s->link_occ);
    free(s->active);
    free(s->queues);
    free(s->queue_bits);
    free(s->veh);
    free(s->free_vids);
    free(s->blocker);
    free(s->blocker_next);
    free(s->routes);
    free(s->free_routes);
    free(s->flows);
    free(s->trip_first);
    free(s->trip_roads);
    sim_dynroute_free(s->dyn);
    free(s->fheap);
    free(s->flow_pending);
    free(s->flow_start);
    free(s->flow_end);
    free(s->flow_interval);
    free(s->signals);
    free(s->det);
    free(s->det_pos);
    free(s->det_first);
    free(s->det_since);
    free(s->incidents);
    free(s->block_pos);
    free(s->idx_keys);
    free(s->idx_vals);
    free(s->green);
    free(s->allway_lanes);
    free(s->vtypes);
    free(s->vt_reach);
    free(s->vparams);
    free(s->lc_active);
    free(s->lc_all);
    free(s->id_buf);
    if (s->replay) fclose(s->replay);
    net_free(s->net);
    memset(s, 0, sizeof *s);
}

const char *sim_vehicle_id(sim_engine *s, uint32_t vid, char *buf, size_t cap)
{
    const sim_veh *v = &s->veh[vid];
    if (v->flow == SIM_NONE) snprintf(buf, cap, "manually_pushed_%u", v->seq);
    else snprintf(buf, cap, "flow_%u_%u", v->flow, v->seq);
    return buf;
}
