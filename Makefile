# cgkit: build, tests, benchmarks. See README.md.
#   make            build build/cgrun, build/cgtop and build/cgkitd
#   make check      install deps, build, run every test suite (host, lint, the
#                   host suites under ASan/UBSan, the fuzzer, then the v2,
#                   hybrid and mixed guests)
#   make asan       the same suites under ASan/UBSan (also: make check SANITIZE=1)
#   make demo       show the main job working
#   make demo-cgkitd  cgkitd capping a cpu hog of a throw-away user
#   make bench      benchmarks against the peer tools, side by side
#   make fuzz       build the libFuzzer targets (profile and rules parsers,
#                   cgrun --from oci's JSON, --from cgconfig/cgrules, the
#                   history reader); make
#                   fuzz-run runs each for FUZZ_SECONDS
#   make install    PREFIX (/usr/local) and DESTDIR; make uninstall takes it back
#   make deb        build/cgkit_VERSION_amd64.deb (dpkg-buildpackage, contrib/debian;
#                   DEBDIR=dir for another place than build/)

# The version, in one place: every command's --version and the .deb read it.
VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local

SANITIZE ?=
# cgrun is linked static-pie: with no dynamic loader and no shared libyaml to
# map and relocate, it starts about 0.3 ms sooner, a tenth of a launch (see
# docs/design.md). Sanitizer builds link dynamically (ASan needs it).
ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CGRUN_LDFLAGS =
else
BUILD ?= build
SANFLAGS =
CGRUN_LDFLAGS = -static-pie
endif

CC ?= cc
PKGS = yaml-0.1
TUIPKGS = ncursesw
WARN = -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
LDFLAGS ?=
# pkg-config is asked once, when a build needs it (so that `make deps` runs on
# a machine without the -dev packages); a package it cannot find stops the
# build with pkg-config's own message and the way to install it.
pkgconf = $(shell pkg-config $(1) $(2) 2>&1 || echo PKGCONFIG-FAILED)
pkgcheck = $(if $(findstring PKGCONFIG-FAILED,$(1)),$(error pkg-config $(2): $(subst PKGCONFIG-FAILED,,$(1)); run 'make deps' (as root) to install the build packages),$(1))
YAML_CFLAGS = $(call pkgcheck,$(call pkgconf,--cflags,$(PKGS)),$(PKGS))
LDLIBS_CORE = $(call pkgcheck,$(call pkgconf,--libs,$(PKGS)),$(PKGS))
LDLIBS_TUI = $(call pkgcheck,$(call pkgconf,--libs,$(TUIPKGS)),$(TUIPKGS)) -lm
TUI_CFLAGS = $(call pkgcheck,$(call pkgconf,--cflags,$(TUIPKGS)),$(TUIPKGS))
CMOCKA_LIBS = $(call pkgcheck,$(call pkgconf,--libs,cmocka),cmocka)
# cgkitd's /metrics (src/daemon/metrics.c) is served with libmicrohttpd.
MHDPKGS = libmicrohttpd
MHD_CFLAGS = $(call pkgcheck,$(call pkgconf,--cflags,$(MHDPKGS)),$(MHDPKGS))
LDLIBS_MHD = $(call pkgcheck,$(call pkgconf,--libs,$(MHDPKGS)),$(MHDPKGS)) -pthread
# The library's parts, each a folder of src/ (docs/design.md, "Layout of the
# code"); sources include each other's headers by name.
SRC_DIRS = src/base src/profile src/cgroup src/engine src/launch src/stats src/history src/daemon src/convert
INCS = $(addprefix -I,$(SRC_DIRS))
BASE_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE $(CFLAGS) $(SANFLAGS) $(YAML_CFLAGS) $(INCS)
# -MMD -MP: each object depends on exactly the headers it includes.
ALL_CFLAGS = $(BASE_CFLAGS) -MMD -MP

