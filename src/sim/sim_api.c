/* sim_api.c -- the public cb_engine_* functions of citybrain.h.
 *
 * Opening a scenario: find the files (a config.json, or a folder with one
 * roadnet and one flow file), load them into specs, build the network,
 * then start the engine.  Everything after that is a thin view of sim.h. */
#include "sim.h"
#include "../load/cityflow.h"
#include "../util/fileio.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cb_options_init(cb_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->threads = 1;
    opt->lane_change = -1;
    opt->external_signals = -1;
}

/*--- finding the files ----------------------------------------------------------*/

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pick the roadnet and flow files of a folder without config.json. */
static int scan_folder(const char *dir, const cb_options *opt, cf_config *cfg, cb_error *err)
{
    DIR *dp = opendir(dir);
    if (!dp) return cbu_err(err, CB_EIO, "%s: cannot open folder", dir);
    char *roadnets[64], *flows[64];
    int nr = 0, nf = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        const char *nm = de->d_name;
        size_t len = strlen(nm);
        if (len < 6 || strcmp(nm + len - 5, ".json") != 0 || strcmp(nm, "config.json") == 0) continue;
        if (strstr(nm, "replay") || strstr(nm, "Log") || strstr(nm, "log")) continue;
        if (strstr(nm, "roadnet")) { if (nr < 64) roadnets[nr++] = strdup(nm); }
        else if (nf < 64) flows[nf++] = strdup(nm);
    }
    closedir(dp);
    qsort(roadnets, (size_t)nr, sizeof *roadnets, name_cmp);
    qsort(flows, (size_t)nf, sizeof *flows, name_cmp);
    int rc = CB_OK;
    char list[600] = "";
    if (!opt->roadnet_file && nr != 1) {
        for (int i = 0; i < nr; i++) { strncat(list, i ? ", " : "", 599 - strlen(list)); strncat(list, roadnets[i], 599 - strlen(list)); }
        rc = nr == 0 ? cbu_err(err, CB_ENOTFOUND, "%s: no roadnet file (a .json file with \"roadnet\" in its name); name one with --roadnet", dir)
                     : cbu_err(err, CB_EINVAL, "%s: several roadnet files (%s); choose one with --roadnet", dir, list);
    } else if (!opt->flow_file && nf != 1) {
        for (int i = 0; i < nf; i++) { strncat(list, i ? ", " : "", 599 - strlen(list)); strncat(list, flows[i], 599 - strlen(list)); }
        rc = nf == 0 ? cbu_err(err, CB_ENOTFOUND, "%s: no flow file; name one with --flow", dir)
                     : cbu_err(err, CB_EINVAL, "%s: several flow files (%s); choose one with --flow", dir, list);
    }
    if (rc == CB_OK) {
        if (!opt->roadnet_file) cfg->roadnet_file = cbu_path_join(dir, roadnets[0]);
        if (!opt->flow_file) cfg->flow_file = cbu_path_join(dir, flows[0]);
    }
    for (int i = 0; i < nr; i++) free(roadnets[i]);
    for (int i = 0; i < nf; i++) free(flows[i]);
    return rc;
}

/* A file named on the command line: as given, or inside the scenario folder. */
static char *resolve_option_file(const char *dir, const char *name)
{
    if (dir && name[0] != '/') {
        char *p = cbu_path_join(dir, name);
        if (p && access(p, F_OK) == 0) return p;
        free(p);
    }
    return strdup(name);
}

static int resolve_scenario(const char *path, const cb_options *opt, cf_config *cfg, cb_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->interval = 1.0;
    char *dir = NULL;
    int rc = CB_OK;
    if (cbu_path_is_dir(path)) {
        dir = strdup(path);
        char *cpath = cbu_path_join(path, "config.json");
        if (cpath && access(cpath, F_OK) == 0) rc = cf_config_load(cpath, cfg, err);
        else rc = scan_folder(path, opt, cfg, err);
        free(cpath);
    } else if (access(path, F_OK) != 0) {
        rc = cbu_err(err, CB_EIO, "%s: no such file or folder", path);
    } else {
        rc = cf_config_load(path, cfg, err);
        dir = cbu_path_dir(path);
    }
    if (rc == CB_OK && opt->roadnet_file) {
        free(cfg->roadnet_file);
        cfg->roadnet_file = resolve_option_file(dir, opt->roadnet_file);
    }
    if (rc == CB_OK && opt->flow_file) {
        free(cfg->flow_file);
        cfg->flow_file = resolve_option_file(dir, opt->flow_file);
    }
    free(dir);
    if (rc == CB_OK && (!cfg->roadnet_file || !cfg->flow_file)) rc = cbu_err_nomem(err);
    if (rc) cf_config_free(cfg);
    return rc;
}

