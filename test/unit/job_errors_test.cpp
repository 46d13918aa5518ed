#include "job_errors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace jc {
namespace {

constexpr char kId[] = "9a4c3e6e-1111-4a4a-8a8a-000000000001";

TEST(JobErrors, NotFoundNamesTheId) {
  const JobError e = job_not_found(kId);
  EXPECT_STREQ(e.code(), "P0002");
  EXPECT_EQ(std::string(e.what()),
            std::string("job \"") + kId + "\" does not exist");
}

TEST(JobErrors, RejectionNamesTheCurrentStateAndTheAllowedOnes) {
  const JobError e =
      transition_rejected(Operation::kComplete, kId, JobState::kPending);
  EXPECT_STREQ(e.code(), "55000");
  EXPECT_EQ(std::string(e.what()),
            std::string("cannot complete job \"") + kId + "\": it is pending");
  EXPECT_EQ(e.hint(),
            "Only a job that is running or pending_cancellation can be "
            "completed.");
}

TEST(JobErrors, ExecutorMismatchNamesBothExecutors) {
  const std::string_view holder = "worker-b";
  const JobError e =
      executor_mismatch(Operation::kFail, kId, "worker-a", &holder);
  EXPECT_STREQ(e.code(), "55000");
  EXPECT_NE(std::string(e.what()).find("\"worker-a\""), std::string::npos);
  EXPECT_NE(e.detail().find("\"worker-b\""), std::string::npos);
  const JobError none =
      executor_mismatch(Operation::kFail, kId, "worker-a", nullptr);
  EXPECT_EQ(none.detail(), "The job has no executor.");
}

TEST(JobErrors, MissingWorkIndexNamesTheFunctionAndTheUpdate) {
  const JobError e = needs_work_index("job_claim");
  EXPECT_STREQ(e.code(), "55000");
  EXPECT_EQ(std::string(e.what()),
            "job_claim needs job_control 1.2 or later in this database");
  EXPECT_NE(e.hint().find("ALTER EXTENSION job_control UPDATE"),
            std::string::npos);
}

TEST(JobErrors, RetriesExhaustedIsASerializationFailure) {
  EXPECT_STREQ(transition_retries_exhausted(kId).code(), "40001");
  EXPECT_STREQ(batch_retries_exhausted().code(), "40001");
}

}  // namespace
}  // namespace jc