LIB_SRC = $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
LIB_OBJ = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
TUI_SRC = $(wildcard tui/*.c)
TUI_OBJ = $(patsubst tui/%.c,$(BUILD)/obj/tui/%.o,$(TUI_SRC))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HDRS = $(wildcard $(addsuffix /*.h,$(SRC_DIRS))) $(wildcard tui/*.h)

# each of the five fuzzers: 60 s in all
FUZZ_SECONDS ?= 12

.PHONY: all deps check check-host unit integration tui-tests check-v2 check-hybrid check-mixed \
	asan valgrind demo demo-cgkitd bench fuzz fuzz-run clean lint format \
	install uninstall deb FORCE

all: $(BUILD)/cgrun $(BUILD)/cgtop $(BUILD)/cgkitd

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/daemon/metrics.o: ALL_CFLAGS += $(MHD_CFLAGS)

$(BUILD)/obj/tui/%.o: tui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TUI_CFLAGS) -Itui -c -o $@ $<

$(BUILD)/libcgkit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cgrun: $(BUILD)/obj/cgrun.o $(BUILD)/libcgkit.a
	$(CC) $(ALL_CFLAGS) $(CGRUN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE)

# cgkitd asks NSS for user names (getpwuid): linked dynamically.
$(BUILD)/cgkitd: $(BUILD)/obj/cgkitd.o $(BUILD)/libcgkit.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE) $(LDLIBS_MHD) -lm

$(BUILD)/cgtop: $(TUI_OBJ) $(BUILD)/libcgkit.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE) $(LDLIBS_TUI)

# A unit test may ask for system calls to be wrapped with a line
#   /* WRAP: sys_write_file sys_mkdir */
# and one that includes fakecg.h is linked with the fake cgroup file system.
$(BUILD)/tests/fakecg.o: tests/unit/fakecg.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcgkit.a $(BUILD)/tests/fakecg.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< \
		$(if $(shell grep -l '"fakecg.h"' $<),$(BUILD)/tests/fakecg.o) $(BUILD)/libcgkit.a \
		$(foreach s,$(shell sed -n 's|^/\* WRAP: \(.*\) \*/$$|\1|p' $<),-Wl,--wrap=$(s)) \
		$(CMOCKA_LIBS) $(LDLIBS_CORE)

deps:
	@sh contrib/install-deps.sh

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integration: all
	@BUILD=$(abspath $(BUILD)) sh tests/run-suite.sh tests/integration

# The history 37-cgtop-replay.sh replays (written with src/history's writer).
$(BUILD)/tests/cgtop-replay-gen: tests/tui/37-cgtop-replay-gen.c $(BUILD)/libcgkit.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcgkit.a $(LDLIBS_CORE)

tui-tests: all $(BUILD)/tests/cgtop-replay-gen
	@BUILD=$(abspath $(BUILD)) sh tests/run-suite.sh tests/tui

check-host: all unit integration tui-tests

check: deps
	@$(MAKE) --no-print-directory check-host
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory fuzz-run
	@$(MAKE) --no-print-directory check-v2
	@$(MAKE) --no-print-directory check-hybrid
	@$(MAKE) --no-print-directory check-mixed

asan:
	@$(MAKE) --no-print-directory check-host SANITIZE=1

# The unit tests under valgrind's memcheck: leaks and bad reads fail them.
valgrind: $(UNIT_BIN)
	@VALGRIND="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite" \
		sh tests/run-unit.sh $(UNIT_BIN)

check-v2: all
	@BUILD=$(abspath $(BUILD)) sh tests/vm/check.sh v2

check-hybrid: all
	@BUILD=$(abspath $(BUILD)) sh tests/vm/check.sh hybrid

check-mixed: all
	@BUILD=$(abspath $(BUILD)) sh tests/vm/check.sh mixed

# The demo installs the build packages it lacks (not the test ones) first.
demo:
	@sh contrib/install-deps.sh build
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) sh contrib/demo.sh

demo-cgkitd: all
	@BUILD=$(abspath $(BUILD)) bash contrib/demo-cgkitd.sh

bench: all $(BUILD)/bench_apply $(BUILD)/tests/hist-reader
	@BUILD=$(abspath $(BUILD)) sh tests/bench/run.sh