/*--- opening ------------------------------------------------------------------------*/

int sim_engine_create(const net_spec *spec, const demand_spec *demand, const char *roadnet_label,
                      const char *flow_label, const cb_options *opt, const sim_defaults *def,
                      cb_engine **out, cb_error *err)
{
    cb_options defaults;
    if (!opt) { cb_options_init(&defaults); opt = &defaults; }
    *out = NULL;
    if (opt->threads < 1 || opt->threads > 256)
        return cbu_err(err, CB_EINVAL, "threads must be between 1 and 256 (got %d)", opt->threads);
    if (!(opt->interval == 0 || (opt->interval >= CB_INTERVAL_MIN && opt->interval <= 3600)))
        return cbu_err(err, CB_EINVAL, "interval must be between %g and 3600 s (0: from the scenario)", CB_INTERVAL_MIN);
    cb_net *net = NULL;
    int rc = net_build(spec, &net, err);
    if (rc) {
        cbu_err_prefix(err, "%s: ", roadnet_label);
        return rc;
    }
    cb_engine *e = calloc(1, sizeof *e);
    if (!e) { net_free(net); return cbu_err_nomem(err); }
    double dt = opt->interval > 0 ? opt->interval : def->interval;
    uint32_t seed = (uint32_t)(opt->seed_set ? opt->seed : def->seed);
    bool lc = opt->lane_change >= 0 ? opt->lane_change != 0 : def->lane_change;
    bool ext = opt->external_signals >= 0 ? opt->external_signals != 0 : def->external_signals;
    rc = sim_open(&e->s, net, demand, flow_label, dt, seed, lc, ext, opt->threads, err);
    if (rc) { free(e); return rc; }                 /* sim_open freed net */
    *out = e;
    return CB_OK;
}

int cb_engine_open(const char *path, const cb_options *opt_in, cb_engine **out, cb_error *err)
{
    cb_options defaults;
    const cb_options *opt = opt_in;
    if (!opt) { cb_options_init(&defaults); opt = &defaults; }
    *out = NULL;
    cf_config cfg;
    int rc = resolve_scenario(path, opt, &cfg, err);
    if (rc) return rc;
    net_spec spec;
    demand_spec demand;
    net_spec_init(&spec);
    demand_spec_init(&demand);
    cb_engine *e = NULL;
    if ((rc = cf_roadnet_load(cfg.roadnet_file, &spec, err))) goto done;
    if ((rc = cf_flow_load(cfg.flow_file, &spec, &demand, err))) goto done;
    sim_defaults def = { cfg.interval, cfg.seed, cfg.lane_change, cfg.rl_traffic_light };
    if ((rc = sim_engine_create(&spec, &demand, cfg.roadnet_file, cfg.flow_file, opt, &def, &e, err))) goto done;
    if (cfg.save_replay && !opt->no_replay) {
        rc = cb_engine_set_replay(e, cfg.roadnet_log_file, cfg.replay_log_file, err);
        if (rc) { cb_engine_close(e); e = NULL; goto done; }
    }
    *out = e;
done:
    net_spec_free(&spec);
    demand_spec_free(&demand);
    cf_config_free(&cfg);
    return rc;
}

void cb_engine_close(cb_engine *e)
{
    if (!e) return;
    sim_close(&e->s);
    free(e);
}

int cb_engine_step(cb_engine *e, cb_error *err) { return sim_step(&e->s, err); }
double cb_engine_time(const cb_engine *e) { return (double)e->s.step * e->s.dt; }
double cb_engine_interval(const cb_engine *e) { return e->s.dt; }
int cb_engine_threads(const cb_engine *e) { return e->s.n_threads; }
int64_t cb_engine_seed(const cb_engine *e) { return e->s.seed; }
size_t cb_engine_flow_count(const cb_engine *e) { return e->s.n_flows; }
bool cb_engine_lane_change(const cb_engine *e) { return e->s.lane_change; }

