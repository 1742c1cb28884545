/* test_signal_safety.c -- property test of the signal safety layer: random
 * and adversarial controllers hammer it for long runs, and after every step
 * the phases the engine actually shows are checked against the safety
 * rules of src/signal/sig_layer.c:
 *
 *   SAFETY-PHASE-CONFLICT-FREE / SAFETY-CANDIDATE: no two conflicting
 *     movements are ever green together, and only requested candidate
 *     greens, the yellow phase or the all-red phase are ever shown;
 *   SAFETY-MIN-GREEN: every green that ends has shown at least min_green;
 *   SAFETY-YELLOW-FULL: between two greens the yellow phase shows for
 *     exactly the yellow time, then the all-red for the all-red time; and
 *     a movement never turns green less than yellow + all-red after a
 *     conflicting movement was last green.
 *
 * The conflict relation is computed here from the engine's geometry
 * (cb_engine_movements_meet, movement types and approaches), not taken
 * from the layer, so a layer that mislabels conflicts cannot pass.  Pairs
 * the input's own program lets go together with one of them yielding
 * (SUMO's permissive left turns) are permissive by design, not conflicts. */
#include "test.h"
#include "citybrain.h"
#include "test_sumo.h"

#include <stdlib.h>

/* xorshift64*: a fixed, seedable stream, so a failure can be replayed. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

typedef enum { CTL_RANDOM, CTL_FLIP, CTL_ABUSE, CTL_VALID_EVERY_STEP, N_CTL } adversary;
static const char *adversary_name[] = { "random", "flip", "abuse", "valid-every-step" };

typedef struct timing { double min_green, yellow, all_red; } timing;

typedef struct site_watch {
    int inter;
    int run_phase, run_len;       /* the phase shown and for how many steps */
    int last_green;               /* the last green phase shown, -1 none */
    int clearance_len;            /* steps of non-green since last_green ended */
    int flip_a, flip_b;           /* two conflicting candidates (CTL_FLIP) */
    uint8_t *requested;           /* per phase: was ever requested */
    int64_t *green_until;         /* per movement: last step it was green, -1 */
    uint8_t *conflict;            /* n_mov^2, computed here */
    int n_mov;
} site_watch;

static bool movement_conflict(const cb_engine *e, size_t inter, size_t a, size_t b)
{
    cb_movement ma, mb;
    cb_engine_movement(e, inter, a, &ma);
    cb_engine_movement(e, inter, b, &mb);
    if (ma.start_road == mb.start_road || ma.type == 1 || mb.type == 1) return false;
    for (int p = 0; p < cb_engine_phase_count(e, inter); p++)
        if (cb_engine_phase_allows(e, inter, p, a) && cb_engine_phase_allows(e, inter, p, b) &&
            (cb_engine_phase_yields(e, inter, p, a) || cb_engine_phase_yields(e, inter, p, b)))
            return false;                         /* permissive in the input's own program */
    return cb_engine_movements_meet(e, inter, a, b) || cb_engine_movements_meet(e, inter, b, a);
}

static bool phase_has_conflict(const site_watch *w, const cb_engine *e, int phase)
{
    for (int a = 0; a < w->n_mov; a++)
        for (int b = a + 1; b < w->n_mov; b++)
            if (w->conflict[a * w->n_mov + b] && cb_engine_phase_allows(e, w->inter, phase, a) &&
                cb_engine_phase_allows(e, w->inter, phase, b))
                return true;
    return false;
}

static bool is_candidate(const cb_site *s, int phase)
{
    for (uint32_t i = 0; i < s->n_candidates; i++)
        if (s->candidates[i] == phase) return true;
    return false;
}

