/* ingest_parse.c -- FIWARE entities (NGSI-LD normalized or keyValues) to
 * cbi_batch records, with a closed schema and the privacy checks.
 *
 * Order of checks for every object: first each member name is looked up in
 * the entity type's list; a name not in the list is checked against the
 * personal-data rules (CB_EPRIVACY) and otherwise refused as unknown
 * (CB_ESCHEMA).  Then values are read and range-checked.  A batch is parsed
 * completely into a scratch batch and appended to the caller's only when
 * every entity passed, so a refused request adds nothing. */
#include "ingest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/err.h"
#include "../util/json.h"

const char *const cbi_pollutant_names[CBI_N_POLLUTANTS] = {
#define CBI__N(n) #n,
    CBI_POLLUTANTS(CBI__N)
#undef CBI__N
};

typedef struct pctx {
    cbu_jctx j;
    const cbi_resolver *r;
    cbi_batch *b;
    char *field;              /* caller's buffer for the path at fault, or NULL */
} pctx;

static void note_field(pctx *pc)
{
    if (pc->field) cbu_jpath_format(&pc->j, pc->field, 256);
}

static int fail(pctx *pc, const cbu_jv *at, const char *fmt, ...) CBU_PRINTF(3, 4);
static int fail(pctx *pc, const cbu_jv *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    note_field(pc);
    return cbu_jfail(&pc->j, at, "%s", msg);
}

static int fail_privacy(pctx *pc, const char *reason)
{
    char path[256];
    cbu_jpath_format(&pc->j, path, sizeof path);
    note_field(pc);
    return cbu_err(pc->j.err, CB_EPRIVACY,
                   "citybrain does not accept personal data: %s is %s; send aggregate observations only "
                   "(docs/privacy.md)", pc->j.len ? path : "the entity", reason);
}

/*--- closed members -------------------------------------------------------------*/

/* The lists are short, but this runs for every member of every entity of
 * a 100,000-entity batch: comparing the first byte first halves the cost. */
static bool listed(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (key[0] == allowed[i][0] && strcmp(key, allowed[i]) == 0) return true;
    return false;
}

/* cbu_jobj_get with the same first-byte shortcut. */
static const cbu_jv *member(const cbu_jv *obj, const char *key)
{
    for (uint32_t i = 0; i < obj->n; i++) {
        const char *k = obj->u.kids[i].key;
        if (k[0] == key[0] && strcmp(k, key) == 0) return &obj->u.kids[i];
    }
    return NULL;
}

/* Every member of obj must be in `allowed`; personal data is named as such. */
static int check_members(pctx *pc, const cbu_jv *obj, const char *const *allowed)
{
    for (uint32_t i = 0; i < obj->n; i++) {
        const char *key = obj->u.kids[i].key;
        if (listed(key, allowed)) continue;
        size_t old = cbu_jpush_key(&pc->j, key);
        const char *why = cbi_privacy_key(key);
        int rc = why ? fail_privacy(pc, why)
                     : fail(pc, &obj->u.kids[i], "unknown field \"%s\" (the schema is closed; see docs/api.md)", key);
        cbu_jpop(&pc->j, old);
        return rc;
    }
    return CB_OK;
}

/*--- NGSI-LD attributes ------------------------------------------------------------*/

static const char *const property_members[] = { "type", "value", "unitCode", "observedAt", NULL };
static const char *const relationship_members[] = { "type", "object", "observedAt", NULL };
static const char *const geoproperty_members[] = { "type", "value", "observedAt", NULL };

typedef struct attr {
    const cbu_jv *v;          /* the value (NULL: member absent) */
    const char *unit;         /* unitCode or NULL */
} attr;

/* Read attribute `key` of entity `ent` in either form.  Leaves the key on
 * the path (pc->j) on success so that value errors name it; the caller pops
 * to `*mark`. */