void cb_engine_metrics(const cb_engine *e, cb_metrics *m)
{
    const sim_engine *s = &e->s;
    memset(m, 0, sizeof *m);
    m->time = (double)s->step * s->dt;
    m->steps = s->step;
    m->created = s->created;
    m->finished = s->finished;
    m->running = s->running;
    m->queued = s->queued;
    m->veh_updates = s->veh_updates;
    for (uint32_t i = 0; i < s->n_active; i++) {
        const sim_drv *D = &s->drv[s->active[i]];
        for (uint32_t k = 0; k < D->n; k++) m->waiting += D->v[k].speed < SIM_WAITING_SPEED;
    }
    int64_t unfinished = s->created - s->finished;
    if (s->created > 0)
        m->engine_att = (double)(s->sum_tt_steps + unfinished * s->step - s->sum_create_unfinished) *
                        s->dt / (double)s->created;
    m->published_vehicles = s->pub_count;
    m->stopped_on_approaches = s->stopped_approach;
    m->queue_sum = s->queue_sum;
    if (s->pub_count > 0) m->published_att = (double)s->pub_sum_steps * s->dt / (double)s->pub_count;
}

/*--- network views ---------------------------------------------------------------------*/

size_t cb_engine_lane_count(const cb_engine *e) { return e->s.net->n_lanes; }

const char *cb_engine_lane_id(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? e->s.net->lanes[lane].id : NULL;
}

void cb_engine_lane_vehicle_counts(const cb_engine *e, uint32_t *out)
{
    for (uint32_t l = 0; l < e->s.net->n_lanes; l++) out[l] = e->s.drv[l].n;
}

void cb_engine_lane_waiting_counts(const cb_engine *e, uint32_t *out)
{
    const sim_engine *s = &e->s;
    for (uint32_t l = 0; l < s->net->n_lanes; l++) {
        uint32_t w = 0;
        for (uint32_t k = 0; k < s->drv[l].n; k++) w += s->drv[l].v[k].speed < SIM_WAITING_SPEED;
        out[l] = w;
    }
}

size_t cb_engine_road_count(const cb_engine *e) { return e->s.net->n_roads; }

const char *cb_engine_road_id(const cb_engine *e, size_t road)
{
    return road < e->s.net->n_roads ? e->s.net->roads[road].id : NULL;
}

size_t cb_engine_intersection_count(const cb_engine *e) { return e->s.net->n_inters; }

const char *cb_engine_intersection_id(const cb_engine *e, size_t i)
{
    return i < e->s.net->n_inters ? e->s.net->inters[i].id : NULL;
}

bool cb_engine_intersection_virtual(const cb_engine *e, size_t i)
{
    return i < e->s.net->n_inters && e->s.net->inters[i].is_virtual;
}

bool cb_engine_intersection_signalized(const cb_engine *e, size_t i)
{
    return i < e->s.net->n_inters && !e->s.net->inters[i].is_virtual && !e->s.net->inters[i].unsignalized;
}

int cb_engine_phase_count(const cb_engine *e, size_t i)
{
    return i < e->s.net->n_inters ? (int)e->s.net->inters[i].n_phases : 0;
}

int cb_engine_phase(const cb_engine *e, size_t i)
{
    return i < e->s.net->n_inters ? (int)e->s.signals[i].phase : -1;
}

long cb_engine_intersection_find(const cb_engine *e, const char *id)
{
    uint32_t i;
    return cbu_strmap_get(&e->s.net->inter_by_id, id, &i) ? (long)i : -1;
}

int cb_engine_set_phase(cb_engine *e, size_t inter, int phase, cb_error *err)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters)
        return cbu_err(err, CB_EINVAL, "intersection index %zu out of range (%u intersections)", inter, n->n_inters);
    if (phase < 0 || (uint32_t)phase >= n->inters[inter].n_phases)
        return cbu_err(err, CB_EINVAL, "intersection %s has no phase %d (it has %u)", n->inters[inter].id,
                       phase, n->inters[inter].n_phases);
    sim_signal_set(&e->s, (uint32_t)inter, (uint32_t)phase);
    return CB_OK;
}

