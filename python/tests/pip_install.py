"""pip_install.py -- the ctest test_python_pip (label full): what a user
does, `pip install ./python` offline into a venv with Debian's python3 and
setuptools (docs/python.md), then a quick run of the tests against the
installed package.  Exits 77 (skipped) without python3-venv or pip.

usage: pip_install.py WORKDIR"""
import os
import shutil
import subprocess
import sys

work = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
python_dir = os.path.dirname(here)
venv = os.path.join(work, "venv")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
try:
    import ensurepip  # noqa: F401  (python3-venv provides it on Debian)
except ImportError:
    print("skipped: no venv support (Debian: apt-get install python3-venv)")
    sys.exit(77)
if subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv]).returncode != 0:
    print("skipped: cannot create a venv (Debian: apt-get install python3-venv)")
    sys.exit(77)
pip = os.path.join(venv, "bin", "pip")
env = dict(os.environ, CITYBRAIN_BUILD_DIR=os.path.join(work, "build"), PIP_NO_INDEX="1")
env.pop("PYTHONPATH", None)
cmd = [pip, "install", "--no-index", "--no-build-isolation", python_dir]
print("running:", " ".join(cmd), flush=True)
if subprocess.run(cmd, env=env).returncode != 0:
    sys.exit(1)
py = os.path.join(venv, "bin", "python")
# the installed package, not a build tree, is what the tests import
check = subprocess.run([py, "-c", "import citybrain, citybrain.env; print(citybrain.__file__)"], env=env,
                       capture_output=True, text=True)
print(check.stdout.strip())
if check.returncode != 0 or not check.stdout.startswith(venv):
    print(check.stderr)
    sys.exit(1)
sys.exit(subprocess.run([py, os.path.join(here, "run.py"), "-k", "not maxpressure and not lifecycle"],
                        env=env).returncode)
