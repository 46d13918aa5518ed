#include "validation.hpp"

#include <gtest/gtest.h>

#include "error_code.hpp"

#include <limits>
#include <string>

namespace jc {
namespace {

const JsonField kNql{JsonKind::kString, "SELECT 1"};
const JsonField kNoField{};

TEST(Validation, JsonIntegers) {
  EXPECT_EQ(parse_json_integer("0"), 0);
  EXPECT_EQ(parse_json_integer("-17"), -17);
  EXPECT_EQ(parse_json_integer("739881302291276700"), 739881302291276700LL);
  EXPECT_EQ(parse_json_integer("9223372036854775807"),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_json_integer("-9223372036854775808"),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(parse_json_integer("9223372036854775808"));
  EXPECT_FALSE(parse_json_integer("99999999999999999999"));
  EXPECT_FALSE(parse_json_integer("1.0"));
  EXPECT_FALSE(parse_json_integer("1e3"));
  EXPECT_FALSE(parse_json_integer("-"));
  EXPECT_FALSE(parse_json_integer(""));
}

TEST(Validation, Blank) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \t\n\r"));
  EXPECT_FALSE(is_blank(" x "));
}

TEST(Validation, FailureMessage) {
  EXPECT_NO_THROW(validate_failure_message("disk full"));
  EXPECT_EQ(error_code_of([] { validate_failure_message("   "); }), "22023");
  EXPECT_EQ(error_code_of([] { validate_failure_message(""); }), "22023");
}

TEST(Validation, ExecutorAndKeyAreBoundedNames) {
  EXPECT_NO_THROW(validate_executor("worker-7"));
  EXPECT_EQ(error_code_of([] { validate_executor(" "); }), "22023");
  EXPECT_EQ(
      error_code_of([] { validate_idempotency_key(std::string(256, 'k')); }),
      "22023");
  EXPECT_NO_THROW(validate_idempotency_key(std::string(255, 'k')));
}

TEST(Validation, Input) {
  EXPECT_NO_THROW(
      validate_input(JobType::kNqlForecast, JsonKind::kObject, kNql, kNoField));
  EXPECT_NO_THROW(validate_input(JobType::kMaterializeView, JsonKind::kObject,
                                 kNql, {JsonKind::kNumber, "6404"}));
  EXPECT_EQ(error_code_of([] {
              validate_input(JobType::kMaterializeView, JsonKind::kObject, kNql,
                             kNoField);
            }),
            "22023");
  EXPECT_EQ(error_code_of([] {
              validate_input(JobType::kNqlForecast, JsonKind::kArray, kNql,
                             kNoField);
            }),
            "22023");
  EXPECT_EQ(error_code_of([] {
              validate_input(JobType::kNqlForecast, JsonKind::kObject,
                             {JsonKind::kString, "  "}, kNoField);
            }),
            "22023");
  EXPECT_EQ(error_code_of([] {
              validate_input(JobType::kNqlForecast, JsonKind::kObject,
                             {JsonKind::kNumber, "1"}, kNoField);
            }),
            "22023");
  EXPECT_EQ(error_code_of([] {
              validate_input(JobType::kNqlForecast, JsonKind::kObject, kNql,
                             {JsonKind::kString, "6404"});
            }),
            "22023");
}

TEST(Validation, RequestSource) {
  EXPECT_EQ(
      validate_request_source(JsonKind::kObject, {JsonKind::kNumber, "42"}),
      42);
  EXPECT_EQ(
      error_code_of([] {
        validate_request_source(JsonKind::kObject, {JsonKind::kString, "42"});
      }),
      "22023");
  EXPECT_EQ(
      error_code_of([] {
        validate_request_source(JsonKind::kObject, {JsonKind::kNumber, "4.5"});
      }),
      "22023");
  EXPECT_EQ(error_code_of(
                [] { validate_request_source(JsonKind::kArray, kNoField); }),
            "22023");
}

TEST(Validation, Result) {
  EXPECT_NO_THROW(validate_result(JsonKind::kObject));
  EXPECT_NO_THROW(validate_result(JsonKind::kNull));
  EXPECT_EQ(error_code_of([] { validate_result(JsonKind::kArray); }), "22023");
  EXPECT_EQ(error_code_of([] { validate_result(JsonKind::kNumber); }), "22023");
}

TEST(Validation, NullArgument) {
  const JobError e = null_argument("job id");
  EXPECT_STREQ(e.code(), "22004");
  EXPECT_EQ(std::string(e.what()), "job id must not be null");
}

TEST(Validation, JobTypes) {
  EXPECT_EQ(parse_job_type("nql-forecast"), JobType::kNqlForecast);
  EXPECT_EQ(parse_job_type("materialize-view"), JobType::kMaterializeView);
  EXPECT_FALSE(parse_job_type("nql_forecast"));
}

}  // namespace
}  // namespace jc
