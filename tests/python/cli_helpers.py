"""Helpers shared by the tests in tests/python: the program under test, the small fixture scenario,
and `run`, the command line as a user runs it (`from cli_helpers import run`; pytest puts this folder
on sys.path). Not a conftest.py: tests/package has one, and in a session that collects both folders
(`pytest tests/`) `from conftest import ...` found whichever was loaded last."""
import os
import subprocess

#: The program under test. ctest passes its absolute path; by hand, build/paraspine from the
#: repository root. Absolute, so a test may run it from another working directory (cwd=).
CLI = os.path.abspath(os.environ.get("PARASPINE_CLI", "build/paraspine"))
#: A short lift (tests/data/test_lift.yaml); tests run from the repository root.
FIXTURE = "tests/data/test_lift.yaml"


def run(*args, cwd=None, timeout=600):
    """``paraspine ARGS...``: the completed process, stdout and stderr as text. ``timeout`` (s) only
    stops a run that hangs (a test fails on TimeoutExpired); it is no measure of speed."""
    return subprocess.run([CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)
