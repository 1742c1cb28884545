/* test_grid.c -- the grid generator against CityFlow's own generator output
 * (../shared/data/grid_10x10, grid_30x30), round trips through the
 * CityFlow writers and loaders, option checks, and a short simulation. */
#include "test.h"

#include "citybrain.h"
#include "gen/grid.h"
#include "load/cf_write.h"
#include "load/cityflow.h"
#include "net/net_spec.h"
#include "util/json.h"

#include <stdarg.h>
#include <unistd.h>

/*--- spec comparison ----------------------------------------------------------------*/

/* Records the first difference as "<path>: <what>" and stops comparing. */
typedef struct diff {
    char msg[512];
    int found;
} diff;

static int differ(diff *d, const char *fmt, ...)
{
    if (d->found++) return 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return 1;
}

static int cmp_points(diff *d, const char *where, const net_point *w, uint32_t nw,
                      const net_point *g, uint32_t ng, double tol)
{
    if ((w == NULL) != (g == NULL))
        return differ(d, "%s: points %s in the reference, %s here", where, w ? "present" : "absent",
                      g ? "present" : "absent");
    if (nw != ng) return differ(d, "%s: %u points in the reference, %u here", where, nw, ng);
    for (uint32_t i = 0; i < nw; i++)
        if (!(fabs(w[i].x - g[i].x) <= tol) || !(fabs(w[i].y - g[i].y) <= tol))
            return differ(d, "%s.points[%u]: reference (%.17g, %.17g), generated (%.17g, %.17g)", where, i,
                          w[i].x, w[i].y, g[i].x, g[i].y);
    return 0;
}

/* Compare two specs; `tol` bounds point coordinates, other numbers must be
 * equal.  Index-valued fields are compared through the ids they name. */
