/* test_ingest_schema.c -- the observation schema: FIWARE entities in both
 * NGSI-LD forms become the right records, units are converted, the closed
 * schema names the field it refuses, and a batch is all or nothing.
 * Expected values are worked out by hand in each case. */
#include "test.h"

#include <math.h>

#include "ingest/ingest.h"

/* A stand-in network: roads "road_A" (lanes 10..12) and "road_B" (20..21). */
static long fake_road(void *ud, const char *id, uint32_t *first, uint32_t *n)
{
    (void)ud;
    if (strcmp(id, "road_A") == 0) { *first = 10; *n = 3; return 0; }
    if (strcmp(id, "road_B") == 0) { *first = 20; *n = 2; return 1; }
    return -1;
}
static const cbi_resolver resolver = { NULL, fake_road };

static int parse(const char *text, cbi_batch *b, char *field, cb_error *err)
{
    cbi_batch_init(b);
    return cbi_parse(&resolver, text, strlen(text), b, field, err);
}

TEST(time_parse)
{
    int64_t ms;
    ASSERT(cbi_time_parse("2026-11-27T10:00:00Z", &ms));
    ASSERT_EQ_INT(ms, 1795773600000LL);
    ASSERT(cbi_time_parse("2026-11-27T11:00:00.250+01:00", &ms));
    ASSERT_EQ_INT(ms, 1795773600250LL);
    ASSERT(cbi_time_parse("2024-02-29T23:59:59Z", &ms));   /* leap day */
    ASSERT_EQ_INT(ms, 1709251199000LL);
    ASSERT(!cbi_time_parse("2023-02-29T00:00:00Z", &ms));  /* not a leap year */
    ASSERT(!cbi_time_parse("2026-11-27T10:00:00", &ms));   /* no zone */
    ASSERT(!cbi_time_parse("2026-11-27 10:00:00Z", &ms));
    ASSERT(!cbi_time_parse("2026-13-01T00:00:00Z", &ms));
    char buf[40];
    cbi_time_format(1795773600250LL, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "2026-11-27T10:00:00.250Z");
}

TEST(traffic_key_values)
{
    cbi_batch b;
    cb_error err = { 0 };
    int rc = parse("{\"id\":\"urn:ngsi-ld:TrafficFlowObserved:a1\",\"type\":\"TrafficFlowObserved\","
                   "\"refRoadSegment\":\"urn:ngsi-ld:RoadSegment:road_A\",\"laneId\":2,"
                   "\"dateObservedFrom\":\"2026-11-27T10:00:00Z\",\"dateObservedTo\":\"2026-11-27T10:01:00Z\","
                   "\"intensity\":12,\"occupancy\":0.25,\"averageVehicleSpeed\":36}",
                   &b, NULL, &err);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(b.traffic.n, 1);
    const cbi_traffic *t = &b.traffic.a[0];
    ASSERT_EQ_INT(t->lane, 12);                     /* road_A's first lane 10 + laneId 2 */
    ASSERT_EQ_INT(t->t_from, 1795773600000LL);
    ASSERT_EQ_INT(t->t_to, 1795773660000LL);
    ASSERT_NEAR(t->intensity, 12, 0);
    ASSERT_NEAR(t->occupancy, 0.25, 0);
    ASSERT_NEAR(t->speed, 10.0, 1e-12);             /* 36 km/h */
    cbi_batch_free(&b);
}

TEST(traffic_normalized_units)
{
    cbi_batch b;
    cb_error err = { 0 };
    int rc = parse("[{\"type\":\"TrafficFlowObserved\",\"@context\":[\"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld\"],"
                   "\"refRoadSegment\":{\"type\":\"Relationship\",\"object\":\"road_B\"},"
                   "\"laneId\":{\"type\":\"Property\",\"value\":1},"
                   "\"dateObserved\":{\"type\":\"Property\",\"value\":{\"@type\":\"DateTime\",\"@value\":\"2026-11-27T10:00:00Z/2026-11-27T10:05:00Z\"}},"
                   "\"occupancy\":{\"type\":\"Property\",\"value\":40,\"unitCode\":\"P1\"},"
                   "\"averageVehicleSpeed\":{\"type\":\"Property\",\"value\":7.5,\"unitCode\":\"MTS\"},"
                   "\"location\":{\"type\":\"GeoProperty\",\"value\":{\"type\":\"Point\",\"coordinates\":[117.1,36.6]}}}]",
                   &b, NULL, &err);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(b.traffic.n, 1);
    const cbi_traffic *t = &b.traffic.a[0];
    ASSERT_EQ_INT(t->lane, 21);
    ASSERT_EQ_INT(t->t_to - t->t_from, 300000);
    ASSERT_NEAR(t->occupancy, 0.40, 1e-12);         /* 40 percent */
    ASSERT_NEAR(t->speed, 7.5, 0);                  /* already m/s */
    ASSERT(isnan(t->intensity));                    /* not sent */
    cbi_batch_free(&b);
}

