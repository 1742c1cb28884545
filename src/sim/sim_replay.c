/* sim_replay.c -- CityFlow-compatible replay files, so that CityFlow's
 * frontend (and anything that reads its format) can show our runs.
 *
 *   roadnet log:  {"static": {"nodes": [...], "edges": [...]}}, once;
 *   replay log:   one line per step, "<vehicles>;<roads>", where a vehicle
 *                 is "x y heading id laneChangeDir length width," and a
 *                 road is "id" then " g", " r" or " i" per lane then ",".
 * cityflow-semantics.md section 5 has the details. */
#include "sim.h"
#include "../util/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_num(FILE *f, double d)
{
    char buf[32];
    cbu_json_fmt_double(buf, d);
    fputs(buf, f);
}

static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* Convex hull (monotone chain) of pts, written as a flat x,y list. */
static int pt_cmp(const void *a, const void *b)
{
    const net_point *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

static double turn(net_point o, net_point a, net_point b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static uint32_t hull(net_point *p, uint32_t n, net_point *out)
{
    if (n < 3) { memcpy(out, p, n * sizeof *p); return n; }
    qsort(p, n, sizeof *p, pt_cmp);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        while (k >= 2 && turn(out[k - 2], out[k - 1], p[i]) <= 0) k--;
        out[k++] = p[i];
    }
    for (uint32_t i = n - 1, t = k + 1; i-- > 0;) {
        while (k >= t && turn(out[k - 2], out[k - 1], p[i]) <= 0) k--;
        out[k++] = p[i];
    }
    return k - 1;
}

/* The centre and the corners of every road mouth at an intersection. */
static void write_outline(FILE *f, const cb_net *n, const net_inter *in)
{
    uint32_t cap = 1 + 2 * in->n_roads;
    net_point *pts = malloc(cap * sizeof *pts), *h = malloc((2 * cap + 1) * sizeof *h);
    if (!pts || !h) { free(pts); free(h); fputs("[]", f); return; }
    uint32_t np = 0;
    pts[np++] = in->point;
    for (uint32_t k = 0; k < in->n_roads; k++) {
        const net_road *r = &n->roads[in->roads[k]];
        const net_point *c = n->pts + r->centre.first;
        uint32_t m = r->centre.n;
        net_point p, q;
        if (r->to == (uint32_t)(in - n->inters)) { p = c[m - 1]; q = c[m - 2]; }
        else { p = c[0]; q = c[1]; }
        double dx = q.x - p.x, dy = q.y - p.y, len = hypot(dx, dy);
        if (len == 0) continue;
        dx /= len; dy /= len;
        double w = 0;
        for (uint32_t l = 0; l < r->n_lanes; l++) w += n->lanes[r->first_lane + l].width;
        net_point a = { p.x + dx * in->width, p.y + dy * in->width };
        /* the road's lanes lie to the right of its direction of travel */
        double sgn = r->to == (uint32_t)(in - n->inters) ? -1 : 1;   /* (dx,dy) points back along the road */
        net_point b = { a.x + sgn * dy * w, a.y - sgn * dx * w };
        pts[np++] = a;
        pts[np++] = b;
    }
    uint32_t nh = hull(pts, np, h);
    fputc('[', f);
    for (uint32_t i = 0; i < nh; i++) {
        if (i) fputc(',', f);
        put_num(f, h[i].x);
        fputc(',', f);
        put_num(f, h[i].y);
    }
    fputc(']', f);
    free(pts);
    free(h);
}

int sim_replay_write_roadnet(const sim_engine *s, const char *path, cb_error *err)
{
    const cb_net *n = s->net;
    FILE *f = fopen(path, "wb");
    if (!f) return cbu_err(err, CB_EIO, "%s: %s", path, strerror(errno));
    fputs("{\"static\":{\"nodes\":[", f);
    for (uint32_t i = 0; i < n->n_inters; i++) {
        const net_inter *in = &n->inters[i];
        if (i) fputc(',', f);
        fputs("{\"id\":", f);
        put_str(f, in->id);
        fputs(",\"point\":[", f);
        put_num(f, in->point.x);
        fputc(',', f);
        put_num(f, in->point.y);
        fprintf(f, "],\"virtual\":%s", in->is_virtual ? "true" : "false");
        if (!in->is_virtual) { fputs(",\"width\":", f); put_num(f, in->width); }
        fputs(",\"outline\":", f);
        write_outline(f, n, in);
        fputc('}', f);
    }
    fputs("],\"edges\":[", f);
    for (uint32_t r = 0; r < n->n_roads; r++) {
        const net_road *rd = &n->roads[r];
        if (r) fputc(',', f);
        fputs("{\"id\":", f);
        put_str(f, rd->id);
        fputs(",\"from\":", f);
        put_str(f, n->inters[rd->from].id);
        fputs(",\"to\":", f);
        put_str(f, n->inters[rd->to].id);
        fputs(",\"points\":[", f);
        for (uint32_t k = 0; k < rd->centre.n; k++) {
            if (k) fputc(',', f);
            fputc('[', f);
            put_num(f, n->pts[rd->centre.first + k].x);
            fputc(',', f);
            put_num(f, n->pts[rd->centre.first + k].y);
            fputc(']', f);
        }
        fprintf(f, "],\"nLane\":%u,\"laneWidths\":[", rd->n_lanes);
        for (uint32_t l = 0; l < rd->n_lanes; l++) {
            if (l) fputc(',', f);
            put_num(f, n->lanes[rd->first_lane + l].width);
        }
        fputs("]}", f);
    }
    fputs("]}}", f);
    if (fclose(f) != 0) return cbu_err(err, CB_EIO, "%s: write error", path);
    return CB_OK;
}

void sim_replay_step(sim_engine *s)
{
    const cb_net *n = s->net;
    FILE *f = s->replay;
    char id[48];
    uint32_t nd = net_n_drivables(n);
    for (uint32_t d = 0; d < nd; d++) {
        const sim_drv *D = &s->drv[d];
        for (uint32_t k = 0; k < D->n; k++) {
            const sim_slot *sl = &D->v[k];
            double x, y, h;
            net_drivable_point(n, d, sl->dist, &x, &y, &h);
            put_num(f, x); fputc(' ', f);
            put_num(f, y); fputc(' ', f);
            put_num(f, h); fputc(' ', f);
            fputs(sim_vehicle_id(s, sl->vid, id, sizeof id), f);
            fputs(" 0 ", f);
            put_num(f, s->vtypes[sl->vtype].length); fputc(' ', f);
            put_num(f, s->vtypes[sl->vtype].width);
            fputc(',', f);
        }
    }
    fputc(';', f);
    for (uint32_t r = 0; r < n->n_roads; r++) {
        const net_road *rd = &n->roads[r];
        const net_inter *end = &n->inters[rd->to];
        if (end->is_virtual) continue;
        fputs(rd->id, f);
        for (uint32_t l = rd->first_lane; l < rd->first_lane + rd->n_lanes; l++) {
            char c = 'g';
            if (end->n_phases <= 1) c = 'i';
            else {
                const net_lane *ln = &n->lanes[l];
                for (uint32_t k = 0; k < ln->n_out; k++)
                    if (!s->green[n->links[n->lane_out[ln->first_out + k]].roadlink]) c = 'r';
            }
            fputc(' ', f);
            fputc(c, f);
        }
        fputc(',', f);
    }
    fputc('\n', f);
}

int cb_engine_set_replay(cb_engine *e, const char *roadnet_log, const char *replay_log, cb_error *err)
{
    sim_engine *s = &e->s;
    if (s->replay) { fclose(s->replay); s->replay = NULL; }
    if (!replay_log) return CB_OK;
    if (roadnet_log) {
        int rc = sim_replay_write_roadnet(s, roadnet_log, err);
        if (rc) return rc;
    }
    s->replay = fopen(replay_log, "wb");
    if (!s->replay) return cbu_err(err, CB_EIO, "%s: %s", replay_log, strerror(errno));
    return CB_OK;
}
