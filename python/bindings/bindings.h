#pragma once
// The parts of the _core module, one file per concern (module.cpp registers them).
#include <pybind11/pybind11.h>

void bind_simulate(pybind11::module_& mod);  // simulate.cpp: scenarios, runs, results files, sweeps
void bind_picture(pybind11::module_& mod);   // picture.cpp: pictures of a results file (Results.picture)