/*--- vehicles -------------------------------------------------------------------------------*/

int cb_engine_foreach_vehicle(const cb_engine *ce, bool include_queued, cb_vehicle_fn fn, void *ud)
{
    sim_engine *s = (sim_engine *)&ce->s;     /* id buffer only */
    char id[64];
    uint32_t nd = net_n_drivables(s->net);
    for (uint32_t d = 0; d < nd; d++) {
        const sim_drv *D = &s->drv[d];
        for (uint32_t k = 0; k < D->n; k++) {
            bool shadow = (D->v[k].flags & SIM_SLOT_SHADOW) != 0;
            sim_vehicle_id(s, D->v[k].vid, id, 48);
            if (shadow) strcat(id, "_shadow");        /* CityFlow's name for the copy */
            cb_vehicle v = { id, D->v[k].speed, D->v[k].dist, true, d, shadow };
            int r = fn(&v, ud);
            if (r) return r;
        }
    }
    if (include_queued)
        for (uint32_t l = 0; l < s->net->n_lanes; l++) {
            const sim_queue *q = &s->queues[l];
            for (uint32_t k = 0; k < q->n; k++) {
                cb_vehicle v = { sim_vehicle_id(s, q->q[q->head + k], id, sizeof id), 0, 0, false, l, false };
                int r = fn(&v, ud);
                if (r) return r;
            }
        }
    return 0;
}

/*--- digest -----------------------------------------------------------------------------*/

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

uint64_t cb_engine_digest(const cb_engine *e)
{
    const sim_engine *s = &e->s;
    uint64_t h = mix(0, (uint64_t)s->step);
    uint32_t nd = net_n_drivables(s->net);
    for (uint32_t d = 0; d < nd; d++) {
        const sim_drv *D = &s->drv[d];
        if (!D->n) continue;
        h = mix(h, d);
        for (uint32_t k = 0; k < D->n; k++) {
            const sim_slot *sl = &D->v[k];
            h = mix(h, sl->vid);
            h = mix(h, dbits(sl->dist));
            h = mix(h, dbits(sl->speed));
            h = mix(h, sl->flags);
        }
    }
    for (uint32_t l = 0; l < s->net->n_lanes; l++)
        for (uint32_t k = 0; k < s->queues[l].n; k++) h = mix(h, s->queues[l].q[s->queues[l].head + k]);
    for (uint32_t i = 0; i < s->net->n_inters; i++) h = mix(h, s->signals[i].phase);
    h = mix(h, (uint64_t)s->created);
    h = mix(h, (uint64_t)s->finished);
    h = mix(h, (uint64_t)s->sum_tt_steps);
    h = mix(h, (uint64_t)s->pub_sum_steps);
    h = mix(h, (uint64_t)s->veh_updates);
    if (s->dyn) {                       /* what trips will be routed on */
        sim_dynroute_state v = sim_dynroute_view(s->dyn);
        h = mix(h, *v.k);
        for (uint32_t r = 0; r < v.n_roads; r++) h = mix(h, dbits(v.speed[r]));
    }
    return h;
}

/*--- detectors ----------------------------------------------------------------------------*/

/* Vehicles of drivable d between `from` and `to` (metres from its start):
 * into out's count, stopped and speed sum; returns the metres of vehicle
 * body in it. */
static double observe_span(const sim_engine *s, uint32_t d, double from, double to, cb_lane_obs *out,
                           double *speed)
{
    const sim_drv *D = &s->drv[d];
    double covered = 0;
    for (uint32_t k = 0; k < D->n; k++) {
        const sim_slot *sl = &D->v[k];
        double front = sl->dist, rear = front - s->vtypes[sl->vtype].length;
        if (front < from || rear >= to) continue;
        if (rear < from) rear = from;
        if (front > to) front = to;
        covered += front - rear;
        out->count++;
        out->stopped += sl->speed < SIM_WAITING_SPEED;
        *speed += sl->speed;
    }
    return covered;
}

