/* test_web.c -- the dashboard's browser tests (tests/web/run.mjs) as a
 * ctest test: Debian's chromium driven by playwright-core from web/'s npm
 * lock file, against a `citybrain serve` the script starts itself on a free
 * loopback port with a temporary database.
 *
 * The cases live in JavaScript because they drive a browser; this file only
 * decides whether they can run here.  Node.js, chromium and web/node_modules
 * come from scripts/setup.sh; when one is missing the test is skipped (77)
 * with the reason, never failed. */
#include "test.h"

#include <sys/wait.h>

TEST(dashboard_in_chromium)
{
    if (system("command -v node >/dev/null 2>&1") != 0) TEST_SKIP("node is not installed (scripts/setup.sh installs nodejs)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "node '%s/tests/web/run.mjs' --binary '%s'", CB_SOURCE_DIR, CB_BINARY);
    int rc = system(cmd);
    ASSERT(rc != -1 && WIFEXITED(rc));
    if (WEXITSTATUS(rc) == 77) TEST_SKIP("the browser tests cannot run here (the reason is printed above)");
    ASSERT_EQ_INT(WEXITSTATUS(rc), 0);
}

TEST_MAIN()
