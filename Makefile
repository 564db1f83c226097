# mcplog - log analysis and alerting for MCP servers.
#
#   make            build ./mcplog
#   make layers     check every #include against the layer rule
#   make check      dependency check, the layer rule, unit + end-to-end tests,
#                   unit and end-to-end again under AddressSanitizer + UBSan,
#                   valgrind, and a replay of the fuzz corpora, with follow
#                   against real writers (make follow-test, ~6.5 min) running
#                   beside them: about 7 min on 2 cores (was 25)
#   make e2e-zlib   the gzip end-to-end tests against the zlib-only reader
#   make asan       only the sanitizer pass
#   make valgrind   unit tests and scan under valgrind
#   make fuzz       build and run every fuzz target (FUZZ_TIME seconds each)
#   make bench      benchmark against zcat | grep and rg -z (never fails on speed)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
DATADIR  = $(PREFIX)/share/mcplog
MANDIR   = $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

CC      ?= cc
PKGS     = libpcre2-8 zlib yaml-0.1 libnotify libcurl json-c
# gzip is inflated with ISA-L (Debian libisal-dev) when pkg-config finds
# it, with zlib otherwise; `make ISAL=0` builds the zlib-only reader.
ISAL    ?= $(shell pkg-config --exists libisal 2>/dev/null && echo 1 || echo 0)
ifeq ($(ISAL),1)
PKGS    += libisal
ISAL_SRC = reader_isal.c
ISAL_DEF =
else
ISAL_SRC =
ISAL_DEF = -DMCP_NO_ISAL
endif
WARN     = -Wall -Wextra -Werror
OPT     ?= -O2 -g
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -MMD -MP $(ISAL_DEF) \
              -DMCP_DATADIR='"$(DATADIR)"' -Ianalyzer -I. \
              $(shell pkg-config --cflags $(PKGS))
ALL_CFLAGS  = $(BASE_CFLAGS) $(CFLAGS)
LIBS        = $(shell pkg-config --libs $(PKGS)) -lpthread
TEST_LIBS   = $(shell pkg-config --libs cmocka)

SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all

# One folder per stage, lowest first (docs/architecture.md "Layers"; make
# layers checks the includes). Includes name the folder: "base/util.h",
# "sinks/sink.h"; the top of analyzer/ (scan, follow's clock, state) by
# name alone.
BASE_SRC   = $(addprefix analyzer/base/, mcp.c util.c path.c spawn.c optset.c alertview.c strmap.c keyset.c \
             timeparse.c timeexpr.c textout.c yamlutil.c template.c evloop.c statedir.c \
             timebins.c jsonrpc.c)
INPUT_SRC  = $(addprefix analyzer/input/, logset.c reader.c reader_zlib.c $(ISAL_SRC) \
             prefetch.c framer.c \
             format.c format_json.c format_text.c clients.c clients_reg.c \
             tail.c follow.c follow_watch.c follow_discover.c follow_tree.c \
             follow_resume.c)
MATCH_SRC  = $(addprefix analyzer/match/, prefilter.c litset.c litsel.c pattern.c rules.c \
             rules_read.c event.c \
             matcher.c timeguard.c)
ENGINE_SRC = $(addprefix analyzer/engine/, engine_timer.c engine.c engine_prune.c \
             engine_alert.c engine_state.c)
CONF_SRC   = $(addprefix analyzer/conf/, config.c procconf.c)
PROC_SRC   = $(addprefix analyzer/proc/, procs.c procread.c procmatch.c \
             procparent.c procview.c cleanup.c health.c probes.c action.c)
OUTPUT_SRC = $(addprefix analyzer/output/, report.c clientstats.c histogram.c termview.c termview_alert.c \
             termview_status.c router.c notify.c \
             incident.c cluster.c html.c html_tables.c html_chart.c \
             silence.c metrics.c metrics_render.c metrics_http.c)
TOP_SRC    = $(addprefix analyzer/, scanpool.c scantask.c scan.c health_run.c follow_clock.c state.c live.c live_feed.c live_replay.c \
             live_metrics.c)
MCPSRV_SRC = $(addprefix analyzer/mcpserver/, server.c tools.c srv_json.c \
             srv_scan.c tool_status.c tool_scan.c tool_explain.c tool_cleanup.c)
CLI_SRC    = $(addprefix analyzer/cli/, cli.c cmd_scan.c cmd_testrules.c \
             cmd_follow.c cmd_sinks.c cmd_silence.c cmd_routes.c cmd_ps.c \
             cmd_cleanup.c cmd_health.c cmd_rules.c pager.c cmd_mcp.c)
