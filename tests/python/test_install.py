"""`cmake --install` for a lab's shared server (session 21, audit21b #2): it installed nothing, and a
copied binary looked for its bundled models in the clone's absolute path. Now the program, the
bundled library and the Python package install under a prefix and find each other there."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import CLI

BUILD = Path(CLI).resolve().parent


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    if not (BUILD / "cmake_install.cmake").exists():
        pytest.skip("not a CMake build folder")
    p = tmp_path_factory.mktemp("opt") / "paraspine"
    r = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(p)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return p


def test_the_install_holds_the_program_the_library_and_the_package(prefix):
    assert (prefix / "bin" / "paraspine").is_file()
    for name in ("full_spine", "lumbar", "paraspinal_only"):
        assert (prefix / "share" / "paraspine" / "models" / f"{name}.yaml").is_file()
    assert (prefix / "share" / "paraspine" / "scenarios" / "squat_lift.yaml").is_file()
    assert (prefix / "share" / "paraspine" / "validation" / "cases.yaml").is_file()
    assert (prefix / "lib" / "python3" / "dist-packages" / "paraspine" / "__init__.py").is_file()


def test_the_installed_program_uses_its_own_library_from_any_folder(prefix, tmp_path):
    exe = str(prefix / "bin" / "paraspine")
    listed = subprocess.run([exe, "list"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "squat_lift" in listed.stdout and "full_spine" in listed.stdout
    r = subprocess.run([exe, "run", "squat_lift", "--model", "lumbar", "--no-fatigue", "--json"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    info = subprocess.run([exe, "model", "info", "lumbar", "--json"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert json.loads(info.stdout)["file"] == str(prefix / "share" / "paraspine" / "models" / "lumbar.yaml")
    # Without it (a library folder that is not there): said, naming the folder, exit 2.
    env = dict(os.environ, PARASPINE_DATA_DIR=str(tmp_path / "nowhere"))
    gone = subprocess.run([exe, "list"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert gone.returncode == 2 and str(tmp_path / "nowhere" / "models") in gone.stderr, gone.stderr
    missing = subprocess.run([exe, "run", "squat_lift"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert missing.returncode == 2 and "none found in " + str(tmp_path / "nowhere" / "scenarios") in missing.stderr, missing.stderr


def test_the_installed_package_finds_the_installed_library(prefix, tmp_path):
    code = ("import paraspine; m = paraspine.Model.load('lumbar'); print(m.file); print(paraspine.__file__)")
    env = dict(os.environ, PYTHONPATH=str(prefix / "lib" / "python3" / "dist-packages"))
    r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    model_file, package = r.stdout.split()
    assert model_file == str(prefix / "share" / "paraspine" / "models" / "lumbar.yaml")
    assert package.startswith(str(prefix))


def test_a_local_models_folder_that_shadows_a_bundled_model_is_said(tmp_path):
    (tmp_path / "models").mkdir()
    lumbar = Path(CLI).resolve().parent.parent / "models" / "lumbar.yaml"
    (tmp_path / "models" / "lumbar.yaml").write_text(lumbar.read_text())
    r = subprocess.run([CLI, "model", "info", "lumbar"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "models/lumbar.yaml in the working folder is used for 'lumbar' instead of the bundled" in r.stderr, r.stderr
