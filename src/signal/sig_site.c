/* sig_site.c -- builds the sites of the signal layer from the twin: which
 * lanes each signalized intersection's detectors cover, its movements and
 * phases, its clearance and candidate phases, and which movements conflict.
 *
 * This is the adapter between the engine and the controllers on the
 * topology side (sig_loop.c is the one for observations): everything a
 * controller may know about an intersection passes through the cb_site
 * built here, and nothing identifies a vehicle.
 *
 * Conflict rule.  Movements a and b conflict when they come from different
 * approaches, neither is a right turn, and some lane-link path of a meets
 * some lane-link path of b (a crossing or a merge, as the engine's conflict
 * points record them).  Right turns are exempt because the data treats them
 * as permissive: every phase of the benchmark cities lets them go, and the
 * engine's yield rules (straight > left > right) make them give way.
 * Movements from the same approach never cross (they fan out). */
#include "sig_int.h"
#include "../util/err.h"

#include <stdlib.h>
#include <string.h>

enum { TURN_RIGHT = 1 };

static int32_t to_steps(double seconds, double dt)
{
    double k = seconds / dt;
    int32_t n = (int32_t)k;
    if ((double)n < k - 1e-9) n++;        /* round up: never shorter than asked */
    return n;
}

typedef struct builder {
    const cb_engine *e;
    cb_signals *s;
    size_t n_lanes, n_roads;
    size_t *in_first, *in_roads;      /* roads ending at an intersection (CSR) */
    size_t *out_first, *out_roads;    /* roads leaving it */
    long *site_of;                    /* intersection -> site or -1 */
    uint32_t *lane_map;               /* engine lane -> site lane, UINT32_MAX */
    uint32_t *road_map;               /* engine road -> site road */
    cb_road_info *roads;              /* all roads' info */
} builder;

/* Roads grouped by the intersection they end at / start from. */
static int group_roads(builder *b, size_t n_inters, cb_error *err)
{
    b->in_first = calloc(n_inters + 1, sizeof *b->in_first);
    b->out_first = calloc(n_inters + 1, sizeof *b->out_first);
    b->in_roads = malloc((b->n_roads + 1) * sizeof *b->in_roads);
    b->out_roads = malloc((b->n_roads + 1) * sizeof *b->out_roads);
    b->roads = malloc((b->n_roads + 1) * sizeof *b->roads);
    if (!b->in_first || !b->out_first || !b->in_roads || !b->out_roads || !b->roads) return cbu_err_nomem(err);
    for (size_t r = 0; r < b->n_roads; r++) {
        if (cb_engine_road_info(b->e, r, &b->roads[r])) return cbu_err(err, CB_ESTATE, "road %zu: no info", r);
        b->in_first[b->roads[r].to + 1]++;
        b->out_first[b->roads[r].from + 1]++;
    }
    for (size_t i = 0; i < n_inters; i++) {
        b->in_first[i + 1] += b->in_first[i];
        b->out_first[i + 1] += b->out_first[i];
    }
    size_t *fill_in = calloc(n_inters + 1, sizeof *fill_in), *fill_out = calloc(n_inters + 1, sizeof *fill_out);
    if (!fill_in || !fill_out) {
        free(fill_in);
        free(fill_out);
        return cbu_err_nomem(err);
    }
    for (size_t r = 0; r < b->n_roads; r++) {
        size_t to = b->roads[r].to, from = b->roads[r].from;
        b->in_roads[b->in_first[to] + fill_in[to]++] = r;
        b->out_roads[b->out_first[from] + fill_out[from]++] = r;
    }
    free(fill_in);
    free(fill_out);
    return CB_OK;
}

static bool phase_all_right(const cb_engine *e, size_t inter, int p, size_t n_mov, const cb_site_movement *mv)
{
    for (size_t k = 0; k < n_mov; k++)
        if (cb_engine_phase_allows(e, inter, p, k) && mv[k].type != TURN_RIGHT) return false;
    return true;
}

/* A signal with one phase that lets every movement go never changes: a
 * SUMO junction without a signal, written out as a CityFlow file by
 * `citybrain convert` (CityFlow has no other way to say it). */
static bool always_green(const cb_engine *e, size_t inter)
{
    if (cb_engine_phase_count(e, inter) != 1) return false;
    for (size_t k = 0; k < cb_engine_movement_count(e, inter); k++)
        if (!cb_engine_phase_allows(e, inter, 0, k)) return false;
    return true;
}

