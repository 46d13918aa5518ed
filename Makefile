# PGXS build of the job_control extension (C++). The pure core in src/core is
# also built and unit-tested on its own by CMakeLists.txt.
EXTENSION = job_control job_control_proxy
MODULE_big = job_control
DATA = $(wildcard job_control--*.sql) $(wildcard job_control_proxy--*.sql)

CORE_OBJS = src/core/format.o src/core/job_counters.o src/core/job_errors.o src/core/job_placement.o src/core/job_state.o src/core/jsonb_binary.o src/core/library_list.o src/core/limits.o \
	src/core/list_query.o src/core/transition_sql.o src/core/validation.o \
	src/core/work_index.o
PG_OBJS = src/pg/admin_functions.o src/pg/call_support.o src/pg/caller_access.o src/pg/catalog_cache.o src/pg/executor_functions.o \
	src/pg/functions.o src/pg/guard.o src/pg/direct_write.o src/pg/job_move.o src/pg/job_peek.o src/pg/job_row.o src/pg/key_lookup.o src/pg/queue_claim.o src/pg/queue_walk.o src/pg/jsonb_build.o src/pg/job_store.o \
	src/pg/job_counting.o src/pg/jobs_trigger.o src/pg/json_args.o src/pg/module.o src/pg/monitoring_functions.o src/pg/notifier.o src/pg/row_checks.o src/pg/settings.o \
	src/pg/tenant_policy.o src/pg/terminal_exit_permit.o src/pg/transition_log.o src/pg/work_index_upkeep.o

OBJS = $(CORE_OBJS) $(PG_OBJS)

REGRESS = lifecycle state_table errors json_shape placement jsonb_binary idempotency trigger_guard privileges executors listing operations access_levels tenancy bounds search_path randomized work_index queue_claim fast_path direct_insert job_move sql_path_guards monitoring notify_deferred upgrade extension_lifecycle
REGRESS_OPTS = --load-extension=job_control
ISOLATION = work_index_writes fail_vs_complete complete_vs_fail cancel_vs_fail fail_vs_fail \
	create_same_key repeatable_read_conflict different_jobs_no_block \
	claim_concurrent claim_vs_cancel heartbeat_vs_reap reap_twice fail_many_overlap \
	fencing_after_reschedule notify_on_commit \
	lease_cleanup_vs_claim serializable_noop_read move_vs_delete
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output_iso \
	--load-extension=job_control

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# No LLVM bitcode: the JIT never inlines these functions, and clang is not
# needed to build.
override with_llvm = no
# Rebuild objects whose headers changed (dependency files in .deps/).
override autodepend = yes

include $(PGXS)

# The calls without SQL drive the executor and the table and index access
# methods directly, whose signatures change from one major version to the
# next; src/pg/pg_compat.hpp holds every difference for 15 to 18. Say so at
# once for any other major rather than with a compiler error mid-build.
ifeq ($(filter $(MAJORVERSION),15 16 17 18),)
$(error job_control supports PostgreSQL 15, 16, 17 and 18; $(PG_CONFIG) is PostgreSQL $(MAJORVERSION))
endif

# Warnings are errors; PostgreSQL's own headers are system headers.
override CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -fno-omit-frame-pointer
override CPPFLAGS := -isystem $(includedir_server) -Isrc/core $(CPPFLAGS)
SHLIB_LINK += -lstdc++
