"""setup.py -- builds the Python package `citybrain` (docs/python.md).

The extension citybrain._citybrain is C written against include/citybrain.h
only, linked with the project's static library citybrain_core.  Both are
built by CMake (python/CMakeLists.txt -> the root CMakeLists.txt and
python/module.cmake), so compiler flags, library sources and link
dependencies are defined once, in CMake.  Everything comes from Debian 12
packages and nothing is downloaded:

    sudo ./scripts/setup.sh                      # compilers, cmake, libraries, python3-dev...
    /usr/bin/python3 -m venv --system-site-packages ~/venvs/cb
    ~/venvs/cb/bin/pip install --no-build-isolation ./python

(`--no-build-isolation` makes pip use Debian's setuptools instead of
fetching one; Debian's own /usr/bin/python3 refuses pip installs outside a
venv, PEP 668.)  Without pip: `/usr/bin/python3 python/setup.py build`.

Environment: CITYBRAIN_JOBS=N parallel compile jobs (default 2);
CITYBRAIN_BUILD_DIR=DIR builds there instead of python/build (pip builds
in the source tree; the ctest test_python_pip keeps its build apart).
"""
import glob
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def version():
    with open(os.path.join(ROOT, "include", "citybrain.h"), encoding="utf-8") as f:
        m = re.search(r'#define CB_VERSION "([^"]+)"', f.read())
    return m.group(1) if m else "0.0.0"


class CMakeBuild(build_ext):
    """Build the extension with CMake instead of setuptools' compiler."""

    def build_extension(self, ext):
        if not shutil.which("cmake"):
            sys.exit("setup.py: cmake is needed (Debian: run scripts/setup.sh, or apt-get install "
                     "cmake make gcc pkg-config and the libraries of docs/dependencies.md)")
        build = os.path.join(os.path.abspath(self.build_temp), "cmake")
        out = os.path.join(build, "out")
        jobs = os.environ.get("CITYBRAIN_JOBS", "2")
        subprocess.run(["cmake", "-S", HERE, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                        "-DCB_PYTHON_EXECUTABLE=" + sys.executable, "-DCB_PYTHON_OUT=" + out],
                       check=True)
        subprocess.run(["cmake", "--build", build, "--target", "citybrain_python", "-j", jobs], check=True)
        built = glob.glob(os.path.join(out, "citybrain", "_citybrain*.so"))
        if len(built) != 1:
            sys.exit("setup.py: expected one _citybrain*.so in %s, found %s" % (out, built))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


os.chdir(HERE)          # relative paths below, wherever we are called from
BUILD_DIR = os.environ.get("CITYBRAIN_BUILD_DIR")
setup(
    options={"build": {"build_base": BUILD_DIR}, "egg_info": {"egg_base": BUILD_DIR}} if BUILD_DIR else {},
    name="citybrain",
    version=version(),
    description="citybrain: a CityFlow-compatible traffic engine with a drop-in Python API",
    license="Apache-2.0",
    packages=["citybrain"],
    package_data={"citybrain": ["*.pyi", "py.typed"]},
    ext_modules=[Extension("citybrain._citybrain", sources=sorted(glob.glob("src/*.c")))],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    zip_safe=False,
)
