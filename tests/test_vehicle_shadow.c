/* test_vehicle_shadow.c -- a lane change in progress as cb_engine_foreach_vehicle
 * and cb_engine_vehicle_leader report it: the vehicle on its lane plus its
 * shadow, named "<id>_shadow" (CityFlow's name, which the research papers'
 * published-ATT code sees), on the target lane of the same road. */
#include "test.h"

#include <string.h>
#include "citybrain.h"

#define JINAN CB_SOURCE_DIR "/examples/jinan_3x4"   /* bundled copy of the benchmark city */

typedef struct seen {
    cb_engine *e;
    int shadows, bad;
    char shadow_id[64];       /* one shadow */
    uint32_t shadow_lane;
    char base_id[64];         /* its vehicle */
} seen;

static int look(const cb_vehicle *v, void *ud)
{
    seen *s = ud;
    size_t len = strlen(v->id);
    bool named = len > 7 && strcmp(v->id + len - 7, "_shadow") == 0;
    if (named != v->shadow) s->bad++;                  /* flag and name agree */
    if (!v->shadow) return 0;
    if (!v->running || v->drivable >= cb_engine_lane_count(s->e)) s->bad++;   /* on a lane */
    if (s->shadows++ == 0) {
        snprintf(s->shadow_id, sizeof s->shadow_id, "%s", v->id);
        snprintf(s->base_id, sizeof s->base_id, "%.*s", (int)(len - 7), v->id);
        s->shadow_lane = v->drivable;
    }
    return 0;
}

typedef struct find { const char *id; long lane; int count; } find;

static int find_base(const cb_vehicle *v, void *ud)
{
    find *f = ud;
    if (!v->shadow && strcmp(v->id, f->id) == 0) { f->lane = (long)v->drivable; f->count++; }
    return 0;
}

TEST(lane_change_shows_the_shadow_under_its_cityflow_name)
{
    if (!test_path_exists(JINAN "/anon_3_4_jinan_real.json")) TEST_SKIP("no %s (optional data)", JINAN);
    cb_options o;
    cb_options_init(&o);
    o.lane_change = 1;
    o.roadnet_file = "roadnet_3_4.json";
    o.flow_file = "anon_3_4_jinan_real.json";
    cb_engine *e = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_engine_open(JINAN, &o, &e, &err), CB_OK);
    seen s = { .e = e };
    int steps = 0;
    while (s.shadows == 0 && steps < 900) {
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        steps++;
        ASSERT_EQ_INT(cb_engine_foreach_vehicle(e, true, look, &s), 0);
    }
    ASSERT(s.shadows > 0);
    ASSERT_EQ_INT(s.bad, 0);
    /* the vehicle itself is there once, on another lane of the same road */
    find f = { s.base_id, -1, 0 };
    cb_engine_foreach_vehicle(e, false, find_base, &f);
    ASSERT_EQ_INT(f.count, 1);
    ASSERT(f.lane >= 0 && (size_t)f.lane < cb_engine_lane_count(e));
    ASSERT(f.lane != (long)s.shadow_lane);
    ASSERT_EQ_INT(cb_engine_lane_road(e, (size_t)f.lane), cb_engine_lane_road(e, s.shadow_lane));
    /* the shadow is not a vehicle of its own for lookups */
    cb_vehicle v;
    ASSERT_EQ_INT(cb_engine_vehicle(e, s.base_id, &v, &err), CB_OK);
    ASSERT_EQ_INT(cb_engine_vehicle(e, s.shadow_id, &v, &err), CB_ENOTFOUND);
    /* a second pass sees the same (the engine did not move) */
    seen all = { .e = e };
    cb_engine_foreach_vehicle(e, false, look, &all);
    ASSERT_EQ_INT(all.shadows, s.shadows);
    cb_engine_close(e);
}

/* A vehicle right behind a shadow has it as its leader, by its shadow name. */
typedef struct behind { cb_engine *e; const char *shadow; uint32_t lane; double dist; char follower[64]; double best; } behind;

static int follower_of(const cb_vehicle *v, void *ud)
{
    behind *b = ud;
    if (v->shadow || v->drivable != b->lane || v->distance >= b->dist) return 0;
    if (b->best < 0 || v->distance > b->best) {
        b->best = v->distance;
        snprintf(b->follower, sizeof b->follower, "%s", v->id);
    }
    return 0;
}

typedef struct where { const char *id; uint32_t lane; double dist; } where;

static int shadow_at(const cb_vehicle *v, void *ud)
{
    where *w = ud;
    if (strcmp(v->id, w->id) == 0) { w->lane = v->drivable; w->dist = v->distance; }
    return 0;
}

TEST(leader_behind_a_shadow_is_named_shadow)
{
    if (!test_path_exists(JINAN "/anon_3_4_jinan_real.json")) TEST_SKIP("no %s (optional data)", JINAN);
    cb_options o;
    cb_options_init(&o);
    o.lane_change = 1;
    o.roadnet_file = "roadnet_3_4.json";
    o.flow_file = "anon_3_4_jinan_real.json";
    cb_engine *e = NULL;
    cb_error err;
    ASSERT_EQ_INT(cb_engine_open(JINAN, &o, &e, &err), CB_OK);
    int found = 0;
    for (int step = 0; step < 1800 && !found; step++) {
        ASSERT_EQ_INT(cb_engine_step(e, &err), CB_OK);
        seen s = { .e = e };
        cb_engine_foreach_vehicle(e, false, look, &s);
        if (!s.shadows) continue;
        where w = { s.shadow_id, 0, 0 };
        cb_engine_foreach_vehicle(e, false, shadow_at, &w);
        behind b = { e, s.shadow_id, w.lane, w.dist, "", -1 };
        cb_engine_foreach_vehicle(e, false, follower_of, &b);
        if (b.best < 0) continue;
        char lead[96];
        ASSERT_EQ_INT(cb_engine_vehicle_leader(e, b.follower, lead, sizeof lead, &err), CB_OK);
        if (strcmp(lead, s.shadow_id) == 0) found = 1;
        else ASSERT_CONTAINS(lead, "flow_");            /* someone closer ahead */
    }
    ASSERT(found);
    cb_engine_close(e);
}

TEST_MAIN()