/* Returns the number of violations found (0 = safe), printing the first. */
static int run_case(cb_engine *e, adversary adv, timing tm, int steps, uint64_t seed, int *greens_seen)
{
    cb_signal_config cfg;
    cb_signal_config_init(&cfg);
    cfg.min_green = tm.min_green;
    cfg.yellow = tm.yellow;
    cfg.all_red = tm.all_red;
    cfg.phase_set = CB_PHASES_ALL;
    cb_error err = { 0 };
    cb_signals *sig = NULL;
    if (cb_signals_open(e, &cfg, &sig, &err)) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return 1;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    const double dt = cb_engine_interval(e);
    int min_steps = (int)ceil(tm.min_green / dt - 1e-9);
    if (min_steps < 1) min_steps = 1;             /* a green shows at least one step */
    const int y_steps = (int)(tm.yellow / dt + 0.5), ar_steps = (int)(tm.all_red / dt + 0.5);
    size_t n = cb_signals_site_count(sig);
    const cb_site *sites = cb_signals_sites(sig);
    site_watch *w = calloc(n, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        w[i].inter = (int)cb_signals_site_intersection(sig, i);
        w[i].n_mov = (int)sites[i].n_movements;
        w[i].run_phase = -1;
        w[i].last_green = -1;
        w[i].requested = calloc(sites[i].n_phases + 1, 1);
        w[i].green_until = malloc((w[i].n_mov + 1) * sizeof *w[i].green_until);
        w[i].conflict = calloc((size_t)w[i].n_mov * w[i].n_mov + 1, 1);
        for (int k = 0; k < w[i].n_mov; k++) w[i].green_until[k] = -1;
        for (int a = 0; a < w[i].n_mov; a++)
            for (int b = 0; b < w[i].n_mov; b++)
                w[i].conflict[a * w[i].n_mov + b] = movement_conflict(e, w[i].inter, a, b);
        /* two candidates with conflicting movements, for the flipper */
        w[i].flip_a = sites[i].candidates[0];
        w[i].flip_b = sites[i].candidates[sites[i].n_candidates > 1 ? 1 : 0];
    }
    int bad = 0;
#define VIOLATION(...)                                                                  \
    do { if (!bad++) { fprintf(stderr, "  %s, step %d, %s: ", adversary_name[adv], t, sites[i].id); \
                       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
    for (int t = 0; t < steps && !bad; t++) {
        if (cb_signals_update(sig, e, &err)) { fprintf(stderr, "  update: %s\n", err.msg); bad++; break; }
        for (size_t i = 0; i < n; i++) {
            const cb_site *s = &sites[i];
            int req = -1;
            switch (adv) {
            case CTL_RANDOM: if (rnd() % 2) req = (int)(rnd() % (s->n_phases + 4)) - 2; break;
            case CTL_FLIP: req = t % 2 ? w[i].flip_a : w[i].flip_b; break;
            case CTL_ABUSE: {
                int r = (int)(rnd() % 6);
                req = r == 0 ? s->yellow_phase : r == 1 ? s->allred_phase : r == 2 ? (int)s->n_phases
                    : r == 3 ? -1 - (int)(rnd() % 3) : s->candidates[rnd() % s->n_candidates];
                break;
            }
            default: req = s->candidates[rnd() % s->n_candidates]; break;
            }
            if (req == -1 && adv != CTL_ABUSE) continue;
            int rc = cb_signals_request(sig, i, req, &err);
            bool valid = is_candidate(s, req);
            if (valid != (rc == CB_OK)) VIOLATION("request %d %s (rc %d)", req, valid ? "refused" : "accepted", rc);
            if (valid) w[i].requested[req] = 1;
        }
        if (cb_signals_update(sig, e, &err)) { fprintf(stderr, "  update: %s\n", err.msg); bad++; break; }
        /* Check what the engine shows for the coming step. */
        for (size_t i = 0; i < n && !bad; i++) {
            const cb_site *s = &sites[i];
            site_watch *x = &w[i];
            int ph = cb_engine_phase(e, x->inter);
            bool green = is_candidate(s, ph);
            int allred_shown = s->allred_phase >= 0 ? s->allred_phase : s->yellow_phase;
            if (!green && ph != s->yellow_phase && ph != allred_shown) VIOLATION("shows phase %d, neither a candidate nor a clearance", ph);
            if (phase_has_conflict(x, e, ph)) VIOLATION("phase %d lets conflicting movements go together", ph);
            if (green && !x->requested[ph]) VIOLATION("shows green %d that nobody requested", ph);
            if (ph != x->run_phase) {                   /* a change: judge the run that ended */
                bool was_green = x->run_phase >= 0 && is_candidate(s, x->run_phase);
                if (was_green && x->run_len < min_steps)
                    VIOLATION("green %d lasted %d steps < min %d", x->run_phase, x->run_len, min_steps);
                if (green && x->last_green >= 0 && !was_green && x->clearance_len != y_steps + ar_steps)
                    VIOLATION("clearance of %d steps before green %d (yellow %d + all-red %d)", x->clearance_len, ph,
                              y_steps, ar_steps);
                if (green && was_green)
                    VIOLATION("green %d follows green %d with no clearance", ph, x->run_phase);
                if (green) (*greens_seen)++;
                x->run_phase = ph;
                x->run_len = 0;
            }
            x->run_len++;
            if (green) { x->last_green = ph; x->clearance_len = 0; }
            else if (x->last_green >= 0) {
                /* the yellow comes first, then the all-red */
                int expect = x->clearance_len < y_steps ? s->yellow_phase : allred_shown;
                if (ph != expect) VIOLATION("clearance step %d shows %d, expected %d", x->clearance_len, ph, expect);
                x->clearance_len++;
            }
            for (int k = 0; k < x->n_mov && !bad; k++) {
                if (!cb_engine_phase_allows(e, x->inter, ph, k)) continue;
                for (int j = 0; j < x->n_mov; j++)
                    if (x->conflict[k * x->n_mov + j] && x->green_until[j] >= 0 && x->green_until[j] < t &&
                        t - x->green_until[j] - 1 < y_steps + ar_steps)
                        VIOLATION("movement %d green %d steps after conflicting movement %d", k,
                                  (int)(t - x->green_until[j] - 1), j);
            }
            for (int k = 0; k < x->n_mov; k++)
                if (cb_engine_phase_allows(e, x->inter, ph, k)) x->green_until[k] = t;
        }
        if (!bad && cb_engine_step(e, &err)) { fprintf(stderr, "  step: %s\n", err.msg); bad++; }
        cb_signals_tick(sig);
    }
#undef VIOLATION
    for (size_t i = 0; i < n; i++) {
        free(w[i].requested);
        free(w[i].green_until);
        free(w[i].conflict);
    }
    free(w);
    cb_signals_close(sig);
    return bad;
}

static const timing timings[] = { { 5, 5, 0 }, { 10, 3, 2 }, { 0, 4, 0 }, { 7, 2, 3 } };

static void hammer(const char *label, int (*open)(cb_engine **), int steps)
{
    int violations = 0, runs = 0, greens = 0;
    for (int adv = 0; adv < N_CTL; adv++)
        for (size_t k = 0; k < sizeof timings / sizeof timings[0]; k++) {
            cb_engine *e = NULL;
            if (open(&e)) { TEST_FAIL_("%s: cannot open", label); }
            violations += run_case(e, (adversary)adv, timings[k], steps, 1000 * (uint64_t)adv + k, &greens);
            cb_engine_close(e);
            runs++;
        }
    fprintf(stderr, "  %s: %d runs of %d steps, %d greens shown, %d violations\n", label, runs, steps, greens,
            violations);
    ASSERT_EQ_INT(violations, 0);
    ASSERT(greens > runs * 20);                   /* the adversaries did make it switch */
}

static int open_grid(cb_engine **e)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 3;
    g.cols = 3;
    g.turns = true;
    g.flow_interval = 3;
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    cb_error err;
    return cb_engine_open_grid(&g, &o, e, &err);
}

static int open_jinan(cb_engine **e)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    o.lane_change = 1;
    cb_error err;
    return cb_engine_open(CB_SOURCE_DIR "/examples/jinan_3x4", &o, e, &err);
}