int cb_engine_lane_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out, cb_error *err)
{
    const sim_engine *s = &e->s;
    if (lane >= s->net->n_lanes)
        return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, s->net->n_lanes);
    double len = s->aux[lane].length, speed = 0;
    if (!(zone > 0) || zone > len) zone = len;
    memset(out, 0, sizeof *out);
    out->zone = zone;
    double covered = observe_span(s, (uint32_t)lane, len - zone, len, out, &speed);
    out->occupancy = zone > 0 ? (covered < zone ? covered / zone : 1.0) : 0;
    out->mean_speed = out->count ? speed / out->count : 0;
    return CB_OK;
}

/* A detector zone along a street that SUMO split into edges at junctions
 * without a signal: from the lane's stop line upstream (along net_lane.feed)
 * or from its start downstream (along net_lane.onward), over the lanes and
 * the junctions' links, for `zone` metres (<= 0: as far as it goes), at
 * most 64 drivables (a ring of such junctions must not loop for ever). */
static int observe_street(const cb_engine *e, size_t lane, double zone, bool upstream, cb_lane_obs *out,
                          cb_error *err)
{
    const sim_engine *s = &e->s;
    const cb_net *n = s->net;
    if (lane >= n->n_lanes)
        return cbu_err(err, CB_EINVAL, "lane index %zu out of range (%u lanes)", lane, n->n_lanes);
    if ((upstream ? n->lanes[lane].feed : n->lanes[lane].onward) == NET_NONE)
        return cb_engine_lane_observe(e, lane, zone, out, err);
    double want = zone > 0 ? zone : INFINITY, got = 0, covered = 0, speed = 0;
    memset(out, 0, sizeof *out);
    uint32_t d = (uint32_t)lane;
    for (int hop = 0; hop < 64 && got < want; hop++) {
        double len = s->aux[d].length, take = len < want - got ? len : want - got;
        covered += upstream ? observe_span(s, d, len - take, len, out, &speed) : observe_span(s, d, 0, take, out, &speed);
        got += take;
        uint32_t next;
        if (d >= n->n_lanes) next = upstream ? n->links[d - n->n_lanes].start_lane : n->links[d - n->n_lanes].end_lane;
        else if ((next = upstream ? n->lanes[d].feed : n->lanes[d].onward) != NET_NONE) next += n->n_lanes;
        else break;
        d = next;
    }
    out->zone = got;
    out->occupancy = got > 0 ? (covered < got ? covered / got : 1.0) : 0;
    out->mean_speed = out->count ? speed / out->count : 0;
    return CB_OK;
}

int cb_engine_approach_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out, cb_error *err)
{
    return observe_street(e, lane, zone, true, out, err);
}

int cb_engine_exit_observe(const cb_engine *e, size_t lane, double zone, cb_lane_obs *out, cb_error *err)
{
    return observe_street(e, lane, zone, false, out, err);
}

double cb_engine_lane_length(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? e->s.net->lanes[lane].length : 0;
}

double cb_engine_lane_max_speed(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? e->s.net->lanes[lane].max_speed : 0;
}

size_t cb_engine_lane_road(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? e->s.net->lanes[lane].road : (size_t)-1;
}

int cb_engine_lane_index(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? (int)e->s.net->lanes[lane].index : -1;
}

/*--- topology -----------------------------------------------------------------------------*/

int cb_engine_road_info(const cb_engine *e, size_t road, cb_road_info *out)
{
    const cb_net *n = e->s.net;
    if (road >= n->n_roads) return CB_EINVAL;
    const net_road *r = &n->roads[road];
    out->id = r->id;
    out->from = r->from;
    out->to = r->to;
    out->first_lane = r->first_lane;
    out->n_lanes = r->n_lanes;
    out->length = r->length;
    return CB_OK;
}

long cb_engine_road_find(const cb_engine *e, const char *id)
{
    uint32_t r;
    return cbu_strmap_get(&e->s.net->road_by_id, id, &r) ? (long)r : -1;
}

size_t cb_engine_movement_count(const cb_engine *e, size_t inter)
{
    return inter < e->s.net->n_inters ? e->s.net->inters[inter].n_roadlinks : 0;
}

static const net_roadlink *movement_at(const cb_engine *e, size_t inter, size_t k)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters || k >= n->inters[inter].n_roadlinks) return NULL;
    return &n->roadlinks[n->inters[inter].first_roadlink + k];
}