static int cmp_net(diff *d, const net_spec *w, const net_spec *g, double tol)
{
    char at[256];
    if (w->n_inters != g->n_inters)
        return differ(d, "intersections: %u in the reference, %u here", w->n_inters, g->n_inters);
    if (w->n_roads != g->n_roads) return differ(d, "roads: %u in the reference, %u here", w->n_roads, g->n_roads);
    for (uint32_t r = 0; r < w->n_roads; r++) {
        const net_spec_road *a = &w->roads[r], *b = &g->roads[r];
        if (strcmp(a->id, b->id)) return differ(d, "roads[%u].id: \"%s\" vs \"%s\"", r, a->id, b->id);
        if (strcmp(w->inters[a->from].id, g->inters[b->from].id) || strcmp(w->inters[a->to].id, g->inters[b->to].id))
            return differ(d, "road %s: ends %s->%s in the reference, %s->%s here", a->id, w->inters[a->from].id,
                          w->inters[a->to].id, g->inters[b->from].id, g->inters[b->to].id);
        snprintf(at, sizeof at, "road %s", a->id);
        if (cmp_points(d, at, a->points, a->n_points, b->points, b->n_points, tol)) return 1;
        if (a->n_lanes != b->n_lanes) return differ(d, "road %s: %u lanes vs %u", a->id, a->n_lanes, b->n_lanes);
        for (uint32_t i = 0; i < a->n_lanes; i++)
            if (a->lanes[i].width != b->lanes[i].width || a->lanes[i].max_speed != b->lanes[i].max_speed)
                return differ(d, "road %s lane %u: width %g maxSpeed %g vs %g %g", a->id, i, a->lanes[i].width,
                              a->lanes[i].max_speed, b->lanes[i].width, b->lanes[i].max_speed);
    }
    for (uint32_t i = 0; i < w->n_inters; i++) {
        const net_spec_inter *a = &w->inters[i], *b = &g->inters[i];
        if (strcmp(a->id, b->id)) return differ(d, "intersections[%u].id: \"%s\" vs \"%s\"", i, a->id, b->id);
        if (a->point.x != b->point.x || a->point.y != b->point.y)
            return differ(d, "%s.point: (%g, %g) vs (%g, %g)", a->id, a->point.x, a->point.y, b->point.x, b->point.y);
        if (a->is_virtual != b->is_virtual) return differ(d, "%s.virtual: %d vs %d", a->id, a->is_virtual, b->is_virtual);
        if (a->width != b->width) return differ(d, "%s.width: %g vs %g", a->id, a->width, b->width);
        if (a->n_roads != b->n_roads) return differ(d, "%s.roads: %u vs %u entries", a->id, a->n_roads, b->n_roads);
        for (uint32_t k = 0; k < a->n_roads; k++)
            if (strcmp(w->roads[a->roads[k]].id, g->roads[b->roads[k]].id))
                return differ(d, "%s.roads[%u]: %s vs %s", a->id, k, w->roads[a->roads[k]].id, g->roads[b->roads[k]].id);
        if (a->n_roadlinks != b->n_roadlinks)
            return differ(d, "%s.roadLinks: %u vs %u", a->id, a->n_roadlinks, b->n_roadlinks);
        for (uint32_t k = 0; k < a->n_roadlinks; k++) {
            const net_spec_roadlink *p = &a->roadlinks[k], *q = &b->roadlinks[k];
            if (p->type != q->type)
                return differ(d, "%s.roadLinks[%u].type: %s vs %s", a->id, k, cf_turn_name(p->type), cf_turn_name(q->type));
            if (strcmp(w->roads[p->start_road].id, g->roads[q->start_road].id) ||
                strcmp(w->roads[p->end_road].id, g->roads[q->end_road].id))
                return differ(d, "%s.roadLinks[%u]: %s->%s vs %s->%s", a->id, k, w->roads[p->start_road].id,
                              w->roads[p->end_road].id, g->roads[q->start_road].id, g->roads[q->end_road].id);
            if (p->n_lanelinks != q->n_lanelinks)
                return differ(d, "%s.roadLinks[%u].laneLinks: %u vs %u", a->id, k, p->n_lanelinks, q->n_lanelinks);
            for (uint32_t l = 0; l < p->n_lanelinks; l++) {
                const net_spec_lanelink *x = &p->lanelinks[l], *y = &q->lanelinks[l];
                snprintf(at, sizeof at, "%s.roadLinks[%u].laneLinks[%u]", a->id, k, l);
                if (x->start_lane != y->start_lane || x->end_lane != y->end_lane)
                    return differ(d, "%s: lanes %u->%u vs %u->%u", at, x->start_lane, x->end_lane, y->start_lane, y->end_lane);
                if (cmp_points(d, at, x->points, x->n_points, y->points, y->n_points, tol)) return 1;
            }
        }
        if (a->n_phases != b->n_phases) return differ(d, "%s.lightphases: %u vs %u", a->id, a->n_phases, b->n_phases);
        for (uint32_t p = 0; p < a->n_phases; p++) {
            const net_spec_phase *x = &a->phases[p], *y = &b->phases[p];
            if (x->time != y->time) return differ(d, "%s.lightphases[%u].time: %g vs %g", a->id, p, x->time, y->time);
            if (x->n_links != y->n_links)
                return differ(d, "%s.lightphases[%u].availableRoadLinks: %u vs %u entries", a->id, p, x->n_links, y->n_links);
            for (uint32_t k = 0; k < x->n_links; k++)
                if (x->links[k] != y->links[k])
                    return differ(d, "%s.lightphases[%u].availableRoadLinks[%u]: %u vs %u", a->id, p, k, x->links[k], y->links[k]);
        }
    }
    return 0;
}

static int cmp_demand(diff *d, const demand_spec *w, const net_spec *wn, const demand_spec *g, const net_spec *gn)
{
    if (w->n_flows != g->n_flows) return differ(d, "flows: %u in the reference, %u here", w->n_flows, g->n_flows);
    for (uint32_t i = 0; i < w->n_flows; i++) {
        const demand_flow *a = &w->flows[i], *b = &g->flows[i];
        const double *va = &a->vtype.length, *vb = &b->vtype.length;
        for (int k = 0; k < 9; k++)
            if (va[k] != vb[k]) return differ(d, "flow[%d].vehicle field %d: %g vs %g", i, k, va[k], vb[k]);
        if (a->interval != b->interval || a->start_time != b->start_time || a->end_time != b->end_time)
            return differ(d, "flow[%u]: interval/startTime/endTime %g/%lld/%lld vs %g/%lld/%lld", i, a->interval,
                          (long long)a->start_time, (long long)a->end_time, b->interval, (long long)b->start_time,
                          (long long)b->end_time);
        if (a->n_route != b->n_route) return differ(d, "flow[%u].route: %u vs %u roads", i, a->n_route, b->n_route);
        for (uint32_t k = 0; k < a->n_route; k++)
            if (strcmp(wn->roads[a->route[k]].id, gn->roads[b->route[k]].id))
                return differ(d, "flow[%u].route[%u]: %s vs %s", i, k, wn->roads[a->route[k]].id, gn->roads[b->route[k]].id);
    }
    return 0;
}

