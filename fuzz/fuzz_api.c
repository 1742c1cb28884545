/* fuzz_api.c -- libFuzzer target: the engine's C API called in any order
 * with any arguments (what the Python module and the server pass through
 * from their users).
 *
 * The input is a program: each byte picks a call, the bytes after it its
 * arguments -- indices (often out of range), vehicle ids (real ones and
 * junk) and numbers drawn from a table of awkward values (NaN, infinities,
 * 1e300, -0, ...) or taken raw.  The calls run on the grid city of
 * fuzz_city.h (lane changing on; every second input with external
 * signals).  What is checked: no crash or sanitizer report, the error
 * convention (a failure returns its code and says why), and that a
 * snapshot loads back to the same digest. */
#include "fuzz_city.h"

#define FUZZ_MAX_STEPS 300

static cb_engine *g_engine[2];
static cb_archive *g_start[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    cb_error err = { 0 };
    for (int k = 0; k < 2; k++) {
        g_engine[k] = fuzz_city_open_ex(true, k == 1);
        if (cb_engine_snapshot(g_engine[k], &g_start[k], &err)) fuzz_die("saving", &err);
    }
    return 0;
}

typedef struct prog { const uint8_t *p; size_t n, at; } prog;

static uint8_t u8(prog *g) { return g->at < g->n ? g->p[g->at++] : 0; }

static uint32_t u32(prog *g)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) x = x << 8 | u8(g);
    return x;
}

static double num(prog *g)
{
    static const double awkward[] = { 0, -0.0, 1, -1, 0.5, 2, 5, 10, 30, 60, 100, 300, 3600, 1e9, 1.0000001e9,
                                      1e18, 1e300, -1e300, 1e-300, 4.9e-324, NAN, -NAN, INFINITY, -INFINITY };
    uint8_t b = u8(g);
    if (b < 200) return awkward[b % (sizeof awkward / sizeof awkward[0])];
    double d;
    uint64_t raw = (uint64_t)u32(g) << 32 | u32(g);
    memcpy(&d, &raw, sizeof d);
    return d;
}

/* An id: a flow's vehicle, a pushed one, a shadow, or junk. */
static void vehicle_id(prog *g, char *id, size_t cap)
{
    uint8_t b = u8(g);
    switch (b % 4) {
    case 0: snprintf(id, cap, "flow_%u_%u", u8(g) % 4, u8(g) % 64); break;
    case 1: snprintf(id, cap, "manually_pushed_%u", u8(g) % 8); break;
    case 2: snprintf(id, cap, "flow_%u_%u_shadow", u8(g) % 4, u8(g) % 64); break;
    default: snprintf(id, cap, "%c%c", 'a' + u8(g) % 26, u8(g)); break;
    }
}

static size_t roads(prog *g, size_t *r, size_t n_roads)
{
    size_t n = u8(g) % 5;
    for (size_t i = 0; i < n; i++) r[i] = u8(g) % (n_roads + 2);
    return n;
}

static void check(int rc, const cb_error *err)
{
    if (rc != CB_OK && (err->code != rc || err->msg[0] == '\0')) abort();
}