int cb_engine_movement(const cb_engine *e, size_t inter, size_t k, cb_movement *out)
{
    const net_roadlink *rl = movement_at(e, inter, k);
    if (!rl) return CB_EINVAL;
    out->start_road = rl->start_road;
    out->end_road = rl->end_road;
    out->type = rl->turn;
    out->n_lane_links = rl->n_links;
    return CB_OK;
}

int cb_engine_movement_lanes(const cb_engine *e, size_t inter, size_t k, size_t j,
                             size_t *start_lane, size_t *end_lane)
{
    const net_roadlink *rl = movement_at(e, inter, k);
    if (!rl || j >= rl->n_links) return CB_EINVAL;
    const net_link *l = &e->s.net->links[rl->first_link + j];
    *start_lane = l->start_lane;
    *end_lane = l->end_lane;
    return CB_OK;
}

bool cb_engine_phase_allows(const cb_engine *e, size_t inter, int phase, size_t movement)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters || phase < 0 || (uint32_t)phase >= n->inters[inter].n_phases ||
        movement >= n->inters[inter].n_roadlinks) return false;
    const net_inter *in = &n->inters[inter];
    return net_phase_green(n, in->first_phase + (uint32_t)phase, in->first_roadlink + (uint32_t)movement);
}

bool cb_engine_phase_yields(const cb_engine *e, size_t inter, int phase, size_t movement)
{
    if (!cb_engine_phase_allows(e, inter, phase, movement)) return false;
    const cb_net *n = e->s.net;
    const net_inter *in = &n->inters[inter];
    return net_phase_minor(n, in->first_phase + (uint32_t)phase, in->first_roadlink + (uint32_t)movement);
}

bool cb_engine_phase_amber(const cb_engine *e, size_t inter, int phase)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters || phase < 0 || (uint32_t)phase >= n->inters[inter].n_phases) return false;
    return n->phases[n->inters[inter].first_phase + (uint32_t)phase].amber;
}

double cb_engine_phase_time(const cb_engine *e, size_t inter, int phase)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters || phase < 0 || (uint32_t)phase >= n->inters[inter].n_phases) return 0;
    return n->phases[n->inters[inter].first_phase + (uint32_t)phase].time;
}

/*--- queries of the signal layer (src/signal) ----------------------------------------------*/

bool cb_engine_external_signals(const cb_engine *e) { return e->s.external_signals; }

bool cb_engine_movements_meet(const cb_engine *e, size_t inter, size_t a, size_t b)
{
    const net_roadlink *ra = movement_at(e, inter, a), *rb = movement_at(e, inter, b);
    if (!ra || !rb) return false;
    const cb_net *n = e->s.net;
    uint32_t first = n->inters[inter].first_link;
    uint32_t rb_index = (uint32_t)(rb - n->roadlinks);
    for (uint32_t j = 0; j < ra->n_links; j++) {
        uint32_t count;
        const net_xview *xv = net_link_xviews(n, ra->first_link + j, &count);
        for (uint32_t k = 0; k < count; k++)
            if (n->links[first + xv[k].other].roadlink == rb_index) return true;
    }
    return false;
}

/*--- geometry --------------------------------------------------------------------------------*/

size_t cb_engine_road_points(const cb_engine *e, size_t road, double *xy, size_t cap)
{
    const cb_net *n = e->s.net;
    if (road >= n->n_roads) return 0;
    const net_poly *p = &n->roads[road].centre;
    for (size_t k = 0; k < p->n && k < cap; k++) {
        xy[2 * k] = n->pts[p->first + k].x;
        xy[2 * k + 1] = n->pts[p->first + k].y;
    }
    return p->n;
}

int cb_engine_intersection_geometry(const cb_engine *e, size_t inter, double *x, double *y, double *width)
{
    const cb_net *n = e->s.net;
    if (inter >= n->n_inters) return CB_EINVAL;
    if (x) *x = n->inters[inter].point.x;
    if (y) *y = n->inters[inter].point.y;
    if (width) *width = n->inters[inter].width;
    return CB_OK;
}

double cb_engine_lane_width(const cb_engine *e, size_t lane)
{
    return lane < e->s.net->n_lanes ? e->s.net->lanes[lane].width : 0;
}
