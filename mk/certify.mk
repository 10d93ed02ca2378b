# certify: the certification harness (build/bin/certify), its store (db/) and reports.
#   build/bin/certify          the CLI (tools/certify/*.c) on libcertify, db/ and reports/
#   make certify-check         end-to-end tests (tests/certify/*.sh); counts in
#                              build/check/certify.counts
# The libcertify parts (certify/plan.c, matrix.c, modinfo.c, run.c) are in libcertify.a
# through mk/host.mk's wildcard; db/ and reports/ are linked here and into the unit tests.
# db/embed.sh turns db/schema.sql and db/migrations/*.sql into one generated C file.

CERTIFY_CLI_SRCS   := $(wildcard tools/certify/*.c)
CERTIFY_STORE_SRCS := $(wildcard db/*.c) $(wildcard reports/*.c)
CERTIFY_MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
CERTIFY_PG_MIGRATIONS := $(sort $(wildcard db/migrations/pg/*.sql))
CERTIFY_GEN_C      := $(BUILD)/gen/db/migrations_gen.c
CERTIFY_PG_GEN_C   := $(BUILD)/gen/db/migrations_pg_gen.c
CERTIFY_BIN        := $(BUILD)/bin/certify
CERTIFY_HVLIB_OBJS := $(BUILD)/host/hvkernel/lib/elfmod.o $(BUILD)/host/hvkernel/lib/pcimatch.o \
                      $(BUILD)/host/hvkernel/lib/sha256.o
CERTIFY_CLI_OBJS   := $(CERTIFY_CLI_SRCS:%.c=$(BUILD)/host/%.o) \
                      $(BUILD)/host/hcl/hcl_key.o $(BUILD)/host/hcl/hcl_util.o \
                      $(CERTIFY_STORE_SRCS:%.c=$(BUILD)/host/%.o) \
                      $(BUILD)/host/gen/db/migrations_gen.o $(BUILD)/host/gen/db/migrations_pg_gen.o
CERTIFY_INC        := -Icertify -Idb -Ireports

.PHONY: certify certify-check
host: $(CERTIFY_BIN)
certify: $(CERTIFY_BIN)

$(CERTIFY_GEN_C): db/embed.sh db/schema.sql $(CERTIFY_MIGRATIONS)
	@mkdir -p $(@D)
	sh db/embed.sh db/schema.sql $(CERTIFY_MIGRATIONS) > $@.tmp && mv $@.tmp $@

# PostgreSQL's migrations have the same numbers as SQLite's (checked here and in the unit tests).
$(CERTIFY_PG_GEN_C): db/embed.sh db/schema_pg.sql $(CERTIFY_PG_MIGRATIONS) $(CERTIFY_MIGRATIONS)
	@mkdir -p $(@D)
	@a="$$(for f in $(CERTIFY_MIGRATIONS); do basename $$f; done | cut -c1-4)"; \
	 b="$$(for f in $(CERTIFY_PG_MIGRATIONS); do basename $$f; done | cut -c1-4)"; \
	 [ "$$a" = "$$b" ] || { echo "db/migrations/pg/ must number its files as db/migrations/ does" >&2; exit 1; }
	sh db/embed.sh --pg db/schema_pg.sql $(CERTIFY_PG_MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/host/gen/db/migrations_pg_gen.o: $(CERTIFY_PG_GEN_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Idb -c $< -o $@

$(BUILD)/host/gen/db/migrations_gen.o: $(CERTIFY_GEN_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Idb -c $< -o $@

$(BUILD)/host/tools/certify/%.o: tools/certify/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(CERTIFY_INC) -c $< -o $@

$(BUILD)/host/db/%.o: db/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(CERTIFY_INC) -c $< -o $@

$(BUILD)/host/reports/%.o: reports/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(CERTIFY_INC) -c $< -o $@

# The kernel's test names (certify/ktests.sh), which `certify waiver create` checks.
CERTIFY_KTESTS_C := $(BUILD)/gen/certify/ktests.c
CERTIFY_KTEST_SRCS := $(shell grep -rl '^KTEST' hvkernel drivers 2>/dev/null)
$(CERTIFY_KTESTS_C): certify/ktests.sh $(CERTIFY_KTEST_SRCS)
	@mkdir -p $(@D)
	sh certify/ktests.sh $(sort $(CERTIFY_KTEST_SRCS)) > $@.tmp && mv $@.tmp $@
$(BUILD)/host/gen/certify/ktests.o: $(CERTIFY_KTESTS_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(CERTIFY_BIN): $(CERTIFY_CLI_OBJS) $(CERTIFY_HVLIB_OBJS) $(CERTIFY_LIB) $(BUILD)/host/gen/certify/ktests.o
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ $(CERTIFY_LDLIBS) -lsqlite3 -lpq -lsodium

# The store's own costs, no QEMU (tools/dbbench.c, tests/dbbench.sh): part of `make bench`.
DBBENCH_BIN := $(BUILD)/bin/dbbench
$(DBBENCH_BIN): $(BUILD)/host/tools/dbbench.o $(CERTIFY_STORE_SRCS:%.c=$(BUILD)/host/%.o) \
		$(BUILD)/host/gen/db/migrations_gen.o $(BUILD)/host/gen/db/migrations_pg_gen.o \
		$(BUILD)/host/certify/err.o
	@mkdir -p $(@D)
	$(HOST_CC) -o $@ $^ -lsqlite3 -lpq -lpthread -ljson-c
host: $(DBBENCH_BIN)
.PHONY: db-bench
QUEUEBENCH_RUNS ?= 3
db-bench: $(DBBENCH_BIN) $(CERTIFY_BIN)
	sh tests/dbbench.sh $(DBBENCH_BIN)
	sh tests/queuebench.sh $(BUILD) $(QUEUEBENCH_RUNS)

# The plans shipped with this build, by name and sha256 of their files (certify/official.c):
# a run with any other plan is unofficial. Part of libcertify and of the unit tests.
CERTIFY_SHIPPED_C := $(BUILD)/gen/certify/shipped_plans.c
$(CERTIFY_SHIPPED_C): certify/shipped.sh $(wildcard plans/*.plan)
	@mkdir -p $(@D)
	sh certify/shipped.sh $(sort $(wildcard plans/*.plan)) > $@.tmp && mv $@.tmp $@
$(BUILD)/host/gen/certify/shipped_plans.o: $(CERTIFY_SHIPPED_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Icertify -c $< -o $@
$(BUILD)/san/gen/certify/shipped_plans.o: $(CERTIFY_SHIPPED_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Icertify -c $< -o $@
$(CERTIFY_LIB): $(BUILD)/host/gen/certify/shipped_plans.o
$(UNIT_BIN): $(BUILD)/san/gen/certify/shipped_plans.o

# Unit tests: the store and the reports join the ASan/UBSan test binary.
CERTIFY_SAN_OBJS := $(CERTIFY_STORE_SRCS:%.c=$(BUILD)/san/%.o) $(BUILD)/san/gen/db/migrations_gen.o \
                    $(BUILD)/san/gen/db/migrations_pg_gen.o
$(UNIT_BIN): $(CERTIFY_SAN_OBJS)
$(BUILD)/san/db/%.o: db/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(CERTIFY_INC) -c $< -o $@
$(BUILD)/san/reports/%.o: reports/%.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(CERTIFY_INC) -c $< -o $@
$(BUILD)/san/gen/db/migrations_gen.o: $(CERTIFY_GEN_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Idb -c $< -o $@
$(BUILD)/san/gen/db/migrations_pg_gen.o: $(CERTIFY_PG_GEN_C)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Idb -c $< -o $@

# End-to-end: each script prints PASS/FAIL lines and a last line "P F".
CERTIFY_CHECK_COUNTS := $(BUILD)/check/certify.counts
certify-check: $(CERTIFY_BIN) $(BUILD)/hvkernel.elf $(BUILD)/modules/edu.hvm
	@mkdir -p $(BUILD)/check && rm -f $(CERTIFY_CHECK_COUNTS)
	@sh tests/certify/run-all.sh $(CERTIFY_BIN) $(CERTIFY_CHECK_COUNTS)