/*--- against CityFlow's generator ---------------------------------------------------*/

/* What the loader drops for virtual intersections must carry no meaning in
 * the reference: width 0, no road links, phases that allow nothing. */
static int check_reference_virtuals(diff *d, const cbu_jdoc *doc)
{
    const cbu_jv *inters = cbu_jobj_get(doc->root, "intersections");
    for (uint32_t i = 0; inters && i < inters->n; i++) {
        const cbu_jv *in = &inters->u.kids[i], *v = cbu_jobj_get(in, "virtual");
        if (!v || v->type != CBU_JBOOL || !v->u.b) continue;
        const cbu_jv *w = cbu_jobj_get(in, "width"), *rl = cbu_jobj_get(in, "roadLinks");
        const cbu_jv *tl = cbu_jobj_get(in, "trafficLight");
        const cbu_jv *ph = tl ? cbu_jobj_get(tl, "lightphases") : NULL;
        if (!w || cbu_jnumber(w) != 0) return differ(d, "reference intersections[%u]: virtual with width", i);
        if (rl && rl->n) return differ(d, "reference intersections[%u]: virtual with roadLinks", i);
        for (uint32_t p = 0; ph && p < ph->n; p++) {
            const cbu_jv *links = cbu_jobj_get(&ph->u.kids[p], "availableRoadLinks");
            if (links && links->n) return differ(d, "reference intersections[%u]: virtual phase %u allows links", i, p);
        }
    }
    return 0;
}

static void compare_with_reference(int rows, int cols)
{
    char rpath[512], fpath[512];
    snprintf(rpath, sizeof rpath, "%s/grid_%dx%d/roadnet_%dx%d.json", CB_SHARED_DATA, rows, cols, rows, cols);
    snprintf(fpath, sizeof fpath, "%s/grid_%dx%d/flow_%dx%d.json", CB_SHARED_DATA, rows, cols, rows, cols);
    if (!test_path_exists(rpath) || !test_path_exists(fpath))
        TEST_SKIP("reference grid %dx%d not found (%s)", rows, cols, rpath);

    cb_error err = { 0 };
    cbu_jdoc doc;
    net_spec ref, gen;
    demand_spec rdem, gdem;
    net_spec_init(&ref); net_spec_init(&gen);
    demand_spec_init(&rdem); demand_spec_init(&gdem);
    int rc = cbu_json_load(&doc, rpath, &err);
    if (rc == CB_OK) rc = cf_roadnet_from_json(&doc, rpath, &ref, &err);
    if (rc == CB_OK) rc = cf_flow_load(fpath, &ref, &rdem, &err);
    if (rc != CB_OK) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);

    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = rows;
    g.cols = cols;
    rc = gen_grid_spec(&g, &gen, &gdem, &err);
    if (rc != CB_OK) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);

    diff d = { .found = 0 };
    /* 1e-6 m: the reference was computed in a different operation order */
    if (!cmp_net(&d, &ref, &gen, 1e-6) && !check_reference_virtuals(&d, &doc))
        cmp_demand(&d, &rdem, &ref, &gdem, &gen);
    if (d.found) fprintf(stderr, "  first difference: %s\n", d.msg);
    ASSERT_EQ_INT(d.found, 0);
    /* the comparison really looked at something */
    ASSERT_EQ_INT(gen.n_inters, rows * cols + 2 * rows + 2 * cols);
    ASSERT_EQ_INT(gdem.n_flows, 2 * (rows + cols));
    cbu_json_free(&doc);
    net_spec_free(&ref); net_spec_free(&gen);
    demand_spec_free(&rdem); demand_spec_free(&gdem);
}

TEST(matches_cityflow_10x10) { compare_with_reference(10, 10); }
TEST(matches_cityflow_30x30) { compare_with_reference(30, 30); }

