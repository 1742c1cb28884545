/* sim_signal.c -- signal state: the current phase of every intersection.
 *
 * A signal is (phase, remaining seconds).  In fixed-time mode the roadnet's
 * plan cycles the phases in file order, starting at phase 0 (CityFlow's
 * TrafficLight::passTime); in external mode only sim_signal_set changes
 * phases.  The per-roadlink `green` array is what vehicles read; it changes
 * only when a phase changes. */
#include "sim.h"

static void apply_phase(sim_engine *s, uint32_t inter)
{
    const cb_net *n = s->net;
    const net_inter *in = &n->inters[inter];
    if (!in->n_phases) return;
    uint32_t ph = in->first_phase + s->signals[inter].phase;
    /* 1: green; 3: green but minor; 7: minor, and drivers stop first (SUMO
     * inputs only, see net_phase_minor and net_phase_stop) */
    for (uint32_t k = 0; k < in->n_roadlinks; k++) {
        uint32_t rl = in->first_roadlink + k;
        s->green[rl] = (uint8_t)(net_phase_green(n, ph, rl) | (net_phase_minor(n, ph, rl) << 1) |
                                 (net_phase_stop(n, ph, rl) << 2));
    }
}

void sim_signals_init(sim_engine *s)
{
    const cb_net *n = s->net;
    for (uint32_t i = 0; i < n->n_inters; i++) {
        const net_inter *in = &n->inters[i];
        s->signals[i].phase = 0;
        s->signals[i].remain = in->n_phases ? n->phases[in->first_phase].time : 0;
        if (in->n_phases) apply_phase(s, i);
        else
            for (uint32_t k = 0; k < in->n_roadlinks; k++) s->green[in->first_roadlink + k] = 1;
    }
}

void sim_signals_apply_all(sim_engine *s)
{
    for (uint32_t i = 0; i < s->net->n_inters; i++) apply_phase(s, i);
}

void sim_signals_tick(sim_engine *s)
{
    const cb_net *n = s->net;
    for (uint32_t i = 0; i < n->n_inters; i++) {
        const net_inter *in = &n->inters[i];
        if (!in->n_phases) continue;
        sim_signal *g = &s->signals[i];
        g->remain -= s->dt;
        if (g->remain > 0) continue;
        while (g->remain <= 0) {
            g->phase = (g->phase + 1) % in->n_phases;
            g->remain += n->phases[in->first_phase + g->phase].time;
        }
        apply_phase(s, i);
    }
}

void sim_signal_set(sim_engine *s, uint32_t inter, uint32_t phase)
{
    const net_inter *in = &s->net->inters[inter];
    s->signals[inter].phase = phase;
    s->signals[inter].remain = s->net->phases[in->first_phase + phase].time;
    apply_phase(s, inter);
}
