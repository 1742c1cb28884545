/* grid.h -- the synthetic grid city: rows x cols signalized intersections
 * generated straight into a net_spec / demand_spec.
 *
 * With default options (cb_grid_options_init) the result is, field by field,
 * the network and demand of CityFlow's own generator (tools/generator,
 * "generate_grid_scenario.py ROWS COLS --tlPlan" with interval 10), the
 * layout of ../shared/data/grid_10x10 and grid_30x30 and of the 100x100
 * scaling case, whose 533 MB of JSON we thereby never need to read.
 * tests/test_grid.c compares the 10x10 and 30x30 files against it.
 *
 * The rules, as read back from those files:
 *
 * Coordinates.  Grid position (x, y), x = 0 .. cols+1 (west to east),
 * y = 0 .. rows+1 (south to north).  The rows x cols signalized
 * intersections are 1..cols x 1..rows; the ring around them holds virtual
 * (boundary) intersections; the four corners do not exist.  Position
 * (x, y) lies at ((x-1)*spacing, (y-1)*spacing), so intersection_1_1 is at
 * the origin.
 *
 * Intersections.  id "intersection_<x>_<y>", listed row by row (y outer,
 * x inner), corners skipped: index = x-1 on row 0, cols + (y-1)*(cols+2) + x
 * on rows 1..rows, cols + rows*(cols+2) + x-1 on row rows+1.  Signalized
 * ones have width = intersection_width, virtual ones width 0.
 *
 * Directions.  k = 0 east (+x), 1 north (+y), 2 west, 3 south: turning left
 * adds 1 (mod 4), right subtracts 1.
 *
 * Roads.  id "road_<x>_<y>_<k>": from position (x, y) heading k to its
 * neighbour, drawn when at least one end is signalized (so none runs along
 * the boundary ring).  Listed by start position in intersection order,
 * then k ascending: per row 1..rows that is the west boundary road, four
 * roads per signalized intersection, the east boundary road.  Centre line =
 * the two intersection points; `lanes` identical lanes (lane_width,
 * max_speed), lane 0 innermost.
 *
 * Intersection roads list: incoming roads by their heading k ascending,
 * then outgoing roads by k ascending (virtual: the one in, the one out).
 *
 * Lane roles.  Lane 0 turns left, lane lanes-1 turns right, lanes
 * 1..lanes-2 go straight (the reference: 3 lanes = left, straight, right).
 * With 2 lanes both also go straight; with 1 lane it serves everything.
 *
 * Road links (signalized only): for each incoming road (heading a
 * ascending), for each outgoing heading b ascending except the U-turn
 * b = a+2: type straight (b = a), left (b = a+1) or right (b = a-1); lane
 * links from every lane of the matching role (ascending) to every lane of
 * the outgoing road (ascending).  Always 12 road links: per approach
 * a = 0: S L R, a = 1: R S L, a = 2: R S L, a = 3: L R S.
 *
 * Lane-link curve.  Let P be the intersection point, w its width, u_in and
 * u_out the unit headings, n(u) = (u.y, -u.x) the right-hand normal and
 * s(i) = (i + 1/2) * lane_width the offset of lane i.  The curve starts
 * where the trimmed incoming lane ends, P0 = P - w u_in + s(start) n(u_in),
 * ends where the outgoing lane begins, P3 = P + w u_out + s(end) n(u_out),
 * and is the cubic Hermite spline with end tangents w u_in and w u_out --
 * the cubic Bezier with control points P1 = P0 + (w/3) u_in and
 * P2 = P3 - (w/3) u_out -- sampled at t = 0, 0.1, ..., 1 (11 points).
 * (CityFlow's engine, given no points, would use control points half the
 * chord away instead, so the points are always written out.)
 *
 * Signal plan (signalized only): eight phases, green_time / yellow_time
 * alternating: E-W straight, right turns only, E-W left, rights only,
 * N-S straight, rights only, N-S left, rights only, where E-W means the
 * approaches a = 0, 2 and N-S a = 1, 3, and every phase also allows all
 * four right turns.  Green lists are ascending ([0,2,3,6,7,10],
 * [1,2,3,6,8,10], [2,3,4,6,10,11], [2,3,5,6,9,10]); the rights-only list is
 * [10,2,3,6] (the a = 3 right turn first), the order CityFlow's generator
 * happens to emit (a Python set artefact), kept so that files compare
 * equal.  Virtual intersections get no road links and no phases (CityFlow
 * ignores both there; the reference files carry eight empty phases).
 *
 * Demand.  One flow per row and per column and direction, crossing the
 * whole grid, route = every road on the way: rows y = 1..rows first (east
 * then west), then columns x = 1..cols (north then south).  Each flow:
 * interval flow_interval, startTime 0, endTime -1, vehicle length 5,
 * width 2, maxPosAcc 2, maxNegAcc 4.5, usualPosAcc 2, usualNegAcc 4.5,
 * minGap 2.5, headwayTime 1.5 and maxSpeed = the lanes' max_speed.
 *
 * turns = true (ours; not the reference): after those straight flows, for
 * every entry road in the same order, one flow that turns left and one that
 * turns right at the middle intersection of its straight path (the
 * ((n+1)/2)-th of the n it would cross), then goes straight to the
 * boundary.  Same vehicle, interval and times, so demand triples. */
#ifndef CB_GEN_GRID_H
#define CB_GEN_GRID_H

#include "citybrain.h"
#include "../net/net_spec.h"

#define GEN_GRID_MAX_SIDE 1000    /* rows, cols */
#define GEN_GRID_MAX_LANES 16
#define GEN_GRID_LINK_POINTS 11   /* points per lane-link curve */
#define GEN_GRID_MAX_LANELINKS (64ull << 20)  /* ~13 GB of spec; 1000x1000 x 3 lanes is 36M */

/* Check every option; CB_EINVAL with a message naming the option, CB_ELIMIT
 * when the grid would exceed GEN_GRID_MAX_LANELINKS. */
int gen_grid_check(const cb_grid_options *g, cb_error *err);

/* Fill `net` (and `demand` unless NULL) with the grid city.  Both must be
 * freshly *_init'ed; on success they own everything in their arenas, on
 * failure they may hold partial data and must still be freed by the caller.
 * CB_EINVAL for bad options, CB_ENOMEM. */
int gen_grid_spec(const cb_grid_options *g, net_spec *net, demand_spec *demand, cb_error *err);

#endif