static int count_one(const cb_vehicle *v, void *ud) { (void)v; ++*(size_t *)ud; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int which = data[0] & 1;
    cb_engine *e = g_engine[which];
    prog g = { data, size, 1 };
    size_t nl = cb_engine_lane_count(e), nr = cb_engine_road_count(e), ni = cb_engine_intersection_count(e);
    int steps = 0;
    cb_error err = { 0 };
    char id[64], out[64];
    size_t r[8];
    while (g.at < g.n) {
        uint8_t op = u8(&g);
        switch (op % 16) {
        case 0: {
            int k = 1 + u8(&g) % 8;
            for (int s = 0; s < k && steps < FUZZ_MAX_STEPS; s++, steps++) check(cb_engine_step(e, &err), &err);
            break;
        }
        case 1: {
            cb_vehicle_params p;
            cb_vehicle_params_init(&p);
            double *field[] = { &p.length, &p.width, &p.max_pos_acc, &p.max_neg_acc, &p.usual_pos_acc,
                                &p.usual_neg_acc, &p.min_gap, &p.max_speed, &p.headway_time, &p.speed,
                                &p.speed_factor };
            for (int k = u8(&g) % 3; k > 0; k--) *field[u8(&g) % 11] = num(&g);
            size_t n = roads(&g, r, nr);
            check(cb_engine_push_vehicle(e, &p, r, n, out, u8(&g) % 2 ? sizeof out : 4, &err), &err);
            break;
        }
        case 2:
            vehicle_id(&g, id, sizeof id);
            check(cb_engine_set_vehicle_speed(e, id, num(&g), &err), &err);
            break;
        case 3: {
            vehicle_id(&g, id, sizeof id);
            size_t n = roads(&g, r, nr);
            check(cb_engine_set_vehicle_route(e, id, r, n, &err), &err);
            break;
        }
        case 4: {
            size_t lane = u32(&g) % (nl + 2);
            double pos = num(&g), t0 = num(&g), t1 = num(&g);
            check(cb_engine_add_incident(e, lane, pos, t0, t1, NULL, &err), &err);
            break;
        }
        case 5: {
            cb_incident in;
            size_t k = u8(&g) % 4;
            check(cb_engine_clear_incident(e, k, &err), &err);
            check(cb_engine_incident(e, k, &in, &err), &err);
            break;
        }
        case 6:
            check(cb_engine_set_phase(e, u8(&g) % (ni + 2), (int8_t)u8(&g), &err), &err);
            (void)cb_engine_phase(e, u8(&g) % (ni + 2));
            (void)cb_engine_phase_time(e, u8(&g) % (ni + 2), (int8_t)u8(&g));
            break;
        case 7:
            if (u8(&g) % 2) check(cb_engine_enable_detectors(e, num(&g), num(&g), &err), &err);
            else check(cb_engine_enable_loops(e, num(&g), num(&g), num(&g), &err), &err);
            break;
        case 8: {
            cb_detector_reading rd[8];
            size_t lane = u8(&g) % (nl + 2), n = 0;
            bool reset = u8(&g) % 2;
            if (u8(&g) % 2) check(cb_engine_read_detectors(e, lane, reset, rd, &err), &err);
            else check(cb_engine_read_lane_loops(e, lane, reset, rd, u8(&g) % 9, &n, &err), &err);
            break;
        }
        case 9: {
            cb_lane_obs o;
            check(cb_engine_lane_observe(e, u8(&g) % (nl + 2), num(&g), &o, &err), &err);
            break;
        }
        case 10: {
            cb_archive *a = NULL;
            check(cb_engine_snapshot(e, &a, &err), &err);
            if (a) {
                uint64_t d = cb_engine_digest(e);
                if (cb_engine_load(e, a, &err) != CB_OK) {
                    fprintf(stderr, "fuzz_api: a snapshot does not load back: %s\n", err.msg);
                    abort();
                }
                if (cb_engine_digest(e) != d) abort();
                cb_archive_free(a);
            }
            break;
        }
        case 11:
            cb_engine_reset(e, u8(&g) % 2);
            break;
        case 12: {
            vehicle_id(&g, id, sizeof id);
            cb_vehicle v;
            cb_vehicle_info vi;
            check(cb_engine_vehicle(e, id, &v, &err), &err);
            check(cb_engine_vehicle_info(e, id, &vi, &err), &err);
            check(cb_engine_vehicle_leader(e, id, out, u8(&g) % 2 ? sizeof out : 3, &err), &err);
            break;
        }
        case 13: {
            size_t n = 0;
            cb_engine_foreach_vehicle(e, u8(&g) % 2, count_one, &n);
            cb_metrics m;
            cb_engine_metrics(e, &m);
            cb_engine_set_seed(e, u32(&g));
            break;
        }
        case 14: {
            size_t inter = u8(&g) % (ni + 2), k = u8(&g) % 16, j = u8(&g) % 4, a, b;
            cb_movement mv;
            (void)cb_engine_movement(e, inter, k, &mv);          /* a code, no message */
            (void)cb_engine_movement_lanes(e, inter, k, j, &a, &b);
            (void)cb_engine_phase_allows(e, inter, (int8_t)u8(&g), k);
            (void)cb_engine_movements_meet(e, inter, k, u8(&g) % 16);
            break;
        }
        default: {
            double xy[8], x, y, w;
            (void)cb_engine_road_points(e, u8(&g) % (nr + 2), xy, u8(&g) % 5);
            (void)cb_engine_intersection_geometry(e, u8(&g) % (ni + 2), &x, &y, &w);
            (void)cb_engine_lane_length(e, u8(&g) % (nl + 2));
            (void)cb_engine_lane_index(e, u8(&g) % (nl + 2));
            break;
        }
        }
    }
    /* back to the start for the next input; the detectors stay as this
     * input left them, which every call must cope with anyway */
    if (cb_engine_load(e, g_start[which], &err)) abort();
    return 0;
}
