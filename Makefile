# SPDX-License-Identifier: GPL-2.0
#
# keel top-level Makefile.
#
#   make            build keel's modules for every installed supported
#                   kernel (6.1, 6.12); KVER= or KDIR= picks one
#   make install    install into /lib/modules/<ver>/updates and run depmod
#   make C=1        the same build with sparse
#   make deps       install the Debian packages build, demo and tests need
#   make check      build (stock + debug kernel) and run all tests
#   make demo       boot the SAN (initiator + two storage nodes, three VMs)
#                   and run the whole storage stack across it
#   make demo-single  the whole stack in one VM (quicker)
#   make bench      keel vs in-tree vs bare device, deterministic (icount)

# The kernels keel supports: Debian's 6.1 and 6.12 (the newest
# linux-headers-<series>.*-amd64 installed of each).
SERIES := 6.1 6.12
hdrs_of = $(lastword $(sort $(wildcard /usr/src/linux-headers-$(1).*-amd64)))
STOCK_HDRS := $(call hdrs_of,6.1)
STOCK_KVER := $(patsubst linux-headers-%,%,$(notdir $(STOCK_HDRS)))

# KDIR= or KVER= picks one kernel (DKMS does); without either, `make`
# builds in place for the running kernel (else 6.1) and then, under
# build/<series>/, for every other supported kernel whose headers are
# installed.
ifneq ($(KVER)$(KDIR),)
  ONE_KERNEL := 1
endif
ifeq ($(origin KDIR),undefined)
  ifneq ($(KVER),)
    KDIR := $(firstword $(patsubst %/Makefile,%,$(wildcard \
	/lib/modules/$(KVER)/build/Makefile /usr/src/linux-headers-$(KVER)/Makefile)))
  else ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
    KDIR := /lib/modules/$(shell uname -r)/build
  else
    KDIR := $(STOCK_HDRS)
  endif
endif
# Debian's headers carry the upstream version (6.1.192) in kernel.release;
# the release modules install under is UTS_RELEASE (6.1.0-56-amd64).
ifeq ($(KVER),)
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif
kver_series = $(shell echo '$(1)' | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')

BUILD := $(CURDIR)/build

# md's private headers (md.h, md-bitmap.h, md-cluster.h) are not in any
# headers package. A full kernel tree has them; for Debian's headers they
# are pulled out of the matching linux-source-6.1, and only if it matches.
ifneq ($(wildcard $(KDIR)/drivers/md/md.h),)
  MDHDR := $(KDIR)/drivers/md
else
  MDHDR := $(BUILD)/md-headers/$(KVER)
endif

export KEEL_MDHDR := $(MDHDR)

# KEEL_NO_DEBUG_INFO=1 (DKMS, which strips the debug info from what it
# installs): compile with -g0, about 10% less CPU. Not where kbuild makes
# BTF for the modules: pahole builds it from their DWARF and fails on a
# module without any ("failed to find '.BTF' ELF section"). kbuild does
# that when the build tree has vmlinux: 6.12's Debian headers ship it,
# 6.1's do not (kbuild skips module BTF there).
ifeq ($(KEEL_NO_DEBUG_INFO),1)
  ifeq ($(wildcard $(KDIR)/vmlinux),)
    KCFLAGS += -g0
    export KCFLAGS
  endif
endif

.PHONY: all modules clean install deps check demo demo-single bench debug-kernel \
	md-headers help

all: modules

modules: md-headers
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || { \
		echo "keel: no kernel build tree (KDIR='$(KDIR)'); run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@mkdir -p $(BUILD) && echo "$(KVER)" > $(BUILD)/inplace-kver
ifeq ($(ONE_KERNEL),)
	@set -e; for s in $(filter-out $(call kver_series,$(KVER)),$(SERIES)); do \
		ls -d /usr/src/linux-headers-$$s.*-amd64 >/dev/null 2>&1 || continue; \
		echo "keel: building for $$s in build/$$s"; \
		tools/build-series.sh $$s -s; \
	done
endif

md-headers:
ifneq ($(wildcard raid1/Kbuild),)
	@tools/md-headers.sh "$(KDIR)" "$(MDHDR)"
endif

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf $(BUILD)

deps:
	@tools/deps.sh

# T= selects a subset: an area (raid1) or one test (tests/raid1/003-x).
check: deps
	@tools/check.sh $(T)

demo: deps
	@tools/demo.sh

demo-single: deps
	@tools/demo.sh --single

bench: deps
	@tools/bench.sh $(T)

debug-kernel: deps
	@tools/debug-kernel.sh

help:
	@sed -n '3,12p' Makefile

# keel-dkms_<version>_all.deb in build/deb/ (sources + dkms.conf; DKMS
# builds the modules on the machine it is installed on).
.PHONY: deb
deb: deps
	@rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	@tar -c --exclude=./build --exclude=./results --exclude=./.git \
		--exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' . | tar -x -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -30 ../build.log; exit 1; }
	@ls $(BUILD)/deb/*.deb
