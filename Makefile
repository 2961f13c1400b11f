# ATKD — one-command entry points. `make test` works on a fresh machine:
# it installs what is missing first (make setup), then builds and tests in release.

SWIFT    ?= swift
CONFIG   ?= release
ATKD      = .build/$(CONFIG)/atkd
# libboost-{iostreams,filesystem,system}-dev: gnuplot-iostream's Boost, linked by the GnuplotStream target
APT_PKGS  = libopenblas-dev libzstd-dev libgnuplot-iostream-dev libboost-iostreams-dev libboost-filesystem-dev \
            libboost-system-dev gnuplot-nox libturbojpeg0-dev libprotobuf-c-dev libopenmpi-dev openmpi-bin pkg-config zstd
PROFILE  ?= cpu
SEEDS    ?= 1
RUNS     ?= runs
ATKD_FLAGS ?=
export OPENBLAS_NUM_THREADS ?= 2
# OpenBLAS's kernel family, chosen as `atkd` chooses it before OpenBLAS loads (Sources/atkd/
# OpenBLASCoreType.swift: SkylakeX with AVX-512 F/DQ/BW/VL, Haswell with AVX2 + FMA), so that the
# tests check the kernels the product runs: unset, this OpenBLAS detects Prescott (generic SSE3) on
# the Xeons here, and the fast engine's recorded campaign digests (ExistingArmsBitIdentityTests)
# were only compared when the caller happened to set it.
ifeq ($(origin OPENBLAS_CORETYPE),undefined)
OPENBLAS_CORETYPE := $(shell f=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null); has() { for x; do \
  echo " $$f " | grep -q " $$x " || return 1; done; }; \
  if has avx512f avx512dq avx512bw avx512vl; then echo SkylakeX; elif has avx2 fma; then echo Haswell; fi)
endif
ifneq ($(OPENBLAS_CORETYPE),)
export OPENBLAS_CORETYPE
endif

.PHONY: setup build test test-robust test-onnx test-slurm smoke verify clean reproduce-cifar reproduce-imagenet reproduce-at-table1 report bench regress regress-update

## setup: install the Debian packages the build needs (only those missing; idempotent)
setup:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "setup: all packages present"; fi

## build: release build of the library and the atkd tool
build: setup
	$(SWIFT) build -c $(CONFIG)

## test: the build (no compiler warnings, no rebuild from a terminal), the smoke run of the main job, the same
## run as an MPI sweep over 2 ranks (bit-identical units), then every unit, fixture, gradient and training test
test: setup
	CONFIG=$(CONFIG) Tests/build-hygiene.sh $(SWIFT)
	@$(MAKE) --no-print-directory smoke
	ATKD=$(ATKD) Tests/cluster/mpi-sweep.sh
	Tests/campaign/fresh-clone.sh
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing

## test-slurm: (opt-in: root, installs and starts a one-node Slurm) the smoke spec as a Slurm job array, units compared
## with the sequential run; then one data-parallel MPI job (`atkd slurm --ranks 2 --data-parallel --sync-bn`)
test-slurm: smoke
	ATKD=$(ATKD) Tests/cluster/slurm-sweep.sh

## smoke: `make reproduce-cifar PROFILE=smoke` end to end (teacher + 4 arms, tiny subset) in a scratch folder
smoke: build
	rm -rf .build/smoke-runs
	$(MAKE) --no-print-directory reproduce-cifar PROFILE=smoke RUNS=.build/smoke-runs ATKD_FLAGS="--fresh --quiet"
	@for arm in ce kd at atkd; do test -s .build/smoke-runs/cifar-smoke/$$arm-seed1/final.json \
	  || { echo "smoke: no final.json for $$arm"; exit 1; }; done; echo "smoke: all four arms finished"

## verify: run the golden fixtures from the command line
verify: build
	$(ATKD) verify Fixtures/

clean:
	rm -rf .build

## reproduce-cifar: the proposal's experiment on CIFAR-10 (PROFILE=cpu|smoke|paper, SEEDS=1,2,3, RETRAIN=1)
reproduce-cifar: build
	$(ATKD) run experiments/cifar-$(PROFILE).json --seeds $(SEEDS) --runs $(RUNS) $(ATKD_FLAGS) $(if $(RETRAIN),--retrain-teacher,)