/* The comparison must catch a displaced curve point. */
TEST(comparison_detects_a_moved_point)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 2;
    net_spec a, b;
    net_spec_init(&a); net_spec_init(&b);
    cb_error err;
    ASSERT_EQ_INT(gen_grid_spec(&g, &a, NULL, &err), CB_OK);
    ASSERT_EQ_INT(gen_grid_spec(&g, &b, NULL, &err), CB_OK);
    diff d = { .found = 0 };
    ASSERT_EQ_INT(cmp_net(&d, &a, &b, 1e-6), 0);
    net_spec_inter *in = NULL;
    for (uint32_t i = 0; i < b.n_inters && !in; i++)
        if (!b.inters[i].is_virtual) in = &b.inters[i];
    ASSERT(in != NULL);
    in->roadlinks[4].lanelinks[1].points[5].y += 2e-6;
    ASSERT_EQ_INT(cmp_net(&d, &a, &b, 1e-6), 1);
    ASSERT_CONTAINS(d.msg, "intersection_1_1.roadLinks[4].laneLinks[1].points[5]");
    net_spec_free(&a); net_spec_free(&b);
}

/*--- layout facts that do not need the reference ------------------------------------*/

static long find_inter(const net_spec *n, const char *id)
{
    for (uint32_t i = 0; i < n->n_inters; i++)
        if (strcmp(n->inters[i].id, id) == 0) return i;
    return -1;
}

static long find_road(const net_spec *n, const char *id)
{
    for (uint32_t i = 0; i < n->n_roads; i++)
        if (strcmp(n->roads[i].id, id) == 0) return i;
    return -1;
}

TEST(rows_are_y_and_cols_are_x)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 2;
    g.cols = 3;
    net_spec n;
    demand_spec dm;
    net_spec_init(&n); demand_spec_init(&dm);
    cb_error err;
    ASSERT_EQ_INT(gen_grid_spec(&g, &n, &dm, &err), CB_OK);
    ASSERT_EQ_INT(n.n_inters, 6 + 4 + 6);
    ASSERT_EQ_INT(n.n_roads, 24 + 4 + 6);
    ASSERT_EQ_INT(dm.n_flows, 10);
    long e = find_inter(&n, "intersection_4_1");            /* east boundary of row 1 */
    ASSERT(e >= 0);
    ASSERT(n.inters[e].is_virtual);
    ASSERT_NEAR(n.inters[e].point.x, 900, 0);
    ASSERT_NEAR(n.inters[e].point.y, 0, 0);
    ASSERT(find_inter(&n, "intersection_2_3") >= 0);        /* north boundary */
    ASSERT(find_inter(&n, "intersection_4_3") < 0);         /* a corner */
    ASSERT(find_inter(&n, "intersection_1_4") < 0);
    long s = find_inter(&n, "intersection_3_2");
    ASSERT(s >= 0 && !n.inters[s].is_virtual);
    ASSERT_EQ_INT(n.inters[s].n_roads, 8);
    ASSERT_EQ_INT(n.inters[s].n_phases, 8);
    /* the west->east flow of row 2 crosses 3 intersections */
    ASSERT_EQ_INT(dm.flows[2].n_route, 4);
    ASSERT_STR_EQ(n.roads[dm.flows[2].route[0]].id, "road_0_2_0");
    ASSERT_STR_EQ(n.roads[dm.flows[2].route[3]].id, "road_3_2_0");
    /* the last flow: column 3 southbound */
    ASSERT_STR_EQ(n.roads[dm.flows[9].route[0]].id, "road_3_3_3");
    ASSERT_EQ_INT(dm.flows[9].n_route, 3);
    /* roads end where their intersections are */
    long r = find_road(&n, "road_2_1_1");
    ASSERT(r >= 0);
    ASSERT_STR_EQ(n.inters[n.roads[r].to].id, "intersection_2_2");
    ASSERT_NEAR(n.roads[r].points[1].y, 300, 0);
    net_spec_free(&n); demand_spec_free(&dm);
}