static int get_attr(pctx *pc, const cbu_jv *ent, const char *key, attr *out, size_t *mark)
{
    out->v = NULL;
    out->unit = NULL;
    const cbu_jv *m = member(ent, key);
    *mark = cbu_jpush_key(&pc->j, key);
    if (!m) return CB_OK;
    const cbu_jv *t = m->type == CBU_JOBJ ? cbu_jobj_get(m, "type") : NULL;
    const char *ts = t && t->type == CBU_JSTR ? t->u.s : NULL;
    if (ts && strcmp(ts, "Property") == 0) {
        int rc = check_members(pc, m, property_members);
        if (rc) return rc;
        const cbu_jv *u = cbu_jobj_get(m, "unitCode");
        if (u) {
            if (u->type != CBU_JSTR || u->n == 0 || u->n > 3) {
                size_t o = cbu_jpush_key(&pc->j, "unitCode");
                rc = fail(pc, u, "expected a UN/CEFACT unit code of 1 to 3 characters");
                cbu_jpop(&pc->j, o);
                return rc;
            }
            out->unit = u->u.s;
        }
        const cbu_jv *ob = cbu_jobj_get(m, "observedAt");
        int64_t ms;
        if (ob && (ob->type != CBU_JSTR || !cbi_time_parse(ob->u.s, &ms))) {
            size_t o = cbu_jpush_key(&pc->j, "observedAt");
            rc = fail(pc, ob, "expected an ISO 8601 date-time with a zone");
            cbu_jpop(&pc->j, o);
            return rc;
        }
        out->v = cbu_jobj_get(m, "value");
        if (!out->v) return fail(pc, m, "a Property needs a \"value\"");
    } else if (ts && strcmp(ts, "Relationship") == 0) {
        int rc = check_members(pc, m, relationship_members);
        if (rc) return rc;
        out->v = cbu_jobj_get(m, "object");
        if (!out->v) return fail(pc, m, "a Relationship needs an \"object\"");
    } else if (ts && strcmp(ts, "GeoProperty") == 0) {
        int rc = check_members(pc, m, geoproperty_members);
        if (rc) return rc;
        out->v = cbu_jobj_get(m, "value");
        if (!out->v) return fail(pc, m, "a GeoProperty needs a \"value\"");
    } else {
        out->v = m;           /* keyValues: the value itself */
    }
    /* NGSI-LD's typed literal {"@type": "DateTime", "@value": "..."} */
    if (out->v->type == CBU_JOBJ && cbu_jobj_get(out->v, "@value")) {
        static const char *const lit[] = { "@type", "@value", NULL };
        int rc = check_members(pc, out->v, lit);
        if (rc) return rc;
        out->v = cbu_jobj_get(out->v, "@value");
    }
    return CB_OK;
}

static int want_number(pctx *pc, const attr *a, double lo, double hi, double *out)
{
    if (!cbu_jis_number(a->v)) return fail(pc, a->v, "expected a number, got %s", cbu_jtype_name(a->v));
    double d = cbu_jnumber(a->v);
    if (!(d >= lo && d <= hi)) return fail(pc, a->v, "%g is outside [%g, %g]", d, lo, hi);
    *out = d;
    return CB_OK;
}

static int want_string(pctx *pc, const attr *a, size_t max, const char **out)
{
    if (a->v->type != CBU_JSTR) return fail(pc, a->v, "expected a string, got %s", cbu_jtype_name(a->v));
    if (strlen(a->v->u.s) != a->v->n) return fail(pc, a->v, "string contains a NUL character");
    if (a->v->n > max) return fail(pc, a->v, "string longer than %zu bytes", max);
    *out = a->v->u.s;
    return CB_OK;
}

static int want_time(pctx *pc, const attr *a, int64_t *out)
{
    const char *s;
    int rc = want_string(pc, a, 64, &s);
    if (rc) return rc;
    if (!cbi_time_parse(s, out))
        return fail(pc, a->v, "\"%s\" is not an ISO 8601 date-time with a zone (2026-11-27T10:00:00Z)", s);
    return CB_OK;
}

/* A free-text member (description, source): bounded and scanned. */
static int want_text(pctx *pc, const attr *a, size_t max, const char **out)
{
    int rc = want_string(pc, a, max, out);
    if (rc) return rc;
    const char *why = cbi_privacy_value(*out, true);
    return why ? fail_privacy(pc, why) : CB_OK;
}

static int want_enum(pctx *pc, const attr *a, const char *const *names, const char **out)
{
    const char *s;
    int rc = want_string(pc, a, 64, &s);
    if (rc) return rc;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = names[i];
            return CB_OK;
        }
    char list[512];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; names[i] && n < sizeof list - 64; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", names[i]);
    return fail(pc, a->v, "\"%s\" is not one of: %s", s, list);
}

