# SPDX-License-Identifier: GPL-2.0
#
# The kernel series keel is being built for, as a compiler flag the
# modules' <module>_compat.h headers switch on: keel supports exactly
# Debian's 6.1 and 6.12, so one switch, KEEL_API_6_12, says which API to
# use (no LINUX_VERSION_CODE tests in the sources). Included by the
# top-level Kbuild and by tests/srpt/ibcm/Kbuild.
keel-series := $(VERSION).$(PATCHLEVEL)
ifeq ($(keel-series),6.12)
keel-series-flags := -DKEEL_API_6_12
else ifneq ($(keel-series),6.1)
$(error keel builds for Linux 6.1 and 6.12, not $(keel-series))
endif