/* The curve of grid.h, evaluated by hand at t = 0.5 for a left turn from
 * road_0_1_0 (lane 0) into road_1_1_1 (lane 2) at the origin, w = 30,
 * lane width 4: P0 = (-30, -2), P3 = (10, 30) (the northbound lane 2 lies
 * 10 m east of the centre line), tangents 30 east and 30 north.
 * Hermite at t = 1/2: (P0 + P3)/2 + (T0 - T3)/8 = (-10, 14) + (3.75, -3.75). */
TEST(lane_link_curve_by_hand)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 1;
    net_spec n;
    net_spec_init(&n);
    cb_error err;
    ASSERT_EQ_INT(gen_grid_spec(&g, &n, NULL, &err), CB_OK);
    const net_spec_inter *in = &n.inters[find_inter(&n, "intersection_1_1")];
    const net_spec_roadlink *rl = &in->roadlinks[1];
    ASSERT_EQ_INT(rl->type, NET_TURN_LEFT);
    ASSERT_STR_EQ(n.roads[rl->end_road].id, "road_1_1_1");
    const net_spec_lanelink *ll = &rl->lanelinks[2];
    ASSERT_EQ_INT(ll->start_lane, 0);
    ASSERT_EQ_INT(ll->end_lane, 2);
    ASSERT_EQ_INT(ll->n_points, 11);
    ASSERT_NEAR(ll->points[0].x, -30, 1e-12);
    ASSERT_NEAR(ll->points[0].y, -2, 1e-12);
    ASSERT_NEAR(ll->points[10].x, 10, 1e-12);
    ASSERT_NEAR(ll->points[10].y, 30, 1e-12);
    ASSERT_NEAR(ll->points[5].x, -6.25, 1e-12);
    ASSERT_NEAR(ll->points[5].y, 10.25, 1e-12);
    net_spec_free(&n);
}

/*--- round trips through the writers ------------------------------------------------*/

static void round_trip(const cb_grid_options *g, const char *tag)
{
    char rpath[512], fpath[512];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(rpath, sizeof rpath, "%s/cb_test_grid_%s_%d_roadnet.json", tmp, tag, (int)getpid());
    snprintf(fpath, sizeof fpath, "%s/cb_test_grid_%s_%d_flow.json", tmp, tag, (int)getpid());
    cb_error err = { 0 };
    int rc = cb_grid_write(g, rpath, fpath, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    net_spec gen, back;
    demand_spec gdem, bdem;
    net_spec_init(&gen); net_spec_init(&back);
    demand_spec_init(&gdem); demand_spec_init(&bdem);
    ASSERT_EQ_INT(gen_grid_spec(g, &gen, &gdem, &err), CB_OK);
    rc = cf_roadnet_load(rpath, &back, &err);
    if (rc == CB_OK) rc = cf_flow_load(fpath, &back, &bdem, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    diff d = { .found = 0 };
    if (!cmp_net(&d, &gen, &back, 0)) cmp_demand(&d, &gdem, &gen, &bdem, &back);   /* exact */
    if (d.found) fprintf(stderr, "  first difference: %s\n", d.msg);
    ASSERT_EQ_INT(d.found, 0);
    remove(rpath);
    remove(fpath);
    net_spec_free(&gen); net_spec_free(&back);
    demand_spec_free(&gdem); demand_spec_free(&bdem);
}

TEST(round_trip_default_3x4)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 3;
    g.cols = 4;
    round_trip(&g, "default");
}

TEST(round_trip_options)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = 2;
    g.cols = 5;
    g.lanes = 4;
    g.lane_width = 3.25;
    g.spacing = 212.5;
    g.intersection_width = 17.3;
    g.max_speed = 13.89;
    g.green_time = 27;
    g.yellow_time = 3;
    g.flow_interval = 4.5;
    g.turns = true;
    round_trip(&g, "options");
}

