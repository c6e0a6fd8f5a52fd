# The README's commands. Each runs the set-up first, so a fresh Debian machine needs nothing else.
.PHONY: setup build demo test test-asan bench fuzz clean python-install python-uninstall

PRESET ?= release
JOBS ?= $(shell nproc)

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	./build/paraspine model info full_spine
	./build/paraspine run rounded_back_lift -o build/rounded_back_lift.h5
	./build/paraspine render build/rounded_back_lift.h5 -o build/rounded_back_lift.png

test: build
	ctest --preset $(PRESET) -j $(JOBS)

test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# `import paraspine` in /usr/bin/python3 and its Jupyter kernel from any folder (docs/python.md).
python-install: build
	@bash scripts/python-install.sh

python-uninstall:
	@bash scripts/python-install.sh --uninstall

bench: build
	./build/benchmarks/paraspine_bench

# libFuzzer on the scenario and model loaders, FUZZ_SECONDS per target (docs/fuzzing.md).
FUZZ_SECONDS ?= 300
fuzz:
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-debug build-asan build-fuzz