/* "urn:ngsi-ld:RoadSegment:road_1_0_1" or "road_1_0_1" -> road index. */
static int want_road(pctx *pc, const attr *a, long *road, uint32_t *first, uint32_t *n_lanes)
{
    const char *s;
    int rc = want_string(pc, a, 256, &s);
    if (rc) return rc;
    const char *id = s;
    static const char prefix[] = "urn:ngsi-ld:RoadSegment:";
    if (strncmp(s, prefix, sizeof prefix - 1) == 0) id = s + sizeof prefix - 1;
    uint32_t f = 0, n = 0;
    long k = pc->r && pc->r->road ? pc->r->road(pc->r->ud, id, &f, &n) : -1;
    if (k < 0) return fail(pc, a->v, "no road \"%s\" in the served network", id);
    *road = k;
    if (first) *first = f;
    if (n_lanes) *n_lanes = n;
    return CB_OK;
}

/* A GeoJSON Point.  Lines and point sets are refused as trajectories. */
static int want_point(pctx *pc, const attr *a, double *lon, double *lat)
{
    const cbu_jv *g = a->v;
    if (g->type != CBU_JOBJ) return fail(pc, g, "expected a GeoJSON Point object");
    static const char *const members[] = { "type", "coordinates", NULL };
    int rc = check_members(pc, g, members);
    if (rc) return rc;
    const cbu_jv *t = cbu_jobj_get(g, "type");
    if (!t || t->type != CBU_JSTR) return fail(pc, g, "a GeoJSON geometry needs a string \"type\"");
    if (strcmp(t->u.s, "Point") != 0) {
        if (strcmp(t->u.s, "LineString") == 0 || strcmp(t->u.s, "MultiPoint") == 0 ||
            strcmp(t->u.s, "MultiLineString") == 0 || strcmp(t->u.s, "GeometryCollection") == 0)
            return fail_privacy(pc, "a line or set of points, which can be the trajectory of an individual "
                                    "vehicle (only Point locations are accepted)");
        return fail(pc, t, "only GeoJSON Point locations are accepted, got \"%s\"", t->u.s);
    }
    const cbu_jv *c = cbu_jobj_get(g, "coordinates");
    if (!c || c->type != CBU_JARR || c->n < 2 || c->n > 3 || !cbu_jis_number(&c->u.kids[0]) ||
        !cbu_jis_number(&c->u.kids[1]))
        return fail(pc, c ? c : g, "a Point needs \"coordinates\": [longitude, latitude]");
    *lon = cbu_jnumber(&c->u.kids[0]);
    *lat = cbu_jnumber(&c->u.kids[1]);
    if (!(*lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90))
        return fail(pc, c, "coordinates out of range (longitude, latitude in degrees)");
    return CB_OK;
}

/* Entity id: urn:ngsi-ld:<Type>:<local>, bounded, scanned. */
static int check_id(pctx *pc, const cbu_jv *ent, const char *type, bool required, const char **out)
{
    attr a = { cbu_jobj_get(ent, "id"), NULL };
    size_t mark = cbu_jpush_key(&pc->j, "id");
    int rc = CB_OK;
    *out = NULL;
    if (!a.v) {
        if (required) rc = fail(pc, ent, "missing \"id\" (urn:ngsi-ld:%s:...)", type);
    } else if (!(rc = want_string(pc, &a, 256, out))) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "urn:ngsi-ld:%s:", type);
        const char *why = cbi_privacy_value(*out, false);
        if (why) rc = fail_privacy(pc, why);
        else if (strncmp(*out, prefix, strlen(prefix)) != 0 || !(*out)[strlen(prefix)])
            rc = fail(pc, a.v, "an id of this type starts with \"%s\"", prefix);
    }
    cbu_jpop(&pc->j, mark);
    return rc;
}

static int check_context(pctx *pc, const cbu_jv *ent)
{
    const cbu_jv *c = cbu_jobj_get(ent, "@context");
    if (!c) return CB_OK;
    size_t mark = cbu_jpush_key(&pc->j, "@context");
    int rc = CB_OK;
    if (c->type == CBU_JARR) {
        for (uint32_t i = 0; i < c->n && !rc; i++)
            if (c->u.kids[i].type != CBU_JSTR) rc = fail(pc, &c->u.kids[i], "expected context URLs (strings)");
    } else if (c->type != CBU_JSTR) {
        rc = fail(pc, c, "expected a context URL or an array of them");
    }
    cbu_jpop(&pc->j, mark);
    return rc;
}

