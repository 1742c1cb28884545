/* fuzz_config.c -- libFuzzer target: any bytes as config.json.
 *
 * Parses in memory and runs the config loader on the tree; the property
 * checked is "returns a status, with a message on failure, and never
 * crashes, leaks or reads out of bounds" (ASan/UBSan do the checking).
 * File names in the input are resolved but never opened. */
#include "load/cityflow.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    cb_error err = { 0 };
    cbu_jdoc doc;
    int rc = cbu_json_parse(&doc, "config.json", src, size, &err);   /* takes src */
    if (rc == CB_OK) {
        cf_config cfg;
        rc = cf_config_from_json(&doc, "fuzz/config.json", &cfg, &err);
        if (rc == CB_OK) cf_config_free(&cfg);
    }
    /* Every failure must explain itself. */
    if (rc != CB_OK && (err.code != rc || err.msg[0] == '\0')) abort();
    cbu_json_free(&doc);
    return 0;
}
