/* serve_history.c -- history queries: KPIs, observations (raw or 15-minute
 * aggregates) by lane, road, intersection or bounding box, air quality,
 * signal decisions, alerts, the audit log and the token list.
 *
 * Time ranges are ?from=...&to=... as ISO 8601 date-times with a zone;
 * the default is the last hour of field time.  Every answer is bounded by
 * ?limit (default 10,000, at most 100,000 rows) and says whether it was
 * cut ("truncated": true), so a client can page with a later `from`. */
#include "serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SV_LIMIT_DEFAULT 10000
#define SV_LIMIT_MAX 100000

typedef struct range {
    int64_t from, to;
    long limit;
} range;

/* false after answering 400 */
static bool get_range(sv_req *r, range *q)
{
    int64_t now = sv_field_now_ms(&r->srv->field);
    q->to = now + 1;
    q->from = now - 3600 * 1000;
    q->limit = SV_LIMIT_DEFAULT;
    const char *f = sv_arg(r, "from"), *t = sv_arg(r, "to"), *l = sv_arg(r, "limit");
    if (t && !cbi_time_parse(t, &q->to)) {
        sv_fail(r, CB_EINVAL, "to", "to: \"%s\" is not an ISO 8601 date-time with a zone", t);
        return false;
    }
    if (f && !cbi_time_parse(f, &q->from)) {
        sv_fail(r, CB_EINVAL, "from", "from: \"%s\" is not an ISO 8601 date-time with a zone", f);
        return false;
    }
    if (!f && t) q->from = q->to - 3600 * 1000;
    if (q->from > q->to) {
        sv_fail(r, CB_EINVAL, "from", "from is after to");
        return false;
    }
    if (l) {
        char *end;
        q->limit = strtol(l, &end, 10);
        if (*end || q->limit < 1 || q->limit > SV_LIMIT_MAX) {
            sv_fail(r, CB_EINVAL, "limit", "limit: an integer from 1 to %d", SV_LIMIT_MAX);
            return false;
        }
    }
    return true;
}