TEST(lane_roles_and_turning_flows)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 3;
    g.lanes = 4;
    g.turns = true;
    net_spec n;
    demand_spec dm;
    net_spec_init(&n); demand_spec_init(&dm);
    cb_error err;
    ASSERT_EQ_INT(gen_grid_spec(&g, &n, &dm, &err), CB_OK);
    const net_spec_inter *in = &n.inters[find_inter(&n, "intersection_2_2")];
    ASSERT_EQ_INT(in->roadlinks[0].type, NET_TURN_STRAIGHT);
    ASSERT_EQ_INT(in->roadlinks[0].n_lanelinks, 8);              /* lanes 1, 2 to all 4 */
    ASSERT_EQ_INT(in->roadlinks[0].lanelinks[4].start_lane, 2);
    ASSERT_EQ_INT(in->roadlinks[2].type, NET_TURN_RIGHT);
    ASSERT_EQ_INT(in->roadlinks[2].lanelinks[0].start_lane, 3);
    ASSERT_EQ_INT(dm.n_flows, 36);
    /* flow 12: the first left-turning flow, entering row 1 from the west and
     * turning north at the 2nd of 3 intersections */
    static const char *left[] = { "road_0_1_0", "road_1_1_0", "road_2_1_1", "road_2_2_1", "road_2_3_1" };
    ASSERT_EQ_INT(dm.flows[12].n_route, 5);
    for (int k = 0; k < 5; k++) ASSERT_STR_EQ(n.roads[dm.flows[12].route[k]].id, left[k]);
    static const char *right[] = { "road_0_1_0", "road_1_1_0", "road_2_1_3" };
    ASSERT_EQ_INT(dm.flows[24].n_route, 3);
    for (int k = 0; k < 3; k++) ASSERT_STR_EQ(n.roads[dm.flows[24].route[k]].id, right[k]);
    net_spec_free(&n); demand_spec_free(&dm);
}

/* Generic writer features the grid never uses: curves left to the engine
 * (no points) and ids that need escaping. */
