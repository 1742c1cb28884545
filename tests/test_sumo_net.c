/* test_sumo_net.c -- a SUMO network as citybrain's model: the hand-written
 * tests/data/sumo/cross.net.xml, whose every number is known (its header
 * comment draws it), and the errors malformed networks must give.
 *
 * Known answers: WJ's SUMO lane 0 (rightmost, y = -4.8) is our lane 1; its
 * length 95 is SUMO's attribute, not the 92 m of its shape.  The tlLogic
 * "T" (phases GGg / yyr / rrG, 30/3/27 s) gives movement WJ->JE green in
 * phase 0 only and NJ->JE green (minor) in phase 0 and green in phase 2.
 * Link 2 (NJ->JE) must yield to link 0 (WJ_0->JE_0) by the request
 * matrix.  A program in cross.add.xml (20/4/16 s) replaces T's. */
#include "test.h"
#include "load/sumo.h"
#include "net/net.h"

#define DATA CB_SOURCE_DIR "/tests/data/sumo/"

static int load(const char *path, const char *const *add, uint32_t n_add, double begin, sumo_net *n, net_spec *s,
                cb_warnings *w, cb_error *err)
{
    net_spec_init(s);
    int rc = sumo_net_load(n, path, add, n_add, w, err);
    if (rc == CB_OK) rc = sumo_net_to_spec(n, begin, s, w, err);
    return rc;
}

static uint32_t road(const net_spec *s, const char *id)
{
    for (uint32_t r = 0; r < s->n_roads; r++)
        if (strcmp(s->roads[r].id, id) == 0) return r;
    return UINT32_MAX;
}

static uint32_t inter(const net_spec *s, const char *id)
{
    for (uint32_t i = 0; i < s->n_inters; i++)
        if (strcmp(s->inters[i].id, id) == 0) return i;
    return UINT32_MAX;
}

/* Is roadlink k of intersection i in phase p's list (or minor list)? */
static bool in_list(const uint32_t *a, uint32_t n, uint32_t k)
{
    for (uint32_t i = 0; i < n; i++)
        if (a[i] == k) return true;
    return false;
}

TEST(roads_lanes_reversed_lengths_kept)
{
    sumo_net n;
    net_spec s;
    cb_error err = { 0 };
    ASSERT_EQ_INT(load(DATA "cross.net.xml", NULL, 0, 0, &n, &s, NULL, &err), CB_OK);
    ASSERT_EQ_INT(s.n_roads, 3);                  /* internal edges are not roads */
    uint32_t wj = road(&s, "WJ");
    ASSERT(wj != UINT32_MAX);
    const net_spec_road *r = &s.roads[wj];
    ASSERT_EQ_INT(r->n_lanes, 2);
    ASSERT_NEAR(r->lane_points[1][0].y, -4.8, 1e-12);   /* SUMO's rightmost lane is our last */
    ASSERT_NEAR(r->lane_points[0][0].y, -1.6, 1e-12);
    ASSERT_NEAR(r->lane_lengths[1], 95.0, 1e-12);        /* the attribute, not the shape */
    ASSERT_NEAR(r->lanes[1].max_speed, 13.89, 1e-12);
    /* the centre line is the left border: lane 0's shape moved left by half its width */
    ASSERT_NEAR(r->points[0].y, -1.6 + 1.6, 1e-9);
    ASSERT_EQ_INT(s.n_inters, 4);
    ASSERT(s.inters[inter(&s, "W")].is_virtual);
    ASSERT(!s.inters[inter(&s, "J")].is_virtual);
    /* the model builds, and keeps SUMO's length */
    cb_net *net = NULL;
    ASSERT_EQ_INT(net_build(&s, &net, &err), CB_OK);
    const net_road *nr = &net->roads[wj];
    ASSERT_NEAR(net->lanes[nr->first_lane + 1].length, 95.0, 1e-12);
    ASSERT_NEAR(net->lanes[nr->first_lane].length, 92.0, 1e-9);
    net_free(net);
    net_spec_free(&s);
    sumo_net_free(&n);
}