/* Members every entity type shares, validated the same way. */
static int common_members(pctx *pc, const cbu_jv *ent)
{
    static const char *const texts[] = { "source", "dataProvider", NULL };
    static const char *const times[] = { "dateCreated", "dateModified", NULL };
    attr a;
    size_t mark;
    int rc;
    for (int i = 0; texts[i]; i++) {
        const char *s;
        if ((rc = get_attr(pc, ent, texts[i], &a, &mark))) return rc;
        if (a.v && (rc = want_text(pc, &a, 256, &s))) return rc;
        cbu_jpop(&pc->j, mark);
    }
    for (int i = 0; times[i]; i++) {
        int64_t t;
        if ((rc = get_attr(pc, ent, times[i], &a, &mark))) return rc;
        if (a.v && (rc = want_time(pc, &a, &t))) return rc;
        cbu_jpop(&pc->j, mark);
    }
    return check_context(pc, ent);
}

/*--- TrafficFlowObserved ------------------------------------------------------------*/

static const char *const traffic_members[] = {
    "id", "type", "@context", "dateObserved", "dateObservedFrom", "dateObservedTo", "intensity", "occupancy",
    "averageVehicleSpeed", "averageVehicleLength", "averageGapDistance", "averageHeadwayTime", "congested",
    "laneId", "laneDirection", "reversedLane", "refRoadSegment", "location", "vehicleType", "source",
    "dataProvider", "dateCreated", "dateModified", NULL
};
static const char *const vehicle_types[] = { "anyVehicle", "agriculturalVehicle", "bicycle", "bus", "car",
                                             "caravan", "carWithCaravan", "carWithTrailer", "constructionOrMaintenanceVehicle",
                                             "lorry", "minibus", "moped", "motorcycle", "motorcycleWithSideCar",
                                             "motorscooter", "tanker", "trailer", "van", NULL };
static const char *const lane_directions[] = { "forward", "backward", NULL };

/* Numbers that must be >= 0 when present; read and dropped (docs/api.md). */
static const char *const traffic_extra_numbers[] = { "averageVehicleLength", "averageGapDistance",
                                                     "averageHeadwayTime", NULL };