FUZZ_BIN = build-fuzz/fuzz_profile
FUZZ_SRC = $(wildcard src/profile/*.c) src/base/units.c src/base/diag.c src/base/err.c
$(FUZZ_BIN): tests/fuzz/fuzz_profile.c $(FUZZ_SRC) $(HDRS)
	@mkdir -p build-fuzz
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -O1 -g $(INCS) \
		$(shell pkg-config --cflags $(PKGS)) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_profile.c $(FUZZ_SRC) $(LDLIBS_CORE)

FUZZ_RULES_BIN = build-fuzz/fuzz_rules
FUZZ_RULES_SRC = $(FUZZ_SRC) $(wildcard src/daemon/rules.c src/daemon/match.c)
$(FUZZ_RULES_BIN): tests/fuzz/fuzz_rules.c $(FUZZ_RULES_SRC) $(HDRS)
	@mkdir -p build-fuzz
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -O1 -g $(INCS) \
		$(shell pkg-config --cflags $(PKGS)) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_rules.c $(FUZZ_RULES_SRC) $(LDLIBS_CORE)

FUZZ_JSON_BIN = build-fuzz/fuzz_json
# (convert.c's table names every converter: the cgconfig ones link too)
FUZZ_JSON_SRC = $(FUZZ_SRC) src/convert/jread.c src/convert/convert.c \
	src/convert/convert_oci.c src/convert/convert_systemd.c src/cgroup/layout.c src/cgroup/mapping.c \
	src/base/sys.c src/convert/cgconfig.c src/convert/cgconfig_parse.c src/convert/cgrules.c \
	src/daemon/rules.c src/daemon/match.c
$(FUZZ_JSON_BIN): tests/fuzz/fuzz_json.c $(FUZZ_JSON_SRC) $(HDRS)
	@mkdir -p build-fuzz
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -O1 -g $(INCS) \
		$(shell pkg-config --cflags $(PKGS)) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_json.c $(FUZZ_JSON_SRC) $(LDLIBS_CORE)

# libcgroup's cgconfig.conf and cgrules.conf converters, with what their
# output is checked by (the profile and rules parsers) and the sink.
FUZZ_CGC_BIN = build-fuzz/fuzz_cgconfig
FUZZ_CGC_SRC = $(FUZZ_RULES_SRC) src/cgroup/mapping.c src/cgroup/layout.c src/base/sys.c \
	$(wildcard src/convert/*.c)
$(FUZZ_CGC_BIN): tests/fuzz/fuzz_cgconfig.c $(FUZZ_CGC_SRC) $(HDRS)
	@mkdir -p build-fuzz
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -O1 -g $(INCS) \
		$(shell pkg-config --cflags $(PKGS)) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_cgconfig.c $(FUZZ_CGC_SRC) $(LDLIBS_CORE)

# The history reader (src/history) over any bytes as segments.
FUZZ_HIST_BIN = build-fuzz/fuzz_history
FUZZ_HIST_SRC = $(wildcard src/history/*.c) src/base/err.c
$(FUZZ_HIST_BIN): tests/fuzz/fuzz_history.c $(FUZZ_HIST_SRC) $(HDRS)
	@mkdir -p build-fuzz
	clang -std=gnu11 $(WARN) -D_GNU_SOURCE -O1 -g $(INCS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_history.c $(FUZZ_HIST_SRC)

fuzz: $(FUZZ_BIN) $(FUZZ_RULES_BIN) $(FUZZ_JSON_BIN) $(FUZZ_CGC_BIN) $(FUZZ_HIST_BIN)

fuzz-run: $(FUZZ_BIN) $(FUZZ_RULES_BIN) $(FUZZ_JSON_BIN) $(FUZZ_CGC_BIN) $(FUZZ_HIST_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SECONDS)
	@sh tests/fuzz/run.sh $(FUZZ_RULES_BIN) $(FUZZ_SECONDS)
	@sh tests/fuzz/run.sh $(FUZZ_JSON_BIN) $(FUZZ_SECONDS)
	@sh tests/fuzz/run.sh $(FUZZ_CGC_BIN) $(FUZZ_SECONDS)
	@sh tests/fuzz/run.sh $(FUZZ_HIST_BIN) $(FUZZ_SECONDS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -D_GNU_SOURCE $(VERSION_DEFS) $(INCS) src tui
	clang-tidy --quiet $(LIB_SRC) src/cgrun.c src/cgkitd.c -- $(BASE_CFLAGS) $(VERSION_DEFS)
	clang-tidy --quiet $(TUI_SRC) -- $(BASE_CFLAGS) $(TUI_CFLAGS) -Itui

format:
	clang-format -i src/*.c src/*/*.c src/*/*.h tui/*.c tui/*.h tests/unit/*.c

clean:
	rm -rf build build-asan build-fuzz build-*

$(BUILD)/bench_apply: tests/bench/bench_apply.c $(BUILD)/libcgkit.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcgkit.a $(LDLIBS_CORE)

# The version and PREFIX go into one object (src/base/version.c); a change of
# either rewrites this file, and so rebuilds that object and relinks.
VERSION_DEFS = -DCGKIT_VERSION='"$(VERSION)"' -DCGKIT_PREFIX='"$(PREFIX)"'
$(BUILD)/version.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION_DEFS)' | cmp -s - $@ || echo '$(VERSION_DEFS)' >$@
$(BUILD)/obj/base/version.o: $(BUILD)/version.flags
$(BUILD)/obj/base/version.o: ALL_CFLAGS += $(VERSION_DEFS)
FORCE:

# Where `make install` puts things (contrib/install.sh says what and why).
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL_VARS = BUILD=$(abspath $(BUILD)) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) \
	SYSTEMDUNITDIR=$(SYSTEMDUNITDIR) VERSION=$(VERSION)

install: all
	@$(INSTALL_VARS) sh contrib/install.sh install

uninstall:
	@$(INSTALL_VARS) sh contrib/install.sh uninstall

# The .deb is built in a copy of the tree (DEBDIR/deb/cgkit-VERSION, with
# contrib/debian as its debian/): the source tree stays clean.
DEBDIR ?= build
DEB_TREE = $(DEBDIR)/deb/cgkit-$(VERSION)
deb:
	@rm -rf $(DEBDIR)/deb && mkdir -p $(DEB_TREE)
	@tar -c --exclude='./build*' --exclude=./.git . | tar -x -C $(DEB_TREE)
	@cp -r contrib/debian $(DEB_TREE)/debian
	@sed -e 's/@VERSION@/$(VERSION)/' \
		-e "s/@DATE@/$$(date -R -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)})/" \
		contrib/debian/changelog.in >$(DEB_TREE)/debian/changelog
	@rm $(DEB_TREE)/debian/changelog.in
	@# (nothing of this make's or the caller's settings: BUILD=, CFLAGS=, ...)
	@cd $(DEB_TREE) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE -u CFLAGS \
		-u LDFLAGS -u PREFIX -u DESTDIR -u SYSTEMDUNITDIR \
		dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
		{ tail -30 ../build.log; echo "deb: failed; the log: $(DEBDIR)/deb/build.log"; exit 1; }
	@mv $(DEBDIR)/deb/cgkit_$(VERSION)_amd64.deb $(DEBDIR)/
	@echo "deb: $(DEBDIR)/cgkit_$(VERSION)_amd64.deb"

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/*.d)

# 13-cgops.sh drives the cgroup-operations layer through this small command.
integration check-v2 check-hybrid check-mixed: $(BUILD)/tests/cgops-driver
$(BUILD)/tests/cgops-driver: tests/integration/cgops-driver.c $(BUILD)/libcgkit.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcgkit.a $(LDLIBS_CORE)

# 42-cgkitd-history*.sh read cgkitd's history through this one.
integration check-v2 check-hybrid check-mixed: $(BUILD)/tests/hist-reader
$(BUILD)/tests/hist-reader: tests/integration/hist-reader.c $(BUILD)/libcgkit.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcgkit.a $(LDLIBS_CORE)

# 30-daemon-procev.sh drives the daemon's process events through this one.
integration check-v2 check-hybrid check-mixed: $(BUILD)/tests/procev-driver
$(BUILD)/tests/procev-driver: tests/integration/procev-driver.c $(BUILD)/libcgkit.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcgkit.a $(LDLIBS_CORE)