TEST(movements_phases_minor_links_and_right_of_way)
{
    sumo_net n;
    net_spec s;
    cb_error err = { 0 };
    ASSERT_EQ_INT(load(DATA "cross.net.xml", NULL, 0, 0, &n, &s, NULL, &err), CB_OK);
    const net_spec_inter *j = &s.inters[inter(&s, "J")];
    uint32_t wj = road(&s, "WJ"), je = road(&s, "JE"), nj = road(&s, "NJ");
    ASSERT_EQ_INT(j->n_roadlinks, 2);
    const net_spec_roadlink *st = &j->roadlinks[0], *lt = &j->roadlinks[1];
    ASSERT_EQ_INT(st->start_road, wj);
    ASSERT_EQ_INT(st->end_road, je);
    ASSERT_EQ_INT(st->type, NET_TURN_STRAIGHT);
    ASSERT_EQ_INT(lt->start_road, nj);
    ASSERT_EQ_INT(lt->type, NET_TURN_LEFT);
    /* two real lane links then two fan-out links (lane changes in the junction) */
    ASSERT_EQ_INT(st->n_lanelinks, 4);
    ASSERT_EQ_INT(st->lanelinks[0].start_lane, 1);   /* WJ_0 -> JE_0, our 1 -> 1 */
    ASSERT_EQ_INT(st->lanelinks[0].end_lane, 1);
    ASSERT_EQ_INT(st->lanelinks[1].start_lane, 0);
    ASSERT_EQ_INT(st->lanelinks[2].start_lane, 1);   /* fan-out WJ_0 -> JE_1 */
    ASSERT_EQ_INT(st->lanelinks[2].end_lane, 0);
    ASSERT(st->lanelinks[2].points == NULL);         /* a generated curve */
    /* the real link follows its internal lane's shape, at its speed */
    ASSERT_EQ_INT(lt->lanelinks[0].n_points, 3);
    ASSERT_NEAR(lt->lanelinks[0].points[1].y, 0.0, 1e-12);
    ASSERT_NEAR(lt->lanelinks[0].max_speed, 6.5, 1e-12);
    /* phases: GGg / yyr / rrG -> {0, 1 minor} / {} / {1} */
    ASSERT_EQ_INT(j->n_phases, 3);
    ASSERT_NEAR(j->phases[0].time, 30, 0);
    ASSERT_EQ_INT(j->phases[0].n_links, 2);
    ASSERT(in_list(j->phases[0].minor, j->phases[0].n_minor, 1));
    ASSERT(!in_list(j->phases[0].minor, j->phases[0].n_minor, 0));
    ASSERT_EQ_INT(j->phases[1].n_links, 0);          /* yellow is not green */
    ASSERT_EQ_INT(j->phases[2].n_links, 1);
    ASSERT(in_list(j->phases[2].links, j->phases[2].n_links, 1));
    ASSERT_EQ_INT(j->phases[2].n_minor, 0);          /* G: protected */
    /* right of way: lane links 0..3 straight (0 = WJ_0->JE_0), 4 = NJ_0->JE_0 */
    ASSERT(j->row != NULL);
    ASSERT_EQ_INT(j->n_row, 6);
    uint32_t nl = j->n_row;
    ASSERT_EQ_INT(j->row[4 * nl + 0], NET_ROW_FOE | NET_ROW_YIELD);   /* left yields to straight */
    ASSERT_EQ_INT(j->row[0 * nl + 4], NET_ROW_FOE);
    ASSERT_EQ_INT(j->row[0 * nl + 1], 0);                            /* parallel straights */
    ASSERT_EQ_INT(j->row[3 * nl + 0] & NET_ROW_YIELD, NET_ROW_YIELD); /* fan-out yields where it merges */
    cb_net *net = NULL;
    ASSERT_EQ_INT(net_build(&s, &net, &err), CB_OK);
    /* the built crosses carry the rule: link 4's view of its cross with 0 */
    const net_inter *ni = &net->inters[inter(&s, "J")];
    uint32_t cnt;
    const net_xview *xv = net_link_xviews(net, ni->first_link + 4, &cnt);
    bool seen = false;
    for (uint32_t k = 0; k < cnt; k++)
        if (xv[k].other == 0) { seen = true; ASSERT_EQ_INT(xv[k].rule, NET_XRULE_YIELD); }
    ASSERT(seen);
    net_free(net);
    net_spec_free(&s);
    sumo_net_free(&n);
}