TEST(air_and_alert)
{
    cbi_batch b;
    cb_error err = { 0 };
    int rc = parse("[{\"id\":\"urn:ngsi-ld:AirQualityObserved:s7\",\"type\":\"AirQualityObserved\","
                   "\"dateObserved\":\"2026-11-27T10:00:00Z\",\"location\":{\"type\":\"Point\",\"coordinates\":[117,36.6]},"
                   "\"no2\":{\"type\":\"Property\",\"value\":41,\"unitCode\":\"GQ\"},"
                   "\"co\":{\"type\":\"Property\",\"value\":0.8,\"unitCode\":\"GP\"}},"
                   "{\"type\":\"Alert\",\"category\":\"traffic\",\"subCategory\":\"roadClosed\",\"severity\":\"high\","
                   "\"dateIssued\":\"2026-11-27T10:00:00Z\",\"refRoadSegment\":\"road_A\",\"laneId\":0,"
                   "\"description\":\"lane closed for works\"}]",
                   &b, NULL, &err);
    ASSERT_EQ_INT(rc, CB_OK);
    ASSERT_EQ_INT(b.air.n, 1);
    ASSERT_NEAR(b.air.a[0].value[CBI_P_no2], 41, 0);
    ASSERT_NEAR(b.air.a[0].value[CBI_P_co], 800, 1e-9);   /* 0.8 mg/m3 = 800 ug/m3 */
    ASSERT_STR_EQ(b.air.a[0].unit[CBI_P_co], "GQ");
    ASSERT(isnan(b.air.a[0].value[CBI_P_pm10]));
    ASSERT_EQ_INT(b.alerts.n, 1);
    ASSERT_STR_EQ(b.alerts.a[0].sub_category, "roadClosed");
    ASSERT_EQ_INT(b.alerts.a[0].road, 0);
    ASSERT_EQ_INT(b.alerts.a[0].lane, 0);
    cbi_batch_free(&b);
}

TEST(closed_schema_names_the_field)
{
    cbi_batch b;
    cb_error err = { 0 };
    char field[256];
    int rc = parse("[{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_A\",\"laneId\":0,"
                   "\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":3},"
                   "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_A\",\"laneId\":0,"
                   "\"dateObserved\":\"2026-11-27T10:01:00Z\",\"intensity\":3,\"colour\":\"red\"}]",
                   &b, field, &err);
    ASSERT_EQ_INT(rc, CB_ESCHEMA);
    ASSERT_EQ_INT(cb_status_http(rc), 422);
    ASSERT_CONTAINS(err.msg, "[1].colour");
    ASSERT_CONTAINS(err.msg, "unknown field");
    ASSERT_STR_EQ(field, "[1].colour");
    /* all or nothing: the first, valid entity was not kept */
    ASSERT_EQ_INT(b.traffic.n, 0);
    cbi_batch_free(&b);

    rc = parse("{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_A\",\"laneId\":0,"
               "\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":{\"type\":\"Property\",\"value\":3,\"confidence\":1}}",
               &b, field, &err);
    ASSERT_EQ_INT(rc, CB_ESCHEMA);
    ASSERT_STR_EQ(field, "intensity.confidence");
    cbi_batch_free(&b);
}

TEST(values_checked)
{
    static const struct { const char *json, *want; } bad[] = {
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_Z\",\"laneId\":0,\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":1}", "no road \"road_Z\"" },
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_B\",\"laneId\":2,\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":1}", "lane index from 0 to 1" },
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_B\",\"laneId\":0,\"dateObserved\":\"2026-11-27T10:00:00Z\",\"occupancy\":1.5}", "outside [0, 1]" },
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_B\",\"laneId\":0,\"dateObserved\":\"2026-11-27T10:00:00\",\"intensity\":1}", "with a zone" },
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_B\",\"laneId\":0,\"dateObserved\":\"2026-11-27T10:00:00Z\"}", "at least one of" },
        { "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_B\",\"laneId\":0,\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":-1}", "outside" },
        { "{\"type\":\"Parking\"}", "unknown entity type" },
        { "{\"type\":\"Alert\",\"category\":\"traffic\",\"subCategory\":\"alien\",\"dateIssued\":\"2026-11-27T10:00:00Z\",\"refRoadSegment\":\"road_A\"}", "not one of" },
        { "[]", "empty batch" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cbi_batch b;
        cb_error err = { 0 };
        int rc = parse(bad[i].json, &b, NULL, &err);
        if (rc != CB_ESCHEMA) fprintf(stderr, "  case %zu: %s\n", i, err.msg);
        ASSERT_EQ_INT(rc, CB_ESCHEMA);
        ASSERT_CONTAINS(err.msg, bad[i].want);
        cbi_batch_free(&b);
    }
    cbi_batch b;
    cb_error err = { 0 };
    ASSERT_EQ_INT(parse("{\"type\":", &b, NULL, &err), CB_ESYNTAX);
    cbi_batch_free(&b);
}

TEST_MAIN()