## reproduce-imagenet: the same four arms on the 10-class ImageNet subset at 64x64 (PROFILE=cpu); PROFILE=paper is
## full ILSVRC-2012 at 224 px (ResNet-50 + AW-conv -> MobileNetV2, 100 epochs), for a cluster: under mpirun, add
## ATKD_FLAGS=--data-parallel (README "More than one machine")
reproduce-imagenet: build
	$(ATKD) run $(if $(filter paper,$(PROFILE)),experiments/imagenet-paper.json,experiments/imagenette-$(PROFILE).json) \
	  --seeds $(SEEDS) --runs $(RUNS) $(ATKD_FLAGS) $(if $(RETRAIN),--retrain-teacher,)

## reproduce-at-table1: AT paper Table 1 WRN pairs at a short schedule
reproduce-at-table1: build
	$(ATKD) run experiments/at-table1-wrn16-2.json --seeds $(SEEDS)
	$(ATKD) run experiments/at-table1-wrn40-1.json --seeds $(SEEDS)
	$(ATKD) run experiments/at-table1-wrn40-2.json --seeds $(SEEDS)

## report: figures, reports/REPORT.md, README.md's results table and paper/claims.md's verdicts of the
## measured claims from the committed summaries under
## reports/runs/ (a fresh clone rebuilds them as committed); EXPERIMENTS="runs/cifar-cpu ..." adds local
## run folders (their small files are copied into reports/runs/; the copy with more finished runs wins)
report: build
	$(ATKD) report $(EXPERIMENTS) --out reports --claims paper/claims.md --write-claims --readme README.md

## regress: CI regression on accuracy deltas against experiments/regress-baseline.json
regress: build
	$(ATKD) regress

## regress-update: deliberately record a new baseline (machine, date and commit are written into it)
regress-update: build
	$(ATKD) regress --update

## bench: img/s of the models and of the campaign's AT+KD steps (wrn-16-2 → wrn-16-1, resnet50-w4 and
## resnet50-w4-awconv → mobilenetv2-half), ours beside the PyTorch CPU peer (bench/pytorch_peer.py),
## ratios printed; then batch-1 latency of BENCH1_MODELS, then (on CPUs with avx512_bf16; on AMX tiles where
## the CPU has them) bf16 precision on BENCH_BF16_MODELS and the WRN pair against the peer's bf16 autocast. Installs the peer into .venv-peer when no
## venv with torch exists (CPU wheel); without torch it prints our numbers only.
## BENCH_MODELS="resnet20 wrn-16-2" (default all), BENCH_SECONDS=8, BENCH_ROUNDS=3 (ours and the peer
## alternated; the median-ratio round is shown with the range), BENCH_ARGS="--json", "--layers", …
BENCH_MODELS  ?= all
BENCH1_MODELS ?= resnet20 wrn-16-1 wrn-16-2 resnet50-w4 resnet50-w4-awconv mobilenetv2-half
BENCH_BF16_MODELS ?= resnet20 wrn-16-1 wrn-16-2 resnet50-w4 mobilenetv2-half
BENCH_SECONDS ?= 8
BENCH_ROUNDS  ?= 3
PEER_VENV     ?= .venv-peer
bench: build
	@if ! $(PEER_VENV)/bin/python -c 'import torch' 2>/dev/null && ! .venv-torch/bin/python -c 'import torch' 2>/dev/null; then \
	  echo "bench: installing the PyTorch peer into $(PEER_VENV)"; \
	  { [ -x $(PEER_VENV)/bin/python ] || python3 -m venv $(PEER_VENV); } && \
	  $(PEER_VENV)/bin/pip install -q torch==2.13.0 || echo "bench: no PyTorch peer (install failed); our numbers only"; \
	fi
	$(ATKD) bench $(BENCH_MODELS) --pairs --seconds $(BENCH_SECONDS) --rounds $(BENCH_ROUNDS) $(BENCH_ARGS)
	@echo "bench: batch-1 latency (the proposal's device case)"
	$(ATKD) bench $(BENCH1_MODELS) --batch 1 --seconds 2 --rounds $(BENCH_ROUNDS) $(BENCH_ARGS)
	@if grep -qw avx512_bf16 /proc/cpuinfo 2>/dev/null; then \
	  echo "bench: bf16 precision, ours against the peer under torch.autocast bf16"; \
	  $(ATKD) bench $(BENCH_BF16_MODELS) --pair wrn-16-2:wrn-16-1 --precision bf16 --seconds $(BENCH_SECONDS) \
	    --rounds $(BENCH_ROUNDS) $(BENCH_ARGS); \
	else echo "bench: no avx512_bf16 on this CPU: bf16 precision not measured"; fi