static bool phase_empty(const cb_engine *e, size_t inter, int p, size_t n_mov)
{
    for (size_t k = 0; k < n_mov; k++)
        if (cb_engine_phase_allows(e, inter, p, k)) return false;
    return true;
}

/* Append a lane to a site's lane_refs unless this movement already lists it. */
static void add_ref(uint32_t *refs, uint32_t first, uint32_t *n, uint32_t lane)
{
    for (uint32_t j = 0; j < *n; j++)
        if (refs[first + j] == lane) return;
    refs[first + (*n)++] = lane;
}

static int build_site(builder *b, size_t site, size_t inter, cb_error *err)
{
    cb_signals *s = b->s;
    const cb_engine *e = b->e;
    cb_site *st = &s->sites[site];
    st->id = cb_engine_intersection_id(e, inter);
    s->inter[site] = (uint32_t)inter;

    /* Roads: approaches first, then exits (a road looping back to the same
     * intersection is listed once, as an approach). */
    size_t n_in = b->in_first[inter + 1] - b->in_first[inter];
    size_t n_out = b->out_first[inter + 1] - b->out_first[inter];
    cb_site_road *roads = CBU_NEW(&s->arena, cb_site_road, n_in + n_out + 1);
    if (!roads) return cbu_err_nomem(err);
    uint32_t nr = 0, nl = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t first = pass ? b->out_first[inter] : b->in_first[inter];
        size_t n = pass ? n_out : n_in;
        for (size_t j = 0; j < n; j++) {
            size_t r = pass ? b->out_roads[first + j] : b->in_roads[first + j];
            if (b->road_map[r] != UINT32_MAX) continue;
            const cb_road_info *ri = &b->roads[r];
            size_t other = pass ? ri->to : ri->from;
            roads[nr] = (cb_site_road){ .incoming = !pass, .first_lane = nl, .n_lanes = (uint32_t)ri->n_lanes,
                                        .length = ri->length, .neighbour = b->site_of[other] };
            b->road_map[r] = nr++;
            nl += (uint32_t)ri->n_lanes;
        }
    }
    uint32_t *road_global = CBU_NEW(&s->arena, uint32_t, nr + 1);
    if (!road_global) return cbu_err_nomem(err);
    for (size_t j = 0; j < n_in + n_out; j++) {
        size_t r = j < n_in ? b->in_roads[b->in_first[inter] + j] : b->out_roads[b->out_first[inter] + j - n_in];
        road_global[b->road_map[r]] = (uint32_t)r;
    }
    s->road_global[site] = road_global;
    cb_site_lane *lanes = CBU_NEW(&s->arena, cb_site_lane, nl + 1);
    uint32_t *lane_global = CBU_NEW(&s->arena, uint32_t, nl + 1);
    if (!lanes || !lane_global) return cbu_err_nomem(err);
    for (size_t j = 0; j < n_in + n_out; j++) {
        size_t r = j < n_in ? b->in_roads[b->in_first[inter] + j] : b->out_roads[b->out_first[inter] + j - n_in];
        uint32_t sr = b->road_map[r];
        const cb_road_info *ri = &b->roads[r];
        for (size_t q = 0; q < ri->n_lanes; q++) {
            uint32_t sl = roads[sr].first_lane + (uint32_t)q;
            size_t gl = ri->first_lane + q;
            lanes[sl] = (cb_site_lane){ cb_engine_lane_length(e, gl), cb_engine_lane_max_speed(e, gl), sr,
                                        (uint32_t)q };
            lane_global[sl] = (uint32_t)gl;
            b->lane_map[gl] = sl;
        }
    }

    /* Movements and their lanes. */
    size_t n_mov = cb_engine_movement_count(e, inter);
    cb_site_movement *mv = CBU_NEW(&s->arena, cb_site_movement, n_mov + 1);
    size_t n_refs = 0;
    for (size_t k = 0; k < n_mov; k++) {
        cb_movement m;
        cb_engine_movement(e, inter, k, &m);
        n_refs += 2 * m.n_lane_links;
    }
    uint32_t *refs = CBU_NEW(&s->arena, uint32_t, n_refs + 1);
    if (!mv || !refs) return cbu_err_nomem(err);
    uint32_t used = 0;
    for (size_t k = 0; k < n_mov; k++) {
        cb_movement m;
        cb_engine_movement(e, inter, k, &m);
        if (b->road_map[m.start_road] == UINT32_MAX || b->road_map[m.end_road] == UINT32_MAX ||
            !roads[b->road_map[m.start_road]].incoming || roads[b->road_map[m.end_road]].incoming)
            return cbu_err(err, CB_ESCHEMA, "intersection %s: roadLinks[%zu] does not run from a road ending here "
                           "to a road starting here", st->id, k);
        cb_site_movement *sm = &mv[k];
        sm->type = m.type;
        sm->in_road = b->road_map[m.start_road];
        sm->out_road = b->road_map[m.end_road];
        sm->first_in = used;
        for (size_t j = 0; j < m.n_lane_links; j++) {
            size_t a, z;
            cb_engine_movement_lanes(e, inter, k, j, &a, &z);
            add_ref(refs, sm->first_in, &sm->n_in, b->lane_map[a]);
        }
        used += sm->n_in;
        sm->first_out = used;
        for (size_t j = 0; j < m.n_lane_links; j++) {
            size_t a, z;
            cb_engine_movement_lanes(e, inter, k, j, &a, &z);
            add_ref(refs, sm->first_out, &sm->n_out, b->lane_map[z]);
        }
        used += sm->n_out;
    }

    /* Phases: the clearance, the all-red and the candidate greens. */
    int n_ph = cb_engine_phase_count(e, inter);
    uint8_t *allows = CBU_NEW(&s->arena, uint8_t, (size_t)n_ph * n_mov + 1);
    int *cand = CBU_NEW(&s->arena, int, (size_t)n_ph + 1);
    uint8_t *conflict = CBU_NEW(&s->arena, uint8_t, n_mov * n_mov + 1);
    if (!allows || !cand || !conflict) return cbu_err_nomem(err);
    for (int p = 0; p < n_ph; p++)
        for (size_t k = 0; k < n_mov; k++) allows[(size_t)p * n_mov + k] = cb_engine_phase_allows(e, inter, p, k);
    for (size_t a = 0; a < n_mov; a++)
        for (size_t z = a + 1; z < n_mov; z++) {
            bool c = mv[a].in_road != mv[z].in_road && mv[a].type != TURN_RIGHT && mv[z].type != TURN_RIGHT &&
                     (cb_engine_movements_meet(e, inter, a, z) || cb_engine_movements_meet(e, inter, z, a));
            conflict[a * n_mov + z] = conflict[z * n_mov + a] = c;
        }
    int yellow = -1, allred = -1;
    for (int p = 0; p < n_ph; p++) {
        if (allred < 0 && phase_empty(e, inter, p, n_mov)) allred = p;
        if (yellow < 0 && phase_all_right(e, inter, p, n_mov, mv)) yellow = p;
    }
    if (yellow < 0)
        return cbu_err(err, CB_ESCHEMA, "intersection %s: no clearance phase (one whose roadLinks are all right "
                       "turns); the signal layer cannot insert a yellow", st->id);
    uint32_t nc = 0;
    for (int p = 0; p < n_ph; p++) {
        if (p == yellow || p == allred || phase_all_right(e, inter, p, n_mov, mv) || cb_engine_phase_amber(e, inter, p))
            continue;
        /* SAFETY-PHASE-CONFLICT-FREE: a phase that would let two conflicting
         * movements go together is never offered to a controller, unless
         * one of them yields in it (a SUMO program's permissive left turn
         * beside the opposing through traffic: right of way decides). */
        bool clean = true;
        for (size_t a = 0; a < n_mov && clean; a++)
            for (size_t z = a + 1; z < n_mov && clean; z++)
                if (allows[(size_t)p * n_mov + a] && allows[(size_t)p * n_mov + z] && conflict[a * n_mov + z] &&
                    !cb_engine_phase_yields(e, inter, p, a) && !cb_engine_phase_yields(e, inter, p, z))
                    clean = false;
        if (clean) cand[nc++] = p;
    }
    /* The papers' set: the first four greens (phases 1-4 of the benchmark
     * data, which serve every movement).  A SUMO program may list more
     * greens before some movement gets one (RESCO's grid: four north-south
     * greens first): then the set runs on in program order until every
     * movement some green serves is served. */
    if (s->cfg.phase_set == CB_PHASES_PAPERS && nc > 4) {
        uint32_t keep = 4;
        for (size_t k = 0; k < n_mov; k++) {
            uint32_t first = nc;                  /* the first green serving k */
            for (uint32_t c = 0; c < nc && first == nc; c++)
                if (allows[(size_t)cand[c] * n_mov + k]) first = c;
            if (first < nc && first + 1 > keep) keep = first + 1;
        }
        nc = keep;
    }

    st->n_lanes = nl;
    st->n_roads = nr;
    st->n_movements = (uint32_t)n_mov;
    st->n_phases = (uint32_t)n_ph;
    st->lanes = lanes;
    st->roads = roads;
    st->movements = mv;
    st->lane_refs = refs;
    st->allows = allows;
    st->yellow_phase = yellow;
    st->allred_phase = allred;
    st->n_candidates = nc;
    st->candidates = cand;
    st->min_green = s->cfg.min_green;
    st->yellow = s->cfg.yellow;
    st->all_red = s->cfg.all_red;
    s->lane_global[site] = lane_global;
    s->conflict[site] = conflict;
    if (nl > s->max_lanes) s->max_lanes = nl;

    /* Reset the maps for the next site. */
    for (uint32_t j = 0; j < nl; j++) b->lane_map[lane_global[j]] = UINT32_MAX;
    for (size_t j = 0; j < n_in + n_out; j++) {
        size_t r = j < n_in ? b->in_roads[b->in_first[inter] + j] : b->out_roads[b->out_first[inter] + j - n_in];
        b->road_map[r] = UINT32_MAX;
    }
    return CB_OK;
}

