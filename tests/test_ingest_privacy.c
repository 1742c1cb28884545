/* test_ingest_privacy.c -- citybrain refuses personal data.
 *
 * Every payload of tests/data/privacy/ (at least 50: plates, faces, names,
 * phones, IMSI, MAC, device and ID-card numbers, trajectories, in every
 * place a sender could put them) must be refused with CB_EPRIVACY and the
 * message that citybrain does not accept personal data, not merely as an
 * unknown field.  The same entities without the personal element are
 * accepted, so the refusals are about the personal data and nothing else. */
#include "test.h"

#include <dirent.h>

#include "ingest/ingest.h"
#include "util/fileio.h"

static long any_road(void *ud, const char *id, uint32_t *first, uint32_t *n)
{
    (void)ud;
    if (strncmp(id, "road_", 5) != 0) return -1;
    *first = 0;
    *n = 3;
    return 0;
}
static const cbi_resolver resolver = { NULL, any_road };

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

TEST(corpus_refused_as_personal_data)
{
    const char *dir = CB_SOURCE_DIR "/tests/data/privacy";
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    int files = 0;
    for (struct dirent *de; (de = readdir(d));) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *text = slurp(path, &len);
        ASSERT(text != NULL);
        cbi_batch b;
        cbi_batch_init(&b);
        cb_error err = { 0 };
        int rc = cbi_parse(&resolver, text, len, &b, NULL, &err);
        if (rc != CB_EPRIVACY) fprintf(stderr, "  %s: got %s: %s\n", de->d_name, cb_status_name(rc), err.msg);
        ASSERT_EQ_INT(rc, CB_EPRIVACY);
        ASSERT_CONTAINS(err.msg, "citybrain does not accept personal data");
        ASSERT_EQ_INT(b.traffic.n + b.air.n + b.alerts.n, 0);
        cbi_batch_free(&b);
        free(text);
        files++;
    }
    closedir(d);
    fprintf(stderr, "  %d payloads refused\n", files);
    ASSERT(files >= 50);
}

/* The corpus's base entities are valid: one personal member flips them. */
TEST(base_entities_accepted)
{
    static const char *const ok[] = {
        "{\"id\":\"urn:ngsi-ld:TrafficFlowObserved:road_0_1_0:1:0001\",\"type\":\"TrafficFlowObserved\","
        "\"refRoadSegment\":\"urn:ngsi-ld:RoadSegment:road_0_1_0\",\"laneId\":1,"
        "\"dateObservedFrom\":\"2026-11-27T10:00:00Z\",\"dateObservedTo\":\"2026-11-27T10:01:00Z\","
        "\"intensity\":12,\"occupancy\":0.2,\"averageVehicleSpeed\":36}",
        "{\"id\":\"urn:ngsi-ld:Alert:0001\",\"type\":\"Alert\",\"category\":\"traffic\",\"subCategory\":\"carAccident\","
        "\"dateIssued\":\"2026-11-27T10:00:00Z\",\"refRoadSegment\":\"road_0_1_0\"}",
        "{\"id\":\"urn:ngsi-ld:AirQualityObserved:station-7:0001\",\"type\":\"AirQualityObserved\","
        "\"dateObserved\":\"2026-11-27T10:00:00Z\",\"location\":{\"type\":\"Point\",\"coordinates\":[117.0,36.6]},"
        "\"no2\":{\"type\":\"Property\",\"value\":41,\"unitCode\":\"GQ\"},\"source\":\"station 7, Jinan\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cbi_batch b;
        cbi_batch_init(&b);
        cb_error err = { 0 };
        int rc = cbi_parse(&resolver, ok[i], strlen(ok[i]), &b, NULL, &err);
        if (rc) fprintf(stderr, "  case %zu: %s\n", i, err.msg);
        ASSERT_EQ_INT(rc, CB_OK);
        cbi_batch_free(&b);
    }
    /* one member more, and it is personal data */
    const char *plate = "{\"type\":\"TrafficFlowObserved\",\"refRoadSegment\":\"road_0_1_0\",\"laneId\":1,"
                        "\"dateObserved\":\"2026-11-27T10:00:00Z\",\"intensity\":12,\"licensePlate\":\"AB-123-CD\"}";
    cbi_batch b;
    cbi_batch_init(&b);
    cb_error err = { 0 };
    char field[256];
    ASSERT_EQ_INT(cbi_parse(&resolver, plate, strlen(plate), &b, field, &err), CB_EPRIVACY);
    ASSERT_STR_EQ(field, "licensePlate");
    ASSERT_EQ_INT(cb_status_http(CB_EPRIVACY), 422);
    cbi_batch_free(&b);
}

TEST(rules_do_not_hit_the_schema)
{
    /* Members of the closed schema are never mistaken for personal data. */
    static const char *const fields[] = { "intensity", "occupancy", "averageVehicleSpeed", "averageVehicleLength",
                                          "averageGapDistance", "averageHeadwayTime", "laneId", "laneDirection",
                                          "refRoadSegment", "dateObserved", "dateObservedFrom", "dateObservedTo",
                                          "congested", "reversedLane", "vehicleType", "dataProvider", "severity",
                                          "category", "subCategory", "dateIssued", "validFrom", "validTo", "no2",
                                          "pm25", "airQualityIndex", "temperature", NULL };
    for (int i = 0; fields[i]; i++) {
        const char *why = cbi_privacy_key(fields[i]);
        if (why) fprintf(stderr, "  %s: %s\n", fields[i], why);
        ASSERT(why == NULL);
    }
    ASSERT(cbi_privacy_value("2026-11-27T10:00:00Z", false) == NULL);
    ASSERT(cbi_privacy_value("urn:ngsi-ld:TrafficFlowObserved:lane-3:1795773600000", false) == NULL);
    ASSERT(cbi_privacy_value("+49 151 23456789", true) != NULL);
    ASSERT(cbi_privacy_value("a4:5e:60:d1:22:9f", false) != NULL);
}

TEST_MAIN()