TEST(cf_write_generic)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 1;
    net_spec n, back;
    net_spec_init(&n); net_spec_init(&back);
    cb_error err = { 0 };
    ASSERT_EQ_INT(gen_grid_spec(&g, &n, NULL, &err), CB_OK);
    n.roads[0].id = "we\"ird\\road\n1";
    n.inters[0].id = "caf\xc3\xa9 \t";
    net_spec_lanelink *ll = &n.inters[find_inter(&n, "intersection_1_1")].roadlinks[3].lanelinks[1];
    ll->points = NULL;
    ll->n_points = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/cb_test_grid_generic_%d.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    int rc = cf_roadnet_write(&n, path, &err);
    if (rc == CB_OK) rc = cf_roadnet_load(path, &back, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    diff d = { .found = 0 };
    cmp_net(&d, &n, &back, 0);
    if (d.found) fprintf(stderr, "  first difference: %s\n", d.msg);
    ASSERT_EQ_INT(d.found, 0);
    ASSERT_STR_EQ(back.roads[0].id, "we\"ird\\road\n1");
    remove(path);
    /* an index out of range is refused, not written */
    n.roads[2].to = n.n_inters;
    ASSERT_EQ_INT(cf_roadnet_write(&n, path, &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "roads[2]");
    ASSERT(!test_path_exists(path));
    net_spec_free(&n); net_spec_free(&back);
}

/*--- options ------------------------------------------------------------------------*/

static void expect_invalid(cb_grid_options g, const char *needle)
{
    cb_error err = { 0 };
    net_spec n;
    net_spec_init(&n);
    ASSERT_EQ_INT(gen_grid_spec(&g, &n, NULL, &err), CB_EINVAL);
    ASSERT_CONTAINS(err.msg, needle);
    net_spec_free(&n);
    cb_engine *e = (cb_engine *)&err;                   /* must be reset to NULL */
    ASSERT_EQ_INT(cb_engine_open_grid(&g, NULL, &e, &err), CB_EINVAL);
    ASSERT(e == NULL);
}

TEST(option_validation)
{
    cb_grid_options g0, g;
    cb_grid_options_init(&g0);
    g = g0; g.rows = 0; expect_invalid(g, "rows");
    g = g0; g.cols = 1001; expect_invalid(g, "cols");
    g = g0; g.lanes = 0; expect_invalid(g, "lanes");
    g = g0; g.spacing = -300; expect_invalid(g, "spacing");
    g = g0; g.spacing = NAN; expect_invalid(g, "spacing");
    g = g0; g.spacing = 60; expect_invalid(g, "twice intersection_width");
    g = g0; g.lane_width = 0; expect_invalid(g, "lane_width");
    g = g0; g.max_speed = INFINITY; expect_invalid(g, "max_speed");
    g = g0; g.intersection_width = 0; expect_invalid(g, "intersection_width");
    g = g0; g.green_time = 0; expect_invalid(g, "green_time");
    g = g0; g.yellow_time = -5; expect_invalid(g, "yellow_time");
    g = g0; g.flow_interval = 0.5; expect_invalid(g, "flow_interval");
    cb_error err = { 0 };
    g = g0; g.rows = g.cols = 1000; g.lanes = 16;      /* 1e9 lane links */
    ASSERT_EQ_INT(gen_grid_check(&g, &err), CB_ELIMIT);
    ASSERT_CONTAINS(err.msg, "lane links");
    g.lanes = 3;                                        /* 36M: allowed (not generated here) */
    ASSERT_EQ_INT(gen_grid_check(&g, &err), CB_OK);
    ASSERT_EQ_INT(cb_grid_write(&g0, "/nonexistent-dir/roadnet.json", NULL, &err), CB_EIO);
    ASSERT_CONTAINS(err.msg, "/nonexistent-dir/roadnet.json");
    /* the defaults are the reference grids' settings */
    ASSERT_EQ_INT(g0.rows, 10);
    ASSERT_NEAR(g0.spacing, 300, 0);
    ASSERT_NEAR(g0.max_speed, 16.67, 0);
    ASSERT(!g0.turns);
}

/*--- simulation ---------------------------------------------------------------------*/

TEST(engine_on_3x3_grid)
{
    cb_grid_options g;
    cb_grid_options_init(&g);
    g.rows = g.cols = 3;
    cb_engine *e = NULL;
    cb_error err = { 0 };
    int rc = cb_engine_open_grid(&g, NULL, &e, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(cb_engine_intersection_count(e), 9 + 12);
    ASSERT_EQ_INT(cb_engine_road_count(e), 36 + 12);
    ASSERT_EQ_INT(cb_engine_phase_count(e, (size_t)cb_engine_intersection_find(e, "intersection_2_2")), 8);
    for (int s = 0; s < 600 && rc == CB_OK; s++) rc = cb_engine_step(e, &err);
    ASSERT_EQ_INT(rc, CB_OK);
    cb_metrics m;
    cb_engine_metrics(e, &m);
    ASSERT_NEAR(m.time, 600, 1e-9);
    /* 12 flows, one vehicle every 10 s each from t = 0 */
    ASSERT(m.created >= 12 * 59 && m.created <= 12 * 61);
    ASSERT(m.finished > 0);
    ASSERT(m.created > m.finished);
    cb_engine_close(e);
}

/* The in-memory grid drives the engine exactly as the reference files do. */
TEST(engine_matches_reference_files_10x10)
{
#define GRID10 CB_SHARED_DATA "/grid_10x10"
    const char *dir = GRID10;
    if (!test_path_exists(GRID10 "/roadnet_10x10.json") || !test_path_exists(GRID10 "/flow_10x10.json"))
        TEST_SKIP("reference grid 10x10 not found (%s)", dir);
    cb_grid_options g;
    cb_grid_options_init(&g);
    cb_engine *a = NULL, *b = NULL;
    cb_error err = { 0 };
    int rc = cb_engine_open_grid(&g, NULL, &a, &err);
    if (rc == CB_OK) rc = cb_engine_open(dir, NULL, &b, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    ASSERT_EQ_INT(rc, CB_OK);
    for (int s = 0; s < 900 && rc == CB_OK; s++) {
        rc = cb_engine_step(a, &err);
        if (rc == CB_OK) rc = cb_engine_step(b, &err);
    }
    ASSERT_EQ_INT(rc, CB_OK);
    cb_metrics ma, mb;
    cb_engine_metrics(a, &ma);
    cb_engine_metrics(b, &mb);
    ASSERT(mb.finished > 0);
    ASSERT_EQ_INT(ma.created, mb.created);
    ASSERT_EQ_INT(ma.finished, mb.finished);
    ASSERT_EQ_INT(ma.running, mb.running);
    ASSERT_EQ_INT(ma.waiting, mb.waiting);
    ASSERT_EQ_INT(ma.veh_updates, mb.veh_updates);
    ASSERT_NEAR(ma.engine_att, mb.engine_att, 1e-9);
    cb_engine_close(a);
    cb_engine_close(b);
}

TEST_MAIN()