int sig_sites_build(cb_signals *s, const cb_engine *e, cb_error *err)
{
    builder b = { .e = e, .s = s, .n_lanes = cb_engine_lane_count(e), .n_roads = cb_engine_road_count(e) };
    size_t n_inters = cb_engine_intersection_count(e);
    int rc = CB_OK;
    s->dt = cb_engine_interval(e);
    /* A green shows for at least one step, even with min_green 0: a green
     * that never shows would only lengthen the clearance. */
    s->min_green_steps = to_steps(s->cfg.min_green, s->dt);
    if (s->min_green_steps < 1) s->min_green_steps = 1;
    s->yellow_steps = to_steps(s->cfg.yellow, s->dt);
    s->allred_steps = to_steps(s->cfg.all_red, s->dt);
    b.site_of = malloc((n_inters + 1) * sizeof *b.site_of);
    b.lane_map = malloc((b.n_lanes + 1) * sizeof *b.lane_map);
    b.road_map = malloc((b.n_roads + 1) * sizeof *b.road_map);
    if (!b.site_of || !b.lane_map || !b.road_map) { rc = cbu_err_nomem(err); goto done; }
    memset(b.lane_map, 0xff, (b.n_lanes + 1) * sizeof *b.lane_map);
    memset(b.road_map, 0xff, (b.n_roads + 1) * sizeof *b.road_map);
    s->n_sites = 0;
    for (size_t i = 0; i < n_inters; i++) {
        bool signalized = cb_engine_intersection_signalized(e, i) && cb_engine_phase_count(e, i) > 0 &&
                          cb_engine_movement_count(e, i) > 0 && !always_green(e, i);
        b.site_of[i] = signalized ? (long)s->n_sites++ : -1;
    }
    if ((rc = group_roads(&b, n_inters, err))) goto done;
    s->sites = CBU_NEW(&s->arena, cb_site, s->n_sites + 1);
    s->inter = CBU_NEW(&s->arena, uint32_t, s->n_sites + 1);
    s->lane_global = CBU_NEW(&s->arena, uint32_t *, s->n_sites + 1);
    s->road_global = CBU_NEW(&s->arena, uint32_t *, s->n_sites + 1);
    s->conflict = CBU_NEW(&s->arena, uint8_t *, s->n_sites + 1);
    s->st = CBU_NEW(&s->arena, sig_state, s->n_sites + 1);
    if (!s->sites || !s->inter || !s->lane_global || !s->road_global || !s->conflict || !s->st) {
        rc = cbu_err_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < n_inters && !rc; i++)
        if (b.site_of[i] >= 0) rc = build_site(&b, (size_t)b.site_of[i], i, err);
    /* Each road shared by two sites: its index in the other site's list. */
    for (size_t i = 0; i < s->n_sites && !rc; i++) {
        cb_site_road *roads = (cb_site_road *)s->sites[i].roads;
        for (uint32_t r = 0; r < s->sites[i].n_roads; r++) {
            long nb = roads[r].neighbour;
            if (nb < 0) continue;
            const cb_site *other = &s->sites[nb];
            for (uint32_t q = 0; q < other->n_roads; q++)
                if (s->road_global[nb][q] == s->road_global[i][r]) roads[r].neighbour_road = q;
        }
    }
done:
    free(b.site_of);
    free(b.lane_map);
    free(b.road_map);
    free(b.in_first);
    free(b.in_roads);
    free(b.out_first);
    free(b.out_roads);
    free(b.roads);
    return rc;
}