static sqlite3_stmt *prepare(sv_req *r, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sv_fail(r, CB_EIO, NULL, "database: %s", sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

static void col_num(sv_buf *b, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) sv_puts(b, "null");
    else sv_num(b, sqlite3_column_double(st, i));
}

/*--- KPIs -----------------------------------------------------------------------------*/

void sv_h_kpis(sv_req *r)
{
    range q;
    if (!get_range(r, &q)) return;
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db,
                               "SELECT t, sim_time, created, finished, running, waiting, att, published_att, "
                               "mean_speed, queue FROM kpis WHERE t >= ? AND t < ? ORDER BY t LIMIT ?");
    if (st) {
        sqlite3_bind_int64(st, 1, q.from);
        sqlite3_bind_int64(st, 2, q.to);
        sqlite3_bind_int64(st, 3, q.limit + 1);
        sv_puts(&r->out, "{\"kpis\":[");
        long n = 0;
        int step_rc;
        while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && n < q.limit) {
            sv_puts(&r->out, n++ ? ",\n{\"time\":" : "\n{\"time\":");
            sv_time(&r->out, sqlite3_column_int64(st, 0));
            static const char *const names[] = { "sim_time", "created", "finished", "running", "waiting",
                                                 "att", "published_att", "mean_speed", "queue" };
            for (int i = 0; i < 9; i++) {
                sv_printf(&r->out, ",\"%s\":", names[i]);
                col_num(&r->out, st, i + 1);
            }
            sv_puts(&r->out, "}");
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, step_rc == SQLITE_ROW ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}

/*--- observations -----------------------------------------------------------------------*/

/* Which lanes (engine order) a query selects; NULL mask: all. */
static bool lane_mask(sv_req *r, uint8_t **mask_out)
{
    cbsv_server *s = r->srv;
    cb_engine *e = s->field.e;
    size_t nl = s->field.n_lanes;
    const char *lane = sv_arg(r, "lane"), *road = sv_arg(r, "road"), *inter = sv_arg(r, "intersection"),
               *bbox = sv_arg(r, "bbox");
    *mask_out = NULL;
    if (!lane && !road && !inter && !bbox) return true;
    uint8_t *m = calloc(nl + 1, 1);
    if (!m) {
        sv_fail(r, CB_ENOMEM, NULL, "out of memory");
        return false;
    }
    bool any = false;
    if (lane) {
        for (size_t l = 0; l < nl && !any; l++)
            if (strcmp(cb_engine_lane_id(e, l), lane) == 0) m[l] = 1, any = true;
        if (!any) {
            free(m);
            sv_fail(r, CB_ENOTFOUND, "lane", "lane: no lane \"%s\"", lane);
            return false;
        }
    }
    if (road) {
        long k = cb_engine_road_find(e, road);
        cb_road_info ri;
        if (k < 0 || cb_engine_road_info(e, (size_t)k, &ri)) {
            free(m);
            sv_fail(r, CB_ENOTFOUND, "road", "road: no road \"%s\"", road);
            return false;
        }
        for (size_t j = 0; j < ri.n_lanes; j++) m[ri.first_lane + j] = 1;
    }
    if (inter) {
        long k = cb_engine_intersection_find(e, inter);
        if (k < 0) {
            free(m);
            sv_fail(r, CB_ENOTFOUND, "intersection", "intersection: no intersection \"%s\"", inter);
            return false;
        }
        /* The area of an intersection: the lanes that approach it. */
        for (size_t rd = 0; rd < cb_engine_road_count(e); rd++) {
            cb_road_info ri;
            if (cb_engine_road_info(e, rd, &ri) == 0 && ri.to == (size_t)k)
                for (size_t j = 0; j < ri.n_lanes; j++) m[ri.first_lane + j] = 1;
        }
    }
    if (bbox) {
        double x0, y0, x1, y1;
        char tail;
        if (sscanf(bbox, "%lf,%lf,%lf,%lf%c", &x0, &y0, &x1, &y1, &tail) != 4 || !(x0 <= x1 && y0 <= y1)) {
            free(m);
            sv_fail(r, CB_EINVAL, "bbox", "bbox: minX,minY,maxX,maxY in the network's coordinates");
            return false;
        }
        for (size_t rd = 0; rd < cb_engine_road_count(e) && s->road_mid; rd++) {
            double x = s->road_mid[2 * rd], y = s->road_mid[2 * rd + 1];
            cb_road_info ri;
            if (x >= x0 && x <= x1 && y >= y0 && y <= y1 && cb_engine_road_info(e, rd, &ri) == 0)
                for (size_t j = 0; j < ri.n_lanes; j++) m[ri.first_lane + j] = 1;
        }
    }
    *mask_out = m;
    return true;
}

static void obs_entity(sv_buf *b, cb_engine *e, size_t lane, int64_t t_from, int64_t t_to, sqlite3_stmt *st,
                       int col, bool kv, long n_agg)
{
    size_t road = cb_engine_lane_road(e, lane);
    const char *rid = cb_engine_road_id(e, road);
    sv_puts(b, "{\"id\":");
    char id[256];
    snprintf(id, sizeof id, "urn:ngsi-ld:TrafficFlowObserved:%s:%lld", cb_engine_lane_id(e, lane), (long long)t_from);
    sv_str(b, id);
    sv_puts(b, ",\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":");
    char ref[200];
    snprintf(ref, sizeof ref, "urn:ngsi-ld:RoadSegment:%s", rid);
    if (kv) sv_str(b, ref);
    else {
        sv_puts(b, "{\"type\":\"Relationship\",\"object\":");
        sv_str(b, ref);
        sv_puts(b, "}");
    }
    int li = cb_engine_lane_index(e, lane);
    if (kv) sv_printf(b, ",\"laneId\":%d,\"dateObservedFrom\":", li);
    else sv_printf(b, ",\"laneId\":{\"type\":\"Property\",\"value\":%d},\"dateObservedFrom\":", li);
    if (!kv) sv_puts(b, "{\"type\":\"Property\",\"value\":{\"@type\":\"DateTime\",\"@value\":");
    sv_time(b, t_from);
    sv_puts(b, kv ? ",\"dateObservedTo\":" : "}},\"dateObservedTo\":");
    if (!kv) sv_puts(b, "{\"type\":\"Property\",\"value\":{\"@type\":\"DateTime\",\"@value\":");
    sv_time(b, t_to);
    if (!kv) sv_puts(b, "}}");
    static const char *const names[] = { "intensity", "occupancy", "averageVehicleSpeed" };
    for (int i = 0; i < 3; i++) {
        if (sqlite3_column_type(st, col + i) == SQLITE_NULL) continue;
        double v = sqlite3_column_double(st, col + i);
        if (i == 2) v *= 3.6;  /* m/s stored, km/h on the wire */
        sv_printf(b, ",\"%s\":", names[i]);
        if (kv) sv_num(b, v);
        else {
            sv_puts(b, "{\"type\":\"Property\",\"value\":");
            sv_num(b, v);
            sv_puts(b, i == 2 ? ",\"unitCode\":\"KMH\"}" : i == 1 ? ",\"unitCode\":\"C62\"}" : "}");
        }
    }
    if (n_agg > 0) sv_printf(b, kv ? ",\"observations\":%ld" : ",\"observations\":{\"type\":\"Property\",\"value\":%ld}", n_agg);
    sv_puts(b, "}");
}

void sv_h_observations(sv_req *r)
{
    range q;
    if (!get_range(r, &q)) return;
    const char *opt = sv_arg(r, "options"), *agg = sv_arg(r, "aggregate");
    bool kv = opt && strcmp(opt, "keyValues") == 0;
    if (opt && !kv) {
        sv_fail(r, CB_EINVAL, "options", "options: only keyValues is supported (default: normalized)");
        return;
    }
    if (agg && strcmp(agg, "15m") != 0) {
        sv_fail(r, CB_EINVAL, "aggregate", "aggregate: only 15m (the stored buckets) is supported");
        return;
    }
    uint8_t *mask;
    if (!lane_mask(r, &mask)) return;
    cbsv_server *s = r->srv;
    sqlite3 *db = cbs_reader_get(s->store);
    sqlite3_stmt *st = prepare(r, db, agg ? "SELECT bucket, lane, bucket + 900000, intensity, occupancy, speed, n "
                                            "FROM obs_agg WHERE bucket >= ? AND bucket < ? ORDER BY bucket, lane"
                                          : "SELECT t_from, lane, t_to, intensity, occupancy, speed, 0 FROM obs "
                                            "WHERE t_from >= ? AND t_from < ? ORDER BY t_from, lane");
    if (st) {
        sqlite3_bind_int64(st, 1, agg ? q.from - q.from % CBS_BUCKET_MS : q.from);
        sqlite3_bind_int64(st, 2, q.to);
        sv_puts(&r->out, "{\"entities\":[");
        long n = 0;
        bool more = false;
        while (sqlite3_step(st) == SQLITE_ROW) {
            long lane = cbs_lane_engine(s->store, sqlite3_column_int64(st, 1));
            if (lane < 0 || (mask && !mask[lane])) continue;
            if (n == q.limit) {
                more = true;
                break;
            }
            sv_puts(&r->out, n++ ? ",\n" : "\n");
            obs_entity(&r->out, s->field.e, (size_t)lane, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2),
                       st, 3, kv, agg ? (long)sqlite3_column_int64(st, 6) : 0);
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, more ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(s->store, db);
    free(mask);
}

void sv_h_air(sv_req *r)
{
    range q;
    if (!get_range(r, &q)) return;
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db, "SELECT station, t, lon, lat, pollutants FROM air WHERE t >= ? AND t < ? "
                                      "ORDER BY t LIMIT ?");
    if (st) {
        sqlite3_bind_int64(st, 1, q.from);
        sqlite3_bind_int64(st, 2, q.to);
        sqlite3_bind_int64(st, 3, q.limit + 1);
        sv_puts(&r->out, "{\"entities\":[");
        long n = 0;
        int step_rc;
        while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && n < q.limit) {
            sv_puts(&r->out, n++ ? ",\n{\"id\":" : "\n{\"id\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 0));
            sv_puts(&r->out, ",\"type\":\"AirQualityObserved\",\"dateObserved\":");
            sv_time(&r->out, sqlite3_column_int64(st, 1));
            if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
                sv_puts(&r->out, ",\"location\":{\"type\":\"Point\",\"coordinates\":[");
                col_num(&r->out, st, 2);
                sv_puts(&r->out, ",");
                col_num(&r->out, st, 3);
                sv_puts(&r->out, "]}");
            }
            /* pollutants were written by store.c as {"no2":{...},...}: splice */
            const char *p = (const char *)sqlite3_column_text(st, 4);
            size_t pl = p ? strlen(p) : 0;
            if (pl > 2) {
                sv_puts(&r->out, ",");
                sv_put(&r->out, p + 1, pl - 2);
            }
            sv_puts(&r->out, "}");
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, step_rc == SQLITE_ROW ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}

void sv_h_decisions(sv_req *r)
{
    range q;
    if (!get_range(r, &q)) return;
    const char *inter = sv_arg(r, "intersection");
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db, inter ? "SELECT t, inter, phase, source, duration FROM decisions WHERE t >= ? "
                                              "AND t < ? AND inter = ? ORDER BY t, id LIMIT ?"
                                            : "SELECT t, inter, phase, source, duration FROM decisions WHERE t >= ? "
                                              "AND t < ? ORDER BY t, id LIMIT ?");
    if (st) {
        sqlite3_bind_int64(st, 1, q.from);
        sqlite3_bind_int64(st, 2, q.to);
        if (inter) sqlite3_bind_text(st, 3, inter, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, inter ? 4 : 3, q.limit + 1);
        sv_puts(&r->out, "{\"decisions\":[");
        long n = 0;
        int step_rc;
        while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && n < q.limit) {
            sv_puts(&r->out, n++ ? ",\n{\"time\":" : "\n{\"time\":");
            sv_time(&r->out, sqlite3_column_int64(st, 0));
            sv_puts(&r->out, ",\"intersection\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 1));
            sv_printf(&r->out, ",\"phase\":%d,\"source\":", sqlite3_column_int(st, 2));
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 3));
            sv_puts(&r->out, ",\"duration\":");
            col_num(&r->out, st, 4);
            sv_puts(&r->out, "}");
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, step_rc == SQLITE_ROW ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}

void sv_h_alerts(sv_req *r)
{
    const char *active = sv_arg(r, "active");
    bool only_active = active && strcmp(active, "true") == 0;
    range q;
    if (!get_range(r, &q)) return;
    if (!sv_arg(r, "from")) q.from = 0;     /* alerts: all by default */
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db, only_active
                                          ? "SELECT id, entity, category, sub_category, severity, issued, valid_from, "
                                            "valid_to, road, lane, lon, lat, description, source, cleared FROM alerts "
                                            "WHERE cleared IS NULL AND issued >= ? AND issued < ? ORDER BY issued DESC LIMIT ?"
                                          : "SELECT id, entity, category, sub_category, severity, issued, valid_from, "
                                            "valid_to, road, lane, lon, lat, description, source, cleared FROM alerts "
                                            "WHERE issued >= ? AND issued < ? ORDER BY issued DESC LIMIT ?");
    cb_engine *e = r->srv->field.e;
    if (st) {
        sqlite3_bind_int64(st, 1, q.from);
        sqlite3_bind_int64(st, 2, q.to);
        sqlite3_bind_int64(st, 3, q.limit + 1);
        sv_puts(&r->out, "{\"alerts\":[");
        long n = 0;
        int step_rc;
        while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && n < q.limit) {
            int64_t id = sqlite3_column_int64(st, 0);
            const char *ent = (const char *)sqlite3_column_text(st, 1);
            char idbuf[64];
            snprintf(idbuf, sizeof idbuf, "urn:ngsi-ld:Alert:citybrain-%lld", (long long)id);
            sv_puts(&r->out, n++ ? ",\n{\"id\":" : "\n{\"id\":");
            sv_str(&r->out, ent ? ent : idbuf);
            sv_printf(&r->out, ",\"type\":\"Alert\",\"alert\":%lld,\"category\":", (long long)id);
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 2));
            sv_puts(&r->out, ",\"subCategory\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 3));
            sv_puts(&r->out, ",\"severity\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 4));
            sv_puts(&r->out, ",\"dateIssued\":");
            sv_time(&r->out, sqlite3_column_int64(st, 5));
            sv_puts(&r->out, ",\"validFrom\":");
            sv_time(&r->out, sqlite3_column_int64(st, 6));
            if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
                sv_puts(&r->out, ",\"validTo\":");
                sv_time(&r->out, sqlite3_column_int64(st, 7));
            }
            if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
                int64_t rd = sqlite3_column_int64(st, 8);
                if (rd >= 0 && (size_t)rd < cb_engine_road_count(e)) {
                    char ref[200];
                    snprintf(ref, sizeof ref, "urn:ngsi-ld:RoadSegment:%s", cb_engine_road_id(e, (size_t)rd));
                    sv_puts(&r->out, ",\"refRoadSegment\":");
                    sv_str(&r->out, ref);
                }
            }
            if (sqlite3_column_type(st, 9) != SQLITE_NULL) sv_printf(&r->out, ",\"laneId\":%d", sqlite3_column_int(st, 9));
            if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
                sv_puts(&r->out, ",\"location\":{\"type\":\"Point\",\"coordinates\":[");
                col_num(&r->out, st, 10);
                sv_puts(&r->out, ",");
                col_num(&r->out, st, 11);
                sv_puts(&r->out, "]}");
            }
            if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
                sv_puts(&r->out, ",\"description\":");
                sv_str(&r->out, (const char *)sqlite3_column_text(st, 12));
            }
            sv_puts(&r->out, ",\"source\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 13));
            sv_printf(&r->out, ",\"active\":%s", sqlite3_column_type(st, 14) == SQLITE_NULL ? "true" : "false");
            if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
                sv_puts(&r->out, ",\"cleared\":");
                sv_time(&r->out, sqlite3_column_int64(st, 14));
            }
            sv_puts(&r->out, "}");
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, step_rc == SQLITE_ROW ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}

