/* fuzz_ingest.c -- libFuzzer target: any bytes as a batch-ingest body.
 *
 * The body goes through cbi_parse exactly as POST /api/v1/ingest sends it
 * (src/ingest/ingest_parse.c), against a fixed stand-in network of three
 * roads so that mutated refRoadSegment values resolve often.  Checked
 * besides the sanitizers: the parser either accepts (and then every record
 * is within the documented ranges) or refuses with an error code from the
 * table and a message, and a refused body leaves the batch empty. */
#include "ingest/ingest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static long fuzz_road(void *ud, const char *id, uint32_t *first, uint32_t *n)
{
    (void)ud;
    static const char *const roads[] = { "road_0_1_0", "road_1_1_0", "road_1_0_1" };
    for (long k = 0; k < 3; k++)
        if (strcmp(id, roads[k]) == 0) {
            *first = (uint32_t)(3 * k);
            *n = 3;
            return k;
        }
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const cbi_resolver r = { NULL, fuzz_road };
    cbi_batch b;
    cbi_batch_init(&b);
    cb_error err = { 0 };
    char field[256];
    int rc = cbi_parse(&r, (const char *)data, size, &b, field, &err);
    if (rc == CB_OK) {
        for (size_t i = 0; i < b.traffic.n; i++) {
            const cbi_traffic *t = &b.traffic.a[i];
            if (t->lane >= 9 || t->t_to < t->t_from || (!isnan(t->occupancy) && (t->occupancy < 0 || t->occupancy > 1)))
                abort();
        }
    } else {
        if (rc != CB_ESYNTAX && rc != CB_ESCHEMA && rc != CB_EPRIVACY && rc != CB_ELIMIT && rc != CB_ENOMEM)
            abort();
        if (err.msg[0] == '\0' || b.traffic.n || b.air.n || b.alerts.n) abort();
    }
    cbi_batch_free(&b);
    return 0;
}
