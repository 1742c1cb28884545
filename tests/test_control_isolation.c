/* test_control_isolation.c -- controllers see only what field detectors
 * see.  The rule is structural: no file of src/control may include an
 * engine, network or loader header, or call a cb_engine_* function; they
 * get a cb_site and cb_site_obs and nothing else (the adapter that builds
 * those from the twin lives in src/signal).  This test reads the sources. */
#include "test.h"

#include <dirent.h>
#include <stdbool.h>

static const char *const forbidden[] = { "cb_engine", "sim/", "net/", "load/", "sim.h", "net.h", "cityflow.h",
                                         "cb_vehicle", "foreach_vehicle" };

TEST(controllers_include_no_engine_header)
{
    const char *dir = CB_SOURCE_DIR "/src/control";
    DIR *d = opendir(dir);
    if (!d) TEST_SKIP("%s not found", dir);
    int files = 0, bad = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t n = strlen(ent->d_name);
        if (n < 3 || !(strcmp(ent->d_name + n - 2, ".c") == 0 || strcmp(ent->d_name + n - 2, ".h") == 0)) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        FILE *f = fopen(path, "r");
        ASSERT(f);
        files++;
        char line[2048];
        for (int no = 1; fgets(line, sizeof line, f); no++) {
            /* comments may mention the engine; code may not use it */
            char *cm = strstr(line, "/*");
            if (cm) *cm = '\0';
            const char *s = line;
            while (*s == ' ') s++;
            if (*s == '*') continue;
            bool include = strncmp(s, "#include", 8) == 0;
            for (size_t k = 0; k < sizeof forbidden / sizeof forbidden[0]; k++) {
                bool header = strchr(forbidden[k], '/') || strstr(forbidden[k], ".h");
                if ((header && include && strstr(line, forbidden[k])) || (!header && strstr(line, forbidden[k]))) {
                    fprintf(stderr, "  %s:%d uses %s: %s", ent->d_name, no, forbidden[k], line);
                    bad++;
                }
            }
        }
        fclose(f);
    }
    closedir(d);
    ASSERT(files >= 5);
    ASSERT_EQ_INT(bad, 0);
}

TEST_MAIN()
