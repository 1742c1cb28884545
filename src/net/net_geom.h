/* net_geom.h -- plane geometry used while building the network: polyline
 * offsets, trimming, Bezier curves and segment intersection.  Pure
 * functions on caller-owned arrays; nothing here allocates. */
#ifndef CB_NET_GEOM_H
#define CB_NET_GEOM_H

#include <stdbool.h>
#include <stdint.h>

#include "net_spec.h"

/* Length of a polyline; fills cum[i] with the distance of point i along it
 * when cum is not NULL. */
double geom_poly_length(const net_point *p, uint32_t n, double *cum);

/* Offset a polyline `off` metres to the right of its direction (y up).
 * Interior vertices move along the normal of the normalised sum of the two
 * adjacent segment directions, without miter scaling. */
void geom_offset_right(const net_point *in, uint32_t n, double off, net_point *out);

/* Point and unit direction at distance s along a polyline with cumulative
 * lengths cum (clamped to the ends). */
void geom_poly_at(const net_point *p, const double *cum, uint32_t n, double s,
                  double *x, double *y, double *dx, double *dy);

/* Cubic Bezier from p0 to p3 with control points p1, p2, sampled at
 * n equally spaced parameters (n >= 2) into out. */
void geom_bezier(net_point p0, net_point p1, net_point p2, net_point p3,
                 uint32_t n, net_point *out);

/* Do segments a0-a1 and b0-b1 meet at a single point?  Parallel segments
 * never do.  On success *ta, *tb are the parameters (0..1) of the point on
 * each segment.  Endpoints count, with a 1e-9 tolerance, so two paths that
 * share their first or last point meet there. */
bool geom_segments_meet(net_point a0, net_point a1, net_point b0, net_point b1,
                        double *ta, double *tb);

#endif