static int parse_traffic(pctx *pc, const cbu_jv *ent)
{
    int rc;
    const char *id;
    if ((rc = check_members(pc, ent, traffic_members)) || (rc = check_id(pc, ent, "TrafficFlowObserved", false, &id)) ||
        (rc = common_members(pc, ent)))
        return rc;
    cbi_traffic t = { .intensity = NAN, .occupancy = NAN, .speed = NAN };
    attr a;
    size_t mark;

    /* where: road + lane */
    long road;
    uint32_t first = 0, n_lanes = 0;
    if ((rc = get_attr(pc, ent, "refRoadSegment", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"refRoadSegment\" (the road observed)");
    if ((rc = want_road(pc, &a, &road, &first, &n_lanes))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "laneId", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"laneId\" (0 = the innermost lane)");
    if (a.v->type != CBU_JINT || a.v->u.i < 0 || a.v->u.i >= (int64_t)n_lanes)
        return fail(pc, a.v, "expected an integer lane index from 0 to %u", n_lanes ? n_lanes - 1 : 0);
    t.lane = first + (uint32_t)a.v->u.i;
    cbu_jpop(&pc->j, mark);

    /* when */
    bool have_from = false, have_to = false;
    if ((rc = get_attr(pc, ent, "dateObservedFrom", &a, &mark))) return rc;
    if (a.v) {
        if ((rc = want_time(pc, &a, &t.t_from))) return rc;
        have_from = true;
    }
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "dateObservedTo", &a, &mark))) return rc;
    if (a.v) {
        if ((rc = want_time(pc, &a, &t.t_to))) return rc;
        have_to = true;
    }
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "dateObserved", &a, &mark))) return rc;
    if (a.v) {
        const char *s;
        if ((rc = want_string(pc, &a, 128, &s))) return rc;
        const char *slash = strchr(s, '/');
        int64_t f, to;
        char first_half[64];
        if (slash && (size_t)(slash - s) < sizeof first_half) {
            memcpy(first_half, s, (size_t)(slash - s));
            first_half[slash - s] = '\0';
            if (!cbi_time_parse(first_half, &f) || !cbi_time_parse(slash + 1, &to))
                return fail(pc, a.v, "\"%s\" is not an ISO 8601 interval of two date-times with zones", s);
        } else if (!cbi_time_parse(s, &f)) {
            return fail(pc, a.v, "\"%s\" is not an ISO 8601 date-time with a zone", s);
        } else {
            to = f;
        }
        if (!have_from) t.t_from = f;
        if (!have_to) t.t_to = to;
        have_from = have_to = true;
    }
    cbu_jpop(&pc->j, mark);
    if (!have_from || !have_to)
        return fail(pc, ent, "missing the observation time: \"dateObservedFrom\" and \"dateObservedTo\", "
                             "or \"dateObserved\"");
    if (t.t_to < t.t_from) return fail(pc, ent, "dateObservedTo is before dateObservedFrom");
    if (t.t_to - t.t_from > 86400000) return fail(pc, ent, "an observation interval is at most one day");

    /* what */
    if ((rc = get_attr(pc, ent, "intensity", &a, &mark))) return rc;
    if (a.v && (rc = want_number(pc, &a, 0, 1e6, &t.intensity))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "occupancy", &a, &mark))) return rc;
    if (a.v) {
        bool percent = a.unit && strcmp(a.unit, "P1") == 0;
        if (a.unit && !percent && strcmp(a.unit, "C62") != 0)
            return fail(pc, a.v, "occupancy unitCode must be C62 (a fraction 0..1) or P1 (percent)");
        if ((rc = want_number(pc, &a, 0, percent ? 100 : 1, &t.occupancy))) return rc;
        if (percent) t.occupancy /= 100;
    }
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "averageVehicleSpeed", &a, &mark))) return rc;
    if (a.v) {
        bool mps = a.unit && strcmp(a.unit, "MTS") == 0;
        if (a.unit && !mps && strcmp(a.unit, "KMH") != 0)
            return fail(pc, a.v, "averageVehicleSpeed unitCode must be KMH (km/h, the default) or MTS (m/s)");
        if ((rc = want_number(pc, &a, 0, mps ? 150 : 540, &t.speed))) return rc;
        if (!mps) t.speed /= 3.6;
    }
    cbu_jpop(&pc->j, mark);
    if (isnan(t.intensity) && isnan(t.occupancy) && isnan(t.speed))
        return fail(pc, ent, "an observation needs at least one of intensity, occupancy, averageVehicleSpeed");

    /* validated, not stored */
    for (int i = 0; traffic_extra_numbers[i]; i++) {
        double d;
        if ((rc = get_attr(pc, ent, traffic_extra_numbers[i], &a, &mark))) return rc;
        if (a.v && (rc = want_number(pc, &a, 0, 1e6, &d))) return rc;
        cbu_jpop(&pc->j, mark);
    }
    static const char *const bools[] = { "congested", "reversedLane", NULL };
    for (int i = 0; bools[i]; i++) {
        if ((rc = get_attr(pc, ent, bools[i], &a, &mark))) return rc;
        if (a.v && a.v->type != CBU_JBOOL) return fail(pc, a.v, "expected true or false");
        cbu_jpop(&pc->j, mark);
    }
    const char *e;
    if ((rc = get_attr(pc, ent, "laneDirection", &a, &mark))) return rc;
    if (a.v && (rc = want_enum(pc, &a, lane_directions, &e))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "vehicleType", &a, &mark))) return rc;
    if (a.v && (rc = want_enum(pc, &a, vehicle_types, &e))) return rc;
    cbu_jpop(&pc->j, mark);
    double lon, lat;
    if ((rc = get_attr(pc, ent, "location", &a, &mark))) return rc;
    if (a.v && (rc = want_point(pc, &a, &lon, &lat))) return rc;
    cbu_jpop(&pc->j, mark);

    return cbu_vec_push(&pc->b->traffic, t) ? cbu_err_nomem(pc->j.err) : CB_OK;
}

/*--- AirQualityObserved ------------------------------------------------------------*/

static const char *const air_members[] = {
    "id", "type", "@context", "dateObserved", "location", "refRoadSegment", "airQualityIndex", "airQualityLevel",
    "temperature", "relativeHumidity", "reliability", "source", "dataProvider", "dateCreated", "dateModified",
    "co", "co2", "no", "no2", "nox", "o3", "pm1", "pm10", "pm25", "so2", "nh3", "benzene", NULL
};
static const char *const aq_levels[] = { "good", "moderate", "unhealthyForSensitiveGroups", "unhealthy",
                                         "veryUnhealthy", "hazardous", NULL };

