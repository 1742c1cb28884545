"""run.py -- the ctest entry point of the Python tests (tests/CMakeLists.txt,
test_python): runs pytest on this folder with the interpreter ctest chose
(Debian's /usr/bin/python3), the module built in <build>/python being on
PYTHONPATH.  Exits 77 (ctest: skipped) when pytest is not installed."""
import os
import sys

try:
    import pytest
except ImportError:
    print("skipped: pytest is not installed (Debian: apt-get install python3-pytest)")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
# no .pytest_cache or __pycache__ in the source tree
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", here] + sys.argv[1:]))
