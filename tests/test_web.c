/* test_web.c -- the dashboard's tests as a ctest test: its data code in
 * Node.js (tests/web/unit.mjs), and the browser tests (tests/web/run.mjs):
 * Debian's chromium driven by playwright-core from web/'s npm lock file,
 * against a `citybrain serve` the script starts itself on a free loopback
 * port with a temporary database.
 *
 * The cases live in JavaScript because they drive a browser; this file only
 * decides whether they can run here.  Node.js, chromium and web/node_modules
 * come from scripts/setup.sh; when one is missing the test is skipped (77)
 * with the reason, never failed. */
#include "test.h"

#include <sys/wait.h>

static int run(const char *script, const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "node '%s/tests/web/%s'%s", CB_SOURCE_DIR, script, extra);
    int rc = system(cmd);
    return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

/* The data code (geometry, frames, classes) in Node.js alone. */
TEST(dashboard_units)
{
    if (system("command -v node >/dev/null 2>&1") != 0) TEST_SKIP("node is not installed (scripts/setup.sh installs nodejs)");
    ASSERT_EQ_INT(run("unit.mjs", ""), 0);
}

TEST(dashboard_in_chromium)
{
    if (system("command -v node >/dev/null 2>&1") != 0) TEST_SKIP("node is not installed (scripts/setup.sh installs nodejs)");
    char extra[1200];
    snprintf(extra, sizeof extra, " --binary '%s'", CB_BINARY);
    int rc = run("run.mjs", extra);
    if (rc == 77) TEST_SKIP("the browser tests cannot run here (the reason is printed above)");
    ASSERT_EQ_INT(rc, 0);
}

TEST_MAIN()