static int parse_air(pctx *pc, const cbu_jv *ent)
{
    int rc;
    const char *id;
    if ((rc = check_members(pc, ent, air_members)) || (rc = check_id(pc, ent, "AirQualityObserved", true, &id)) ||
        (rc = common_members(pc, ent)))
        return rc;
    cbi_air q;
    memset(&q, 0, sizeof q);
    q.lon = q.lat = NAN;
    q.road = -1;
    for (int k = 0; k < CBI_N_POLLUTANTS; k++) q.value[k] = NAN;
    attr a;
    size_t mark;
    if ((rc = get_attr(pc, ent, "dateObserved", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"dateObserved\"");
    if ((rc = want_time(pc, &a, &q.t))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "location", &a, &mark))) return rc;
    if (a.v && (rc = want_point(pc, &a, &q.lon, &q.lat))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "refRoadSegment", &a, &mark))) return rc;
    if (a.v && (rc = want_road(pc, &a, &q.road, NULL, NULL))) return rc;
    cbu_jpop(&pc->j, mark);
    if (isnan(q.lon) && q.road < 0) return fail(pc, ent, "an AirQualityObserved needs a location or a refRoadSegment");
    int n = 0;
    for (int k = 0; k < CBI_N_POLLUTANTS; k++) {
        if ((rc = get_attr(pc, ent, cbi_pollutant_names[k], &a, &mark))) return rc;
        if (a.v) {
            const char *u = a.unit ? a.unit : "GQ";
            bool mg = strcmp(u, "GP") == 0;
            if (strcmp(u, "GQ") != 0 && !mg && strcmp(u, "59") != 0 && strcmp(u, "61") != 0)
                return fail(pc, a.v, "unitCode \"%s\": expected GQ (ug/m3), GP (mg/m3), 59 (ppm) or 61 (ppb)", u);
            if ((rc = want_number(pc, &a, 0, 1e7, &q.value[k]))) return rc;
            if (mg) {
                q.value[k] *= 1000;
                u = "GQ";
            }
            snprintf(q.unit[k], sizeof q.unit[k], "%s", u);
            n++;
        }
        cbu_jpop(&pc->j, mark);
    }
    if (n == 0) return fail(pc, ent, "an AirQualityObserved needs at least one pollutant (co, no2, pm10, ...)");
    static const char *const numbers[] = { "airQualityIndex", "temperature", "relativeHumidity", "reliability", NULL };
    for (int i = 0; numbers[i]; i++) {
        double d;
        if ((rc = get_attr(pc, ent, numbers[i], &a, &mark))) return rc;
        if (a.v && (rc = want_number(pc, &a, -100, 1e6, &d))) return rc;
        cbu_jpop(&pc->j, mark);
    }
    const char *e;
    if ((rc = get_attr(pc, ent, "airQualityLevel", &a, &mark))) return rc;
    if (a.v && (rc = want_enum(pc, &a, aq_levels, &e))) return rc;
    cbu_jpop(&pc->j, mark);
    q.station = cbu_arena_strdup(&pc->b->arena, id);
    if (!q.station) return cbu_err_nomem(pc->j.err);
    return cbu_vec_push(&pc->b->air, q) ? cbu_err_nomem(pc->j.err) : CB_OK;
}

/*--- Alert ---------------------------------------------------------------------------*/

static const char *const alert_members[] = {
    "id", "type", "@context", "category", "subCategory", "severity", "dateIssued", "validFrom", "validTo",
    "location", "refRoadSegment", "laneId", "description", "alertSource", "source", "dataProvider",
    "dateCreated", "dateModified", NULL
};
static const char *const alert_categories[] = { "traffic", "environment", "weather", NULL };
static const char *const traffic_subs[] = { "trafficJam", "carAccident", "carWrongDirection", "carStopped",
                                            "pothole", "roadClosed", "roadWorks", "hazardOnRoad",
                                            "injuredBiker", "incident", NULL };
static const char *const environment_subs[] = { "airPollution", "noisePollution", "waterPollution",
                                                "pollenConcentration", NULL };
static const char *const weather_subs[] = { "rainfall", "highTemperature", "lowTemperature", "heatWave", "ice",
                                            "snow", "wind", "fog", "flood", "tornado", "tropicalCyclone", NULL };
static const char *const severities[] = { "informational", "low", "medium", "high", "critical", NULL };