SINKS_SRC  = $(sort $(wildcard sinks/*.c))
LIB_SRC = $(BASE_SRC) $(INPUT_SRC) $(MATCH_SRC) $(ENGINE_SRC) $(CONF_SRC) \
          $(PROC_SRC) $(OUTPUT_SRC) $(TOP_SRC) $(MCPSRV_SRC) $(CLI_SRC) \
          $(SINKS_SRC)
MAIN_SRC = analyzer/main.c

UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))

B  = build
BA = build/asan

LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
LIB_AOBJ = $(LIB_SRC:%.c=$(BA)/%.o)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
UNIT_ABIN = $(UNIT_SRC:tests/unit/%.c=$(BA)/unit/%)

.PHONY: all check check-stages check-deps layers unit e2e e2e-zlib asan valgrind fuzz fuzz-smoke bench install FORCE follow-test \
        client-test \
        uninstall clean samples samples-expected

all: mcplog

mcplog: $(B)/libmcplog.a $(B)/analyzer/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $(B)/analyzer/main.o $(B)/libmcplog.a $(LIBS) $(LDFLAGS)

$(B)/libmcplog.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/unit/%: tests/unit/%.c $(B)/libmcplog.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libmcplog.a $(LIBS) $(TEST_LIBS)

# The shipped rules' folder is compiled in (path.c): rebuild when it moves.
$(B)/datadir.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/analyzer/base/path.o $(BA)/analyzer/base/path.o: $(B)/datadir.stamp
FORCE:

# --- the zlib-only reader ---------------------------------------------------
# With ISA-L built in, the reader is also built with -DMCP_NO_ISAL (as
# `make ISAL=0` would): its unit tests (test_reader, test_inflate) run in
# `make unit`, and the end-to-end tests that read gzip (t_gzip, t_inflate,
# t_scanpar) run against build/zlib/mcplog in `make e2e-zlib` (part of
# `make check`).
BZ = build/zlib
ifeq ($(ISAL),1)
ZLIB_OBJ  = $(filter-out $(B)/analyzer/input/reader%.o,$(LIB_OBJ)) \
            $(BZ)/analyzer/input/reader.o $(BZ)/analyzer/input/reader_zlib.o
ZUNIT_BIN = $(BZ)/unit/test_reader $(BZ)/unit/test_inflate
ZMCPLOG   = $(BZ)/mcplog
else
ZUNIT_BIN =
ZMCPLOG   = mcplog
endif

$(BZ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMCP_NO_ISAL -c -o $@ $<

$(BZ)/libmcplog.a: $(ZLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BZ)/mcplog: $(BZ)/libmcplog.a $(B)/analyzer/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $(B)/analyzer/main.o $(BZ)/libmcplog.a $(LIBS) $(LDFLAGS)

$(BZ)/unit/%: tests/unit/%.c $(BZ)/libmcplog.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMCP_NO_ISAL -o $@ $< $(BZ)/libmcplog.a $(LIBS) $(TEST_LIBS)

e2e-zlib: $(ZMCPLOG)
	@E2E_ONLY="t_gzip t_inflate t_scanpar" MCPLOG=$(CURDIR)/$(ZMCPLOG) sh tests/e2e/run.sh

# --- sanitizer build ---------------------------------------------------

$(BA)/mcplog: $(BA)/libmcplog.a $(BA)/analyzer/main.o
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(BA)/analyzer/main.o $(BA)/libmcplog.a $(LIBS)

$(BA)/libmcplog.a: $(LIB_AOBJ)
	@rm -f $@
	ar rcs $@ $^

$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -c -o $@ $<

$(BA)/unit/%: tests/unit/%.c $(BA)/libmcplog.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -o $@ $< $(BA)/libmcplog.a $(LIBS) $(TEST_LIBS)

# --- tests ---------------------------------------------------------------

check-deps:
	@sh tests/deps.sh --check

# Every #include against the layer rule (docs/architecture.md "Layers").
layers:
	@sh tests/layers.sh

unit: $(UNIT_BIN) $(ZUNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN) $(ZUNIT_BIN)

e2e: mcplog
	@MCPLOG=$(CURDIR)/mcplog sh tests/e2e/run.sh

asan: $(UNIT_ABIN) $(BA)/mcplog
	@echo "== unit tests under ASan + UBSan"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    sh tests/run-unit.sh $(UNIT_ABIN)
	@echo "== end-to-end tests under ASan + UBSan"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    MCPLOG_DATADIR=$(CURDIR) MCPLOG=$(CURDIR)/$(BA)/mcplog E2E_JOBS=$${E2E_JOBS:-2} sh tests/e2e/run.sh

# Every stage adds its counts to the tally; the last line sums them up.
# The follow test (paced writers: mostly waiting) runs beside the other
# stages, which run one after the other after one parallel build of the
# plain, sanitizer and fuzz objects; its lines are printed as one block
# once both are done. Every stage runs even after one failed; the ones
# that failed are named before the tally line.
TALLY = $(CURDIR)/$(B)/check-tally
CHECK_FAILED = $(CURDIR)/$(B)/check-failed
CHECK_JOBS ?= 2
check: check-deps layers
	@mkdir -p $(B) && rm -f $(TALLY) $(CHECK_FAILED)
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) all $(UNIT_BIN) $(ZUNIT_BIN) $(ZMCPLOG)
	@echo "== follow with real writers: started beside the other stages, its lines come last"
	@CHECK_TALLY=$(TALLY) env --default-signal=INT,QUIT $(MAKE) --no-print-directory follow-test \
	    >$(B)/check-follow.log 2>&1 & fp=$$!; \
	    CHECK_TALLY=$(TALLY) CHECK_FAILED=$(CHECK_FAILED) $(MAKE) --no-print-directory check-stages; \
	    wait $$fp || echo follow-test >>$(CHECK_FAILED); \
	    echo "== follow with real writers (logrotate, RotatingFileHandler, SIGKILL)"; \
	    cat $(B)/check-follow.log; \
	    [ ! -s $(CHECK_FAILED) ] || echo "check: failed stages:" $$(cat $(CHECK_FAILED)); \
	    awk '{p += $$1; f += $$2} END {printf "check: %d passed, %d failed\n", p, f; exit f > 0}' $(TALLY) \
	        && [ ! -s $(CHECK_FAILED) ]

# The stages of make check but the follow test, in order; a failed one is
# added to $CHECK_FAILED and the next one runs. The unit tests under
# valgrind are not counted again.
check-stages:
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) $(UNIT_ABIN) $(BA)/mcplog $(FUZZ_BIN) \
	    || echo build >>$(CHECK_FAILED)
	@echo "== unit tests (and the zlib-only reader's)"
	@sh tests/run-unit.sh $(UNIT_BIN) $(ZUNIT_BIN) || echo unit >>$(CHECK_FAILED)
	@echo "== end-to-end tests"
	@MCPLOG=$(CURDIR)/mcplog sh tests/e2e/run.sh || echo e2e >>$(CHECK_FAILED)
	@echo "== gzip end-to-end tests with the zlib-only reader"
	@$(MAKE) --no-print-directory e2e-zlib || echo e2e-zlib >>$(CHECK_FAILED)
	@echo "== the real Claude Code client, followed and scanned"
	@$(MAKE) --no-print-directory client-test || echo client-test >>$(CHECK_FAILED)
	@$(MAKE) --no-print-directory asan || echo asan >>$(CHECK_FAILED)
	@echo "== valgrind"
	@CHECK_TALLY= $(MAKE) --no-print-directory valgrind || echo valgrind >>$(CHECK_FAILED)
	@echo "== fuzz targets: build and replay the seed corpora"
	@$(MAKE) --no-print-directory fuzz-smoke || echo fuzz-smoke >>$(CHECK_FAILED)

valgrind: mcplog $(UNIT_BIN)
	@VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    sh tests/run-unit.sh $(UNIT_BIN)
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./mcplog scan --tz UTC samples/logs > /dev/null
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./mcplog test-rules samples/logs/mcp_server.log.2.gz > /dev/null
	@mkdir -p $(B) && rm -f $(B)/valgrind-sink.jsonl && \
	    printf 'sinks:\n  j: {type: file, path: %s}\n' "$(CURDIR)/$(B)/valgrind-sink.jsonl" >$(B)/valgrind-sinks.yaml
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./mcplog sinks test j --config $(B)/valgrind-sinks.yaml --status firing,update,resolved > /dev/null
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./mcplog scan --tz UTC --replay --config $(B)/valgrind-sinks.yaml samples/logs > /dev/null 2>&1
	HOME=$(CURDIR)/tests/client/claude-code/home XDG_CACHE_HOME= XDG_CONFIG_HOME= CLAUDE_CONFIG_DIR= \
	    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./mcplog scan --tz UTC --client claude-code --json > /dev/null
	@echo "valgrind: clean"

# Real writers (logrotate, Python's RotatingFileHandler, delete/recreate,
# SIGKILL restarts), each scenario with inotify and with --poll.
# QUICK=1 for a short development run.
follow-test: mcplog
	@MCPLOG=$(CURDIR)/mcplog bash tests/follow/scenarios.sh
	@python3 tests/follow/inode_reuse.py ./mcplog --rounds 4 && \
	    { [ -z "$(CHECK_TALLY)" ] || echo "1 0" >>"$(CHECK_TALLY)"; } || \
	    { [ -z "$(CHECK_TALLY)" ] || echo "0 1" >>"$(CHECK_TALLY)"; exit 1; }

# --- fuzzing (clang + libFuzzer) --------------------------------------------

FUZZ_CC   ?= clang
FUZZ_TIME ?= 30
FUZZ_BASE := -std=c11 -D_GNU_SOURCE -g -O1 $(ISAL_DEF) -Ianalyzer -I. \
             $(shell pkg-config --cflags $(PKGS))
FUZZ_FLAGS = $(FUZZ_BASE) -fsanitize=fuzzer,address,undefined
FUZZ_BIN   = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
# The library is compiled once for every target (coverage and sanitizers,
# no libFuzzer main), and each target links all of it.
FUZZ_OBJ   = $(LIB_SRC:%.c=$(B)/fuzz/obj/%.o)

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_BASE) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(FUZZ_BIN): $(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_OBJ) $(LIBS)

# Build every target and replay its seed corpus once (part of make check).
fuzz-smoke: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    name=$${f##*/fuzz_}; \
	    $$f -runs=0 tests/fuzz/corpus/$$name >$(B)/fuzz/smoke-$$name.log 2>&1 \
	        || { cat $(B)/fuzz/smoke-$$name.log; exit 1; }; \
	    echo "ok: $$f replays tests/fuzz/corpus/$$name"; \
	done

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    name=$${f##*/fuzz_}; corpus=tests/fuzz/corpus/$$name; \
	    work=$(B)/fuzz/work-$$name; mkdir -p $$work; \
	    dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
	    echo "== $$f for $(FUZZ_TIME)s"; \
	    $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $$dict $$work $$corpus || exit 1; \
	done

# --- benchmark ------------------------------------------------------------

bench: mcplog
	@bash tests/bench/run.sh ./mcplog
	@bash tests/bench/follow.sh ./mcplog

samples:
	python3 samples/generate.py --out samples/logs --manifest samples/manifest.json

# --- install ----------------------------------------------------------------

install: mcplog
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 mcplog $(DESTDIR)$(BINDIR)/mcplog
	install -m 644 rules/*.yaml $(DESTDIR)$(DATADIR)/rules/
	install -m 644 docs/mcplog.1 $(DESTDIR)$(MANDIR)/man1/mcplog.1
	install -m 644 docs/mcplog-rules.5 $(DESTDIR)$(MANDIR)/man5/mcplog-rules.5
	install -m 644 docs/mcplog.yaml.5 $(DESTDIR)$(MANDIR)/man5/mcplog.yaml.5
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 docs/completion/mcplog.bash $(DESTDIR)$(BASHCOMPDIR)/mcplog
	install -m 644 docs/completion/_mcplog $(DESTDIR)$(ZSHCOMPDIR)/_mcplog

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mcplog $(DESTDIR)$(MANDIR)/man1/mcplog.1 \
	    $(DESTDIR)$(MANDIR)/man5/mcplog-rules.5 \
	    $(DESTDIR)$(MANDIR)/man5/mcplog.yaml.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/mcplog $(DESTDIR)$(ZSHCOMPDIR)/_mcplog
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build mcplog

-include $(shell find build -name '*.d' 2>/dev/null)

# Refresh the sample's expected outputs (check the diff by hand first).
samples-expected: mcplog
	./mcplog scan --tz UTC --json samples/logs > samples/expected-scan.json
	./mcplog scan --tz UTC samples/logs > samples/expected-scan.txt
	./mcplog scan --tz UTC --html samples/expected-scan.html --html-stamp none samples/logs > /dev/null

# The readers of client logs against the real Claude Code client (needs
# tests/deps.sh's pinned install; about a minute).
client-test: mcplog
	MCPLOG=$(CURDIR)/mcplog sh tests/client/t_client.sh