## test-robust: the fast-vs-reference and fixture tests again with every convolution / linear output
## perturbed by PERTURB (default 1e-6) relative, three seeds (TestEngines honours ATKD_TEST_PERTURB):
## a test that flips here depends on which OpenBLAS kernel the CPU picks. Prints each flipped test.
PERTURB ?= 1e-6
ROBUST_TESTS ?= EngineAgreementTests|ModelFixtureTests|VerifierTests|FastEngine[A-Za-z]*Tests|NNTests
test-robust: setup
	$(SWIFT) build -c $(CONFIG) --build-tests
	@status=0; for seed in 1 2 3; do \
	  log=.build/test-robust-seed$$seed.log; \
	  ATKD_TEST_PERTURB=$(PERTURB) ATKD_TEST_PERTURB_SEED=$$seed $(SWIFT) test -c $(CONFIG) --skip-build \
	    --disable-swift-testing --filter '$(ROBUST_TESTS)' > $$log 2>&1; rc=$$?; \
	  summary=$$(grep -E "Executed [0-9]+ tests" $$log | tail -1 | sed 's/^[[:space:]]*//'); \
	  echo "test-robust: perturbation $(PERTURB) seed $$seed: $$summary"; \
	  grep -E "^Test Case .* failed" $$log | sed 's/^/  flipped: /'; \
	  [ $$rc -eq 0 ] || status=1; \
	done; exit $$status

## test-onnx: ONNX exports checked by onnxruntime (installed from PyPI into .venv-onnx) on test images:
## the shipped WRN-16-2 teacher (trained) and one briefly trained model per other family (option-A
## ResNet, MobileNetV2, bottleneck ResNet-50, ImageNet-stem ResNet-18 with max pooling). Same top-1
## and logits within rtol 1e-3 / atol 1e-4 of ours, plus onnxruntime's batch-1 latency.
ONNX_VENV ?= .venv-onnx
ONNX_DIR  ?= .build/onnx
ONNX_MODELS ?= resnet20 mobilenetv2-half mobilenetv2-half-imagenet resnet50-w4 resnet18-w4-imagenet
test-onnx: build
	@{ [ -x $(ONNX_VENV)/bin/python ] || python3 -m venv $(ONNX_VENV); } && \
	  $(ONNX_VENV)/bin/python -c 'import onnxruntime, numpy, safetensors' 2>/dev/null || \
	  $(ONNX_VENV)/bin/pip install -q onnxruntime numpy safetensors
	rm -rf $(ONNX_DIR) && mkdir -p $(ONNX_DIR)
	$(ATKD) export teachers/cifar10-wrn-16-2.atkd --onnx $(ONNX_DIR)/wrn-16-2.onnx --reference 1000
	@for m in $(ONNX_MODELS); do \
	  $(ATKD) train --spec experiments/cifar-smoke.json --model $$m --epochs 1 --runs $(ONNX_DIR)/runs \
	    --name onnx-$$m --out $(ONNX_DIR)/$$m.atkd --fresh --quiet > /dev/null && \
	  $(ATKD) export $(ONNX_DIR)/$$m.atkd --onnx $(ONNX_DIR)/$$m.onnx --reference 1000 || exit 1; \
	done
	$(ONNX_VENV)/bin/python Tests/ONNX/check_onnx.py $(ONNX_DIR)/*.onnx