static int parse_alert(pctx *pc, const cbu_jv *ent)
{
    int rc;
    const char *id;
    if ((rc = check_members(pc, ent, alert_members)) || (rc = check_id(pc, ent, "Alert", false, &id)) ||
        (rc = common_members(pc, ent)))
        return rc;
    cbi_alert al;
    memset(&al, 0, sizeof al);
    al.road = -1;
    al.lane = -1;
    al.lon = al.lat = NAN;
    al.severity = "medium";
    attr a;
    size_t mark;
    if ((rc = get_attr(pc, ent, "category", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"category\" (traffic, environment, weather)");
    if (a.v->type == CBU_JSTR && (strcmp(a.v->u.s, "security") == 0 || strcmp(a.v->u.s, "health") == 0))
        return fail_privacy(pc, "a category of alerts about people (security, health), which citybrain does "
                                "not handle");
    if ((rc = want_enum(pc, &a, alert_categories, &al.category))) return rc;
    cbu_jpop(&pc->j, mark);
    const char *const *subs = strcmp(al.category, "traffic") == 0       ? traffic_subs
                              : strcmp(al.category, "environment") == 0 ? environment_subs
                                                                        : weather_subs;
    if ((rc = get_attr(pc, ent, "subCategory", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"subCategory\" (trafficJam, carAccident, roadClosed, ...)");
    if ((rc = want_enum(pc, &a, subs, &al.sub_category))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "severity", &a, &mark))) return rc;
    if (a.v && (rc = want_enum(pc, &a, severities, &al.severity))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "dateIssued", &a, &mark))) return rc;
    if (!a.v) return fail(pc, ent, "missing \"dateIssued\"");
    if ((rc = want_time(pc, &a, &al.issued))) return rc;
    cbu_jpop(&pc->j, mark);
    al.valid_from = al.issued;
    if ((rc = get_attr(pc, ent, "validFrom", &a, &mark))) return rc;
    if (a.v && (rc = want_time(pc, &a, &al.valid_from))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "validTo", &a, &mark))) return rc;
    if (a.v && (rc = want_time(pc, &a, &al.valid_to))) return rc;
    cbu_jpop(&pc->j, mark);
    if (al.valid_to && al.valid_to < al.valid_from) return fail(pc, ent, "validTo is before validFrom");
    uint32_t n_lanes = 0;
    if ((rc = get_attr(pc, ent, "refRoadSegment", &a, &mark))) return rc;
    if (a.v && (rc = want_road(pc, &a, &al.road, NULL, &n_lanes))) return rc;
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "laneId", &a, &mark))) return rc;
    if (a.v) {
        if (al.road < 0) return fail(pc, a.v, "laneId needs a refRoadSegment");
        if (a.v->type != CBU_JINT || a.v->u.i < 0 || a.v->u.i >= (int64_t)n_lanes)
            return fail(pc, a.v, "expected an integer lane index from 0 to %u", n_lanes ? n_lanes - 1 : 0);
        al.lane = (int)a.v->u.i;
    }
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "location", &a, &mark))) return rc;
    if (a.v && (rc = want_point(pc, &a, &al.lon, &al.lat))) return rc;
    cbu_jpop(&pc->j, mark);
    if (al.road < 0 && isnan(al.lon)) return fail(pc, ent, "an Alert needs a refRoadSegment or a location");
    const char *s;
    if ((rc = get_attr(pc, ent, "description", &a, &mark))) return rc;
    if (a.v) {
        if ((rc = want_text(pc, &a, 500, &s))) return rc;
        if (!(al.description = cbu_arena_strdup(&pc->b->arena, s))) return cbu_err_nomem(pc->j.err);
    }
    cbu_jpop(&pc->j, mark);
    if ((rc = get_attr(pc, ent, "alertSource", &a, &mark))) return rc;
    if (a.v && (rc = want_text(pc, &a, 256, &s))) return rc;
    cbu_jpop(&pc->j, mark);
    if (id && !(al.id = cbu_arena_strdup(&pc->b->arena, id))) return cbu_err_nomem(pc->j.err);
    return cbu_vec_push(&pc->b->alerts, al) ? cbu_err_nomem(pc->j.err) : CB_OK;
}

/*--- entry -----------------------------------------------------------------------------*/

