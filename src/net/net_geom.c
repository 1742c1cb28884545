/* net_geom.c -- plane geometry for network building; see net_geom.h. */
#include "net_geom.h"

#include <math.h>

double geom_poly_length(const net_point *p, uint32_t n, double *cum)
{
    double s = 0;
    if (cum && n) cum[0] = 0;
    for (uint32_t i = 1; i < n; i++) {
        s += hypot(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y);
        if (cum) cum[i] = s;
    }
    return s;
}

static void unit(double dx, double dy, double *ux, double *uy)
{
    double len = hypot(dx, dy);
    if (len > 0) { *ux = dx / len; *uy = dy / len; }
    else { *ux = 0; *uy = 0; }
}

void geom_offset_right(const net_point *in, uint32_t n, double off, net_point *out)
{
    for (uint32_t i = 0; i < n; i++) {
        double ux = 0, uy = 0, vx = 0, vy = 0, dx, dy;
        if (i > 0) unit(in[i].x - in[i - 1].x, in[i].y - in[i - 1].y, &ux, &uy);
        if (i + 1 < n) unit(in[i + 1].x - in[i].x, in[i + 1].y - in[i].y, &vx, &vy);
        unit(ux + vx, uy + vy, &dx, &dy);
        /* right-hand normal of (dx, dy) with y pointing up */
        out[i].x = in[i].x + dy * off;
        out[i].y = in[i].y - dx * off;
    }
}

void geom_poly_at(const net_point *p, const double *cum, uint32_t n, double s,
                  double *x, double *y, double *dx, double *dy)
{
    if (n < 2) {
        *x = n ? p[0].x : 0; *y = n ? p[0].y : 0; *dx = 1; *dy = 0;
        return;
    }
    uint32_t i = 1;
    while (i + 1 < n && cum[i] < s) i++;
    double seg = cum[i] - cum[i - 1];
    double t = seg > 0 ? (s - cum[i - 1]) / seg : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    *x = p[i - 1].x + (p[i].x - p[i - 1].x) * t;
    *y = p[i - 1].y + (p[i].y - p[i - 1].y) * t;
    unit(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y, dx, dy);
}

void geom_bezier(net_point p0, net_point p1, net_point p2, net_point p3,
                 uint32_t n, net_point *out)
{
    for (uint32_t i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1), u = 1 - t;
        double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
        out[i].x = a * p0.x + b * p1.x + c * p2.x + d * p3.x;
        out[i].y = a * p0.y + b * p1.y + c * p2.y + d * p3.y;
    }
}

bool geom_segments_meet(net_point a0, net_point a1, net_point b0, net_point b1,
                        double *ta, double *tb)
{
    const double eps = 1e-9;
    double rx = a1.x - a0.x, ry = a1.y - a0.y;
    double sx = b1.x - b0.x, sy = b1.y - b0.y;
    /* Segments whose boxes lie apart cannot meet: most pairs of a junction's
     * paths leave here, before the square roots (building a random 400-road
     * network spent 11% of the whole run below).  The margin, a thousandth
     * of the segments' extent, is far wider than eps and the rounding of t
     * and u, so no pair that the test below accepts is turned away. */
    double m = 1e-3 * (fabs(rx) + fabs(ry) + fabs(sx) + fabs(sy)) + 1e-6;
    if (fmax(a0.x, a1.x) + m < fmin(b0.x, b1.x) || fmax(b0.x, b1.x) + m < fmin(a0.x, a1.x) ||
        fmax(a0.y, a1.y) + m < fmin(b0.y, b1.y) || fmax(b0.y, b1.y) + m < fmin(a0.y, a1.y))
        return false;
    double den = rx * sy - ry * sx;
    double scale = hypot(rx, ry) * hypot(sx, sy);
    if (scale == 0 || fabs(den) <= 1e-12 * scale) return false;   /* parallel */
    double qx = b0.x - a0.x, qy = b0.y - a0.y;
    double t = (qx * sy - qy * sx) / den;
    double u = (qx * ry - qy * rx) / den;
    if (t < -eps || t > 1 + eps || u < -eps || u > 1 + eps) return false;
    *ta = t < 0 ? 0 : t > 1 ? 1 : t;
    *tb = u < 0 ? 0 : u > 1 ? 1 : u;
    return true;
}