TEST(additional_program_replaces_and_begin_rotates)
{
    sumo_net n;
    net_spec s;
    cb_error err = { 0 };
    cb_warnings *w = cb_warnings_new();
    const char *add[] = { DATA "cross.add.xml" };
    ASSERT_EQ_INT(load(DATA "cross.net.xml", add, 1, 0, &n, &s, w, &err), CB_OK);
    const net_spec_inter *j = &s.inters[inter(&s, "J")];
    ASSERT_EQ_INT(j->n_phases, 3);
    ASSERT_NEAR(j->phases[0].time, 20, 0);
    ASSERT_NEAR(j->phases[2].time, 16, 0);
    ASSERT_EQ_INT(j->phases[0].n_links, 1);          /* GGr: the left is red now */
    /* the detector of the additional file is named, with its count */
    bool named = false;
    for (size_t i = 0; i < cb_warnings_count(w); i++)
        named |= strstr(cb_warnings_text(w, i), "<e1Detector>") != NULL;
    ASSERT(named);
    net_spec_free(&s);
    sumo_net_free(&n);
    cb_warnings_free(w);

    /* begin 40 s into T's 60 s cycle: 7 s into phase 2 (27 s) */
    ASSERT_EQ_INT(load(DATA "cross.net.xml", NULL, 0, 40, &n, &s, NULL, &err), CB_OK);
    j = &s.inters[inter(&s, "J")];
    ASSERT_EQ_INT(j->n_phases, 4);
    ASSERT_NEAR(j->phases[0].time, 20, 1e-9);        /* what is left of phase 2 */
    ASSERT_NEAR(j->phases[1].time, 30, 0);
    ASSERT_NEAR(j->phases[2].time, 3, 0);
    ASSERT_NEAR(j->phases[3].time, 7, 1e-9);         /* its first part, at the end of the cycle */
    ASSERT_EQ_INT(j->phases[0].n_links, 1);
    ASSERT_EQ_INT(j->phases[3].n_links, 1);
    net_spec_free(&s);
    sumo_net_free(&n);
}

/* A copy of cross.net.xml with one substring replaced, parsed from memory. */
static int parse_variant(const char *from, const char *to, cb_error *err)
{
    FILE *f = fopen(DATA "cross.net.xml", "rb");
    if (!f) return -100;
    static char buf[65536], out[65536];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *at = strstr(buf, from);
    if (!at) return -101;
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    sumo_net n;
    net_spec s;
    net_spec_init(&s);
    int rc = sumo_net_parse(&n, "variant.net.xml", out, strlen(out), NULL, err);
    if (rc == CB_OK) rc = sumo_net_to_spec(&n, 0, &s, NULL, err);
    net_spec_free(&s);
    sumo_net_free(&n);
    return rc;
}