static int parse_entity(pctx *pc, const cbu_jv *ent)
{
    if (ent->type != CBU_JOBJ) return fail(pc, ent, "expected an entity object, got %s", cbu_jtype_name(ent));
    const cbu_jv *t = cbu_jobj_get(ent, "type");
    size_t mark = cbu_jpush_key(&pc->j, "type");
    int rc;
    if (!t || t->type != CBU_JSTR) {
        rc = fail(pc, t ? t : ent, "expected the entity type as a string");
    } else if (strcmp(t->u.s, "TrafficFlowObserved") == 0) {
        cbu_jpop(&pc->j, mark);
        return parse_traffic(pc, ent);
    } else if (strcmp(t->u.s, "AirQualityObserved") == 0) {
        cbu_jpop(&pc->j, mark);
        return parse_air(pc, ent);
    } else if (strcmp(t->u.s, "Alert") == 0) {
        cbu_jpop(&pc->j, mark);
        return parse_alert(pc, ent);
    } else {
        const char *why = cbi_privacy_key(t->u.s);
        rc = why ? fail_privacy(pc, "an entity type that describes individuals")
                 : fail(pc, t, "unknown entity type \"%s\" (TrafficFlowObserved, AirQualityObserved, Alert)",
                        t->u.s);
    }
    cbu_jpop(&pc->j, mark);
    return rc;
}

void cbi_batch_init(cbi_batch *b)
{
    memset(b, 0, sizeof *b);
    cbu_arena_init(&b->arena);
}

void cbi_batch_free(cbi_batch *b)
{
    cbu_vec_free(&b->traffic);
    cbu_vec_free(&b->air);
    cbu_vec_free(&b->alerts);
    cbu_arena_free(&b->arena);
}

/* Append src's records to dst, copying their strings into dst's arena. */
static int batch_append(cbi_batch *dst, cbi_batch *src, cb_error *err)
{
    if (cbu_vec_reserve(&dst->traffic, src->traffic.n) || cbu_vec_reserve(&dst->air, src->air.n) ||
        cbu_vec_reserve(&dst->alerts, src->alerts.n))
        return cbu_err_nomem(err);
    if (src->traffic.n) {      /* (no memcpy from a NULL array when both are empty) */
        memcpy(dst->traffic.a + dst->traffic.n, src->traffic.a, src->traffic.n * sizeof *src->traffic.a);
        dst->traffic.n += src->traffic.n;
    }
    for (size_t i = 0; i < src->air.n; i++) {
        cbi_air q = src->air.a[i];
        if (!(q.station = cbu_arena_strdup(&dst->arena, q.station))) return cbu_err_nomem(err);
        dst->air.a[dst->air.n++] = q;
    }
    for (size_t i = 0; i < src->alerts.n; i++) {
        cbi_alert al = src->alerts.a[i];
        if ((al.id && !(al.id = cbu_arena_strdup(&dst->arena, al.id))) ||
            (al.description && !(al.description = cbu_arena_strdup(&dst->arena, al.description))))
            return cbu_err_nomem(err);
        dst->alerts.a[dst->alerts.n++] = al;
    }
    return CB_OK;
}

int cbi_parse(const cbi_resolver *r, const char *body, size_t len, cbi_batch *out, char *field, cb_error *err)
{
    if (field) field[0] = '\0';
    char *copy = malloc(len + 1);
    if (!copy) return cbu_err_nomem(err);
    memcpy(copy, body, len);
    copy[len] = '\0';
    cbu_jdoc doc;
    int rc = cbu_json_parse(&doc, "body", copy, len, err);
    if (rc) return rc;
    cbi_batch scratch;
    cbi_batch_init(&scratch);
    pctx pc = { .r = r, .b = &scratch, .field = field };
    cbu_jctx_init(&pc.j, &doc, "body", err);
    const cbu_jv *root = doc.root;
    if (root->type == CBU_JARR) {
        if (root->n == 0) rc = cbu_err(err, CB_ESCHEMA, "body: an empty batch (send one entity or an array of them)");
        else if (root->n > CBI_MAX_BATCH)
            rc = cbu_err(err, CB_ELIMIT, "body: %u entities in one batch, at most %d", root->n, CBI_MAX_BATCH);
        for (uint32_t i = 0; i < root->n && !rc; i++) {
            size_t mark = cbu_jpush_index(&pc.j, i);
            rc = parse_entity(&pc, &root->u.kids[i]);
            cbu_jpop(&pc.j, mark);
        }
    } else {
        rc = parse_entity(&pc, root);
    }
    if (!rc) rc = batch_append(out, &scratch, err);
    cbi_batch_free(&scratch);
    cbu_json_free(&doc);
    return rc;
}
