# xlb build. Everything lands under build/. `make help` lists the targets.
#
# Layout (wildcard-driven: a new file in the right folder needs no edit here):
#   bpf/*.bpf.c                 -> build/bpf/*.bpf.o, build/skel/*.skel.h
#   tests/bench/*.bpf.c         -> same (benchmark helper programs)
#   userspace/lib/*.c           -> build/lib/libxlb.a     (shared by every tool)
#   userspace/xlbd/*.c          -> build/xlbd             (main.c + build/lib/libxlbd.a)
#   userspace/xlbctl/*.c        -> build/xlbctl
#   userspace/xlb-decap/*.c     -> build/xlb-decap
#   tests/unit/test_*.c         -> build/tests/unit/test_*   (cmocka; libxlb + libxlbd)
#   tests/bpf/test_*.c          -> build/tests/bpf/test_*    (+ tests/bpf/lib/*.c)
#   tests/bench/*.c             -> build/bench/xlb-bench

BUILD   ?= build
CLANG_BPF ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL ?= bpftool
CC      ?= gcc
ARCH_INC := /usr/include/$(shell uname -m)-linux-gnu

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS    := libbpf libxdp libmnl libevent jansson libcyaml libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -MMD -MP -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	   -Iinclude -Iuserspace/lib -I$(BUILD)/skel $(PKG_CFLAGS) -D_GNU_SOURCE
LDLIBS  += $(PKG_LIBS) -lelf -lz -lm

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Wno-unused-function \
	      -Iinclude -Ibpf -I$(ARCH_INC) -D__TARGET_ARCH_x86

BPF_SRCS   := $(wildcard bpf/*.bpf.c tests/bench/*.bpf.c)
BPF_OBJS   := $(addprefix $(BUILD)/bpf/,$(notdir $(BPF_SRCS:.bpf.c=.bpf.o)))
SKELS      := $(addprefix $(BUILD)/skel/,$(notdir $(BPF_SRCS:.bpf.c=.skel.h)))
BPF_HDRS   := $(wildcard bpf/lib/*.h include/*.h)

LIB_SRCS   := $(wildcard userspace/lib/*.c)
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIBXLB     := $(BUILD)/lib/libxlb.a

XLBD_SRCS  := $(filter-out userspace/xlbd/main.c,$(wildcard userspace/xlbd/*.c))
XLBD_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(XLBD_SRCS))
LIBXLBD    := $(BUILD)/lib/libxlbd.a

USER_HDRS  := $(wildcard include/*.h userspace/*/*.h)

TOOLS      := $(if $(wildcard userspace/xlbd/main.c),$(BUILD)/xlbd) \
	      $(if $(wildcard userspace/xlbctl/*.c),$(BUILD)/xlbctl) \
	      $(if $(wildcard userspace/xlb-decap/*.c),$(BUILD)/xlb-decap)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_SRCS  := $(wildcard tests/bpf/test_*.c)
BPFT_LIB   := $(wildcard tests/bpf/lib/*.c)
BPFT_BINS  := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard tests/bench/*.c))
BENCH_BIN  := $(if $(BENCH_SRCS),$(BUILD)/bench/xlb-bench)

.PHONY: all bpf tools tests deps test test-unit test-bpf test-e2e demo bench clean help check-root
.DEFAULT_GOAL := all
# Keep intermediate objects, so a second `make` does nothing.
.SECONDARY:

all: bpf tools tests $(BENCH_BIN) ## build everything (BPF objects, skeletons, tools, tests)

bpf: $(BPF_OBJS) $(SKELS)
tools: $(TOOLS)
tests: $(UNIT_BINS) $(BPFT_BINS)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

# ---- BPF ----
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)/bpf
	@echo "  BPF     $@"
	$(Q)$(CLANG_BPF) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.bpf.o: tests/bench/%.bpf.c $(BPF_HDRS) | $(BUILD)/bpf
	@echo "  BPF     $@"
	$(Q)$(CLANG_BPF) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)/skel
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

# ---- userspace ----
$(BUILD)/obj/%.o: %.c $(USER_HDRS) $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBXLB): $(LIB_OBJS) | $(BUILD)/lib
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBXLBD): $(XLBD_OBJS) | $(BUILD)/lib
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xlbd: $(BUILD)/obj/userspace/xlbd/main.o $(LIBXLBD) $(LIBXLB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/xlbctl: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard userspace/xlbctl/*.c)) $(LIBXLB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/xlb-decap: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard userspace/xlb-decap/*.c)) $(LIBXLB)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests ----
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBXLBD) $(LIBXLB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# test_xlbctl #includes the CLI's sources (unit tests do not link xlbctl objects).
$(BUILD)/obj/tests/unit/test_xlbctl.o: $(wildcard userspace/xlbctl/*.c)

$(BUILD)/tests/bpf/%: $(BUILD)/obj/tests/bpf/%.o $(patsubst %.c,$(BUILD)/obj/%.o,$(BPFT_LIB)) $(LIBXLB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/xlb-bench: $(patsubst %.c,$(BUILD)/obj/%.o,$(BENCH_SRCS)) $(LIBXLB)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpf $(BUILD)/skel $(BUILD)/lib:
	$(Q)mkdir -p $@

# Header dependencies of every userspace object (from -MMD).
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- entry points ----
check-root:
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "xlb: this target needs root (XDP, network namespaces, apt-get): run it as root" >&2; \
		exit 1; fi

deps: check-root ## install every Debian package the build, tests and demo need
	@bash scripts/deps.sh

test: check-root deps ## install deps, build, run every test (unit, BPF, end-to-end)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash tests/run.sh all

test-unit: all ## run the unit tests only
	$(Q)bash tests/run.sh unit
test-bpf: all ## run the BPF_PROG_TEST_RUN tests only
	$(Q)bash tests/run.sh bpf
test-e2e: all ## run the end-to-end lab tests only
	$(Q)bash tests/run.sh e2e

demo: check-root deps ## build, bring up the lab, show xlb balancing real connections
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/demo.sh

bench: check-root deps ## run the benchmarks, write build/bench/results.json
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/bench.sh

clean: ## remove build/
	rm -rf $(BUILD)