static int open_syn1x1(cb_engine **e)
{
    cb_options o;
    cb_options_init(&o);
    o.external_signals = 1;
    o.flow_file = "flow_1_1_700.json";
    cb_error err;
    return cb_engine_open(CB_SHARED_DATA "/syn_1x1", &o, e, &err);
}

static int open_sumo(const char *cfg, const char *routes, cb_engine **e)
{
    cb_error err;
    return test_sumo_open_controlled(cfg, routes, e, &err);
}

static int open_sumo_single(cb_engine **e)
{
    return open_sumo(CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection.sumocfg",
                     CB_SOURCE_DIR "/examples/sumo_single_intersection/single-intersection-vhvh.rou.xml", e);
}

static int open_cologne1(cb_engine **e)
{
    return open_sumo(CB_SHARED_DATA "/sumo/resco_cologne1/cologne1.sumocfg", NULL, e);
}

TEST(adversaries_on_a_generated_grid) { hammer("grid 3x3 with turns", open_grid, 3000); }

TEST(adversaries_on_jinan)
{
    if (!test_path_exists(CB_SOURCE_DIR "/examples/jinan_3x4/config.json")) TEST_SKIP("examples/jinan_3x4 missing");
    hammer("jinan_3x4", open_jinan, 3600);
}

