"""Helpers shared by the package tests."""
import os
import subprocess
import threading

CLI = os.environ.get("PARASPINE_CLI", "build/paraspine")
FIXTURE = "tests/data/test_lift.yaml"


def cli(*args):
    """The command-line program, for comparisons with the package."""
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def counts_while(call):
    """How many times this thread counted while `call` ran in another thread: a call that keeps the
    GIL for its whole run leaves it a handful of iterations at most."""
    counter = [0]
    done = threading.Event()

    def work():
        call()
        done.set()

    th = threading.Thread(target=work)
    th.start()
    while not done.is_set():
        counter[0] += 1
    th.join()
    return counter[0]
