/* ingest.h -- the observation schema: FIWARE Smart Data Models entities in,
 * validated aggregate records out, and personal data refused.
 *
 * citybrain takes three entity types, in NGSI-LD's normalized form
 * ({"type": "Property", "value": ...}) or its keyValues form (plain
 * values), one entity or an array of them (a batch):
 *
 *   TrafficFlowObserved  one lane of one road over one time interval:
 *                        intensity, occupancy, averageVehicleSpeed;
 *   AirQualityObserved   pollutant concentrations with unit codes at a point;
 *   Alert                category/subCategory such as traffic/trafficJam.
 *
 * The schema is closed: a member that is not listed in docs/api.md is
 * refused with CB_ESCHEMA naming it.  A member or value that identifies a
 * person or a vehicle (plate, face, image, name, phone, IMSI, MAC, device or
 * ID-card numbers, trajectories) is refused with CB_EPRIVACY before the
 * closed-schema check, so the sender learns *why* (docs/privacy.md).
 * A batch is all or nothing: one bad entity rejects the batch.
 *
 * No storage, no HTTP: the same parser serves the HTTP ingest route, the
 * tests and the libFuzzer target (fuzz/fuzz_ingest.c). */
#ifndef CB_INGEST_H
#define CB_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citybrain.h"
#include "../util/arena.h"
#include "../util/vec.h"

/* A batch holds at most this many entities (larger: CB_ELIMIT). */
#define CBI_MAX_BATCH 100000

/* How the parser learns the served network's roads.  road() returns the
 * road's index (>= 0) and its lanes, or -1 for an unknown road id. */
typedef struct cbi_resolver {
    void *ud;
    long (*road)(void *ud, const char *road_id, uint32_t *first_lane, uint32_t *n_lanes);
} cbi_resolver;

/* One TrafficFlowObserved: aggregate counts of one lane, never a vehicle.
 * Times are milliseconds since 1970-01-01 UTC; NaN marks an absent value. */
typedef struct cbi_traffic {
    uint32_t lane;            /* global lane index (first_lane + laneId) */
    int64_t t_from, t_to;     /* observation interval, t_from <= t_to */
    double intensity;         /* vehicles in the interval */
    double occupancy;         /* 0..1 */
    double speed;             /* mean speed, m/s (km/h on the wire) */
} cbi_traffic;

/* Pollutants AirQualityObserved may carry, in this order. */
#define CBI_POLLUTANTS(X) X(co) X(co2) X(no) X(no2) X(nox) X(o3) X(pm1) X(pm10) X(pm25) X(so2) X(nh3) X(benzene)
enum {
#define CBI__P(n) CBI_P_##n,
    CBI_POLLUTANTS(CBI__P)
#undef CBI__P
    CBI_N_POLLUTANTS
};
extern const char *const cbi_pollutant_names[CBI_N_POLLUTANTS];

/* One AirQualityObserved.  Concentrations are converted to ug/m3 where the
 * unit allows (GQ ug/m3, GP mg/m3); ppm/ppb values are kept with their unit. */
typedef struct cbi_air {
    const char *station;      /* the entity id (batch arena) */
    int64_t t;                /* dateObserved, ms */
    double lon, lat;          /* location; NaN when absent */
    long road;                /* refRoadSegment index or -1 */
    double value[CBI_N_POLLUTANTS];  /* NaN: not reported */
    char unit[CBI_N_POLLUTANTS][4];  /* UN/CEFACT code as received */
} cbi_air;

/* One Alert. */
typedef struct cbi_alert {
    const char *id;           /* entity id (batch arena), NULL: assign one */
    const char *category;     /* "traffic", "environment", ... (static) */
    const char *sub_category; /* "trafficJam", ... (static) */
    const char *severity;     /* "informational" .. "critical" (static) */
    int64_t issued, valid_from, valid_to;  /* ms; valid_to 0: open */
    long road;                /* refRoadSegment index or -1 */
    int lane;                 /* laneId or -1 */
    double lon, lat;          /* NaN when absent */
    const char *description;  /* batch arena, or NULL */
} cbi_alert;

/* The records of one parsed request.  Owns everything (free with
 * cbi_batch_free); strings point into `arena`. */
typedef struct cbi_batch {
    CBU_VEC(cbi_traffic) traffic;
    CBU_VEC(cbi_air) air;
    CBU_VEC(cbi_alert) alerts;
    cbu_arena arena;
} cbi_batch;

void cbi_batch_init(cbi_batch *b);
void cbi_batch_free(cbi_batch *b);

/* Parse and validate `len` bytes (copied; the caller keeps `body`).
 * Returns CB_OK and appends to *out, or CB_ESYNTAX (not JSON), CB_ESCHEMA
 * (message names the JSON path, e.g. "[3].intensity.foo: unknown field"),
 * CB_EPRIVACY or CB_ELIMIT, leaving *out without any record of this call.
 * `field` (may be NULL, 256 bytes) receives the JSON path at fault. */
int cbi_parse(const cbi_resolver *r, const char *body, size_t len, cbi_batch *out, char *field,
              cb_error *err);

/*--- Privacy (ingest_privacy.c) ----------------------------------------------*/

/* Does a member name denote personal data?  Returns a short reason
 * ("an identifier of a vehicle (licence plate)") or NULL.  Case, '_', '-'
 * and '.' are ignored ("License_Plate" == "licenseplate"). */
const char *cbi_privacy_key(const char *key);
/* Does a string value look like a personal identifier (MAC address,
 * e-mail address, words such as "plate"; in free text also a run of 9+
 * digits: IMSI / IMEI / phone / card number)?  Returns a reason or NULL. */
const char *cbi_privacy_value(const char *s, bool free_text);

/*--- Time (ingest_time.c) ------------------------------------------------------*/

/* ISO 8601 date-time with a zone ("2026-11-27T10:00:00Z",
 * "2026-11-27T11:00:00.250+01:00") to ms since the epoch.  false when it is
 * anything else (no zone, out-of-range fields). */
bool cbi_time_parse(const char *s, int64_t *ms);
/* ms since the epoch to "2026-11-27T10:00:00.250Z" (buf >= 32 bytes). */
void cbi_time_format(int64_t ms, char *buf, size_t cap);

#endif