/* SUMO programs: amber transition phases, priority junctions beside the
 * signal, and (cologne1) permissive left turns beside through traffic. */
TEST(adversaries_on_sumo_intersections)
{
    if (!test_path_exists(CB_SOURCE_DIR "/examples/sumo_single_intersection")) TEST_SKIP("examples missing");
    hammer("sumo-rl single intersection", open_sumo_single, 3600);
    if (!test_path_exists(CB_SHARED_DATA "/sumo/resco_cologne1")) {
        fprintf(stderr, "  cologne1 not run: %s/sumo/resco_cologne1 not found\n", CB_SHARED_DATA);
        return;
    }
    hammer("RESCO cologne1", open_cologne1, 3600);
}

/* syn_1x1 has an empty phase: the all-red really is a separate phase. */
TEST(adversaries_on_a_site_with_an_all_red_phase)
{
    if (!test_path_exists(CB_SHARED_DATA "/syn_1x1")) TEST_SKIP("%s/syn_1x1 not found", CB_SHARED_DATA);
    hammer("syn_1x1", open_syn1x1, 3600);
}

/* The built-in controllers through the closed loop, with the same checks
 * on what the engine shows (a controller bug must not become unsafe). */
TEST(builtin_controllers_never_show_conflicts)
{
    for (size_t k = 0; k < cb_controller_count(); k++) {
        cb_controller_info info;
        ASSERT_EQ_INT(cb_controller_info_get(k, &info), CB_OK);
        cb_engine *e = NULL;
        ASSERT_EQ_INT(open_grid(&e), CB_OK);
        cb_control *c = NULL;
        cb_error err = { 0 };
        ASSERT_EQ_INT(cb_control_open(e, info.name, NULL, &c, &err), CB_OK);
        const cb_signals *sig = cb_control_signals(c);
        const cb_site *sites = cb_signals_sites(sig);
        int bad = 0;
        for (int t = 0; t < 1200 && !bad; t++) {
            ASSERT_EQ_INT(cb_control_step(c, &err), CB_OK);
            for (size_t i = 0; i < cb_signals_site_count(sig); i++) {
                site_watch w = { .inter = (int)cb_signals_site_intersection(sig, i), .n_mov = (int)sites[i].n_movements };
                uint8_t conflict[64 * 64];
                if (w.n_mov > 64) continue;
                for (int a = 0; a < w.n_mov; a++)
                    for (int b = 0; b < w.n_mov; b++) conflict[a * w.n_mov + b] = movement_conflict(e, w.inter, a, b);
                w.conflict = conflict;
                if (phase_has_conflict(&w, e, cb_engine_phase(e, w.inter))) bad++;
            }
        }
        cb_control_stats st;
        cb_control_stats_get(c, &st);
        fprintf(stderr, "  %-12s %lld decisions, %lld greens, %lld rejected\n", info.name, (long long)st.decisions,
                (long long)st.switches, (long long)st.rejected);
        ASSERT_EQ_INT(bad, 0);
        ASSERT_EQ_INT(st.rejected, 0);            /* built-ins only ask for candidates */
        cb_control_close(c);
        cb_engine_close(e);
    }
}

TEST_MAIN()
