# ATKD — one-command entry points. `make test` works on a fresh machine:
# it installs what is missing first (make setup), then builds and tests in release.

SWIFT    ?= swift
CONFIG   ?= release
ATKD      = .build/$(CONFIG)/atkd
APT_PKGS  = libopenblas-dev libzstd-dev libgnuplot-iostream-dev gnuplot-nox libturbojpeg0-dev pkg-config zstd
PROFILE  ?= cpu
SEEDS    ?= 1
export OPENBLAS_NUM_THREADS ?= 2

.PHONY: setup build test verify clean

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

## test: every unit, fixture, gradient and smoke test (release build)
test: setup
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing

## verify: run the golden fixtures from the command line
verify: build
	$(ATKD) verify Fixtures/

clean:
	rm -rf .build
