"""test_lifecycle.py -- no hang at exit or on destruction (CityFlow's
destructor deadlock, cityflow-semantics.md s. 15.1: create, step, delete
-> hang), worker threads joined, and engines copied by fork().

Each scenario runs in a fresh interpreter with a generous timeout: a hang
shows up as a timeout, not as a slow test."""
import os
import subprocess
import sys
import textwrap

import pytest

import citybrain
from conftest import flow

TIMEOUT = 120


def run_python(code, *args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(citybrain.__file__))) + \
        os.pathsep + env.get("PYTHONPATH", "")
    try:
        p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)] + list(args), env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail("the interpreter did not exit within %d s (hang)" % TIMEOUT)
    return p


def test_exit_without_closing(city):
    p = run_python("""
        import sys, citybrain
        eng = citybrain.Engine(sys.argv[1], thread_num=4)
        eng.next_step(50)
        keep = [eng]            # still referenced at exit
        print("ok")
    """, city([flow(0, 40, interval=2)]))
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_delete_and_create_again_many_times(city):
    # CityFlow hangs on the first `del` after stepping
    p = run_python("""
        import gc, sys, citybrain
        for k in range(30):
            eng = citybrain.Engine(sys.argv[1], thread_num=3)
            eng.next_step(5 + k % 3)
            del eng
            gc.collect()
        cycle = [citybrain.Engine(sys.argv[1], thread_num=2)]
        cycle.append(cycle)     # only the cycle collector frees it
        del cycle
        print("ok")
    """, city([flow(0, 40, interval=2)]))
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_exit_while_a_daemon_thread_steps(jinan):
    p = run_python("""
        import sys, threading, time, citybrain
        eng = citybrain.Engine(sys.argv[1], thread_num=2)
        t = threading.Thread(target=lambda: [eng.next_step(3600) for _ in range(100)], daemon=True)
        t.start()
        time.sleep(0.05)
        print("ok")
    """, jinan())
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_error_at_open_prints_nothing(tmp_path):
    # CityFlow prints "load config failed!" and returns an Engine; we raise
    p = run_python("""
        import sys, citybrain
        try:
            citybrain.Engine(sys.argv[1])
        except citybrain.LoadError as e:
            print("raised")
    """, str(tmp_path / "missing.json"))
    assert p.returncode == 0 and p.stdout == "raised\n" and p.stderr == ""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() here")
def test_fork_child(city):
    path = city([flow(0, 40, interval=2)])
    single = citybrain.Engine(path)
    multi = citybrain.Engine(path, thread_num=2)
    single.next_step(10)
    multi.next_step(10)
    pid = os.fork()
    if pid == 0:                                   # the child reports through its exit code
        code = 0
        try:
            single.next_step(10)                   # no worker threads: the copy works
            if single.get_current_time() != 20.0:
                code = 2
            try:
                multi.next_step()                  # its workers stayed in the parent
                code = 3
            except citybrain.StateError as e:
                if "fork" not in str(e):
                    code = 4
            fresh = citybrain.Engine(path, thread_num=2)
            fresh.next_step(5)
        except BaseException:
            code = 5
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    multi.next_step(10)                            # the parent's engine is untouched
    assert multi.get_current_time() == 20.0
    single.next_step(10)
    assert multi.get_lane_vehicles() == single.get_lane_vehicles()