void sv_h_audit(sv_req *r)
{
    range q;
    if (!get_range(r, &q)) return;
    if (!sv_arg(r, "from")) q.from = 0;
    if (!sv_arg(r, "to")) q.to = INT64_MAX;
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db, "SELECT id, t, who, action, detail, result FROM audit WHERE t >= ? AND t < ? "
                                      "ORDER BY id DESC LIMIT ?");
    if (st) {
        sqlite3_bind_int64(st, 1, q.from);
        sqlite3_bind_int64(st, 2, q.to);
        sqlite3_bind_int64(st, 3, q.limit + 1);
        sv_puts(&r->out, "{\"audit\":[");
        long n = 0;
        int step_rc;
        while ((step_rc = sqlite3_step(st)) == SQLITE_ROW && n < q.limit) {
            sv_printf(&r->out, "%s{\"id\":%lld,\"time\":", n++ ? ",\n" : "\n", (long long)sqlite3_column_int64(st, 0));
            sv_time(&r->out, sqlite3_column_int64(st, 1));
            sv_puts(&r->out, ",\"who\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 2));
            sv_puts(&r->out, ",\"action\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 3));
            sv_puts(&r->out, ",\"detail\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 4));
            sv_puts(&r->out, ",\"result\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 5));
            sv_puts(&r->out, "}");
        }
        sv_printf(&r->out, "],\"count\":%ld,\"truncated\":%s}\n", n, step_rc == SQLITE_ROW ? "true" : "false");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}

void sv_h_tokens_list(sv_req *r)
{
    sqlite3 *db = cbs_reader_get(r->srv->store);
    sqlite3_stmt *st = prepare(r, db, "SELECT id, role, label, created, revoked FROM tokens ORDER BY created");
    if (st) {
        sv_puts(&r->out, "{\"tokens\":[");
        long n = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            sv_puts(&r->out, n++ ? ",\n{\"id\":" : "\n{\"id\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 0));
            sv_puts(&r->out, ",\"role\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 1));
            sv_puts(&r->out, ",\"label\":");
            sv_str(&r->out, (const char *)sqlite3_column_text(st, 2));
            sv_puts(&r->out, ",\"created\":");
            sv_time(&r->out, sqlite3_column_int64(st, 3));
            sv_printf(&r->out, ",\"revoked\":%s}", sqlite3_column_type(st, 4) == SQLITE_NULL ? "false" : "true");
        }
        sv_puts(&r->out, "]}\n");
        sqlite3_finalize(st);
    }
    cbs_reader_put(r->srv->store, db);
}
