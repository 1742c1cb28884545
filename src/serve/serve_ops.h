/* serve_ops.h -- field operations in `citybrain serve` (serve_ops.c):
 * emergency vehicles dispatched through the API get green waves, and
 * incidents the loop detectors reveal become alerts in the store and on the
 * event stream.  Twin field only: an external field has no vehicles to
 * follow and reports its own incidents.
 *
 * Threads: everything but the two HTTP handlers runs on the field thread;
 * the handlers hand their request to it and wait, as sv_field_command
 * does, so the engine and cb_ops are only ever touched there. */
#ifndef CB_SERVE_OPS_H
#define CB_SERVE_OPS_H

#include "serve_int.h"
#include "citybrain_ops.h"

/* Field thread, or before it starts / after it stops. */
int sv_ops_open(sv_field *f, cb_error *err);     /* twin mode; f->ops stays NULL otherwise */
void sv_ops_close(sv_field *f);
void sv_ops_step(sv_field *f);                   /* after every engine step */
void sv_ops_restart(sv_field *f);                /* the twin's demand started again */

/* HTTP handlers. */
void sv_h_emergency_post(sv_req *r);             /* POST /api/v1/emergency (operator) */
void sv_h_emergency_list(sv_req *r);             /* GET /api/v1/emergency (read) */
void sv_h_twin_incident(sv_req *r);              /* POST /api/v1/twin/incident (operator) */

#endif