TEST(bad_networks_name_file_line_and_element)
{
    cb_error err = { 0 };
    ASSERT_EQ_INT(parse_variant("<connection from=\"NJ\" to=\"JE\"", "<connection from=\"NX\" to=\"JE\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "variant.net.xml:48: <connection from=\"NX\" to=\"JE\">: dangling connection: unknown edge \"NX\"");
    ASSERT_EQ_INT(parse_variant("fromLane=\"1\" toLane=\"1\" via=\":J_0_1\"", "fromLane=\"3\" toLane=\"1\" via=\":J_0_1\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "edge \"WJ\" has no lane 3");
    ASSERT_EQ_INT(parse_variant("via=\":J_2_0\"", "via=\":J_9_0\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "unknown via lane \":J_9_0\"");
    ASSERT_EQ_INT(parse_variant("tl=\"T\" linkIndex=\"2\"", "tl=\"T\" linkIndex=\"7\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "linkIndex 7 is beyond the 3 signals of tlLogic \"T\"");
    ASSERT_EQ_INT(parse_variant("tl=\"T\" linkIndex=\"2\"", "tl=\"Q\" linkIndex=\"2\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "unknown tlLogic \"Q\"");
    ASSERT_EQ_INT(parse_variant("state=\"yyr\"", "state=\"yyrr\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<phase>: state has 4 signals, the program's first phase has 3");
    ASSERT_EQ_INT(parse_variant("state=\"rrG\"", "state=\"rrX\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "unknown signal 'X'");
    ASSERT_EQ_INT(parse_variant("duration=\"3\"", "duration=\"0\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "duration must be between 0.001 and 1e6 s");
    ASSERT_EQ_INT(parse_variant("duration=\"3\"", "duration=\"1e-300\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "duration must be between 0.001 and 1e6 s");
    ASSERT_EQ_INT(parse_variant("response=\"001\"", "response=\"01\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<request>: response has 2 characters, the junction has 3 links");
    ASSERT_EQ_INT(parse_variant("from=\"N\" to=\"J\"", "from=\"N\" to=\"Z\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<edge id=\"NJ\">: unknown junction \"Z\" in 'to'");
    ASSERT_EQ_INT(parse_variant("speed=\"13.89\" length=\"95.00\"", "speed=\"-1\" length=\"95.00\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<lane id=\"WJ_0\">: speed must be > 0");
    ASSERT_EQ_INT(parse_variant("<net version", "<notnet version", &err), CB_ESYNTAX);   /* </net> mismatched */
    ASSERT_EQ_INT(parse_variant("</net>", "", &err), CB_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "truncated");
    ASSERT_EQ_INT(parse_variant("id=\"WJ_1\"", "id=\"WJ_0\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "duplicate lane id \"WJ_0\"");
    /* coordinates as every loader bounds them (NET_MAX_COORD), so that a
     * converted network reads back as CityFlow */
    ASSERT_EQ_INT(parse_variant("type=\"dead_end\" x=\"200.00\"", "type=\"dead_end\" x=\"2e8\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<junction id=\"E\">: x and y must be between -1e8 and 1e8 m");
    ASSERT_EQ_INT(parse_variant("shape=\"0.00,-4.80 92.00,-4.80\"", "shape=\"0.00,-4.80 1.5e8,-4.80\"", &err), CB_ESCHEMA);
    ASSERT_CONTAINS(err.msg, "<lane id=\"WJ_0\">: shape must be at least 2 points \"x,y x,y ...\", each within +-1e8 m");
}

TEST(unsignalized_junctions_get_one_green_phase)
{
    /* drop the signal: every connection is then J's own (state o -> minor) */
    cb_error err = { 0 };
    FILE *f = fopen(DATA "cross.net.xml", "rb");
    ASSERT(f);
    static char buf[65536];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    for (char *p = buf; (p = strstr(p, " tl=\"T\"")); ) memset(p, ' ', 7);
    for (char *p = buf; (p = strstr(p, " linkIndex=\"")); ) memset(p, ' ', 14);
    sumo_net n;
    net_spec s;
    net_spec_init(&s);
    ASSERT_EQ_INT(sumo_net_parse(&n, "nosig.net.xml", buf, strlen(buf), NULL, &err), CB_OK);
    ASSERT_EQ_INT(sumo_net_to_spec(&n, 0, &s, NULL, &err), CB_OK);
    const net_spec_inter *j = &s.inters[inter(&s, "J")];
    ASSERT_EQ_INT(j->n_phases, 1);
    ASSERT_EQ_INT(j->phases[0].n_links, 2);
    ASSERT_EQ_INT(j->phases[0].n_minor, 1);            /* the left (state "o") yields */
    ASSERT(j->row != NULL);                            /* and the matrix still says to whom */
    net_spec_free(&s);
    sumo_net_free(&n);
}

TEST_MAIN()
