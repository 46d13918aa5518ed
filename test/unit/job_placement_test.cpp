#include "job_placement.hpp"

#include <gtest/gtest.h>

#include <random>

namespace jc {
namespace {

// What the proxy computes (job_control_proxy--1.0.sql): an id's bucket is
// its first two bytes, and PL/Proxy runs a call on partition hash & (N - 1)
// of N, a power of two up to 65,536.
constexpr std::uint32_t kMaxPartitions = 1u << 16;

constexpr std::uint16_t job_id_bucket(const UuidBytes& id) noexcept {
  return static_cast<std::uint16_t>((id[0] << 8) | id[1]);
}

constexpr std::uint32_t partition_of(std::uint32_t hash,
                                     std::uint32_t partitions) noexcept {
  return hash & (partitions - 1);
}

UuidBytes random_bytes(std::mt19937& gen) {
  UuidBytes bytes{};
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(byte(gen));
  return bytes;
}

TEST(JobPlacement, IdIsAnRfc9562Version8Uuid) {
  std::mt19937 gen(7);
  for (int i = 0; i < 1000; ++i) {
    const UuidBytes id =
        placed_job_id(static_cast<std::uint16_t>(i * 37), random_bytes(gen));
    EXPECT_EQ(id[6] >> 4, 8);  // version
    EXPECT_EQ(id[8] >> 6, 2);  // variant 10
  }
}

TEST(JobPlacement, IdCarriesItsBucket) {
  std::mt19937 gen(11);
  for (std::uint32_t bucket = 0; bucket < kMaxPartitions; bucket += 251) {
    const auto b = static_cast<std::uint16_t>(bucket);
    EXPECT_EQ(job_id_bucket(placed_job_id(b, random_bytes(gen))), b);
  }
  EXPECT_EQ(job_id_bucket(placed_job_id(0xFFFF, random_bytes(gen))), 0xFFFF);
}

TEST(JobPlacement, KeepsTheOtherBitsRandom) {
  std::mt19937 gen(13);
  const UuidBytes random = random_bytes(gen);
  const UuidBytes id = placed_job_id(0x1234, random);
  for (std::size_t i = 2; i < id.size(); ++i) {
    if (i == 6) {
      EXPECT_EQ(id[i] & 0x0F, random[i] & 0x0F);
    } else if (i == 8) {
      EXPECT_EQ(id[i] & 0x3F, random[i] & 0x3F);
    } else {
      EXPECT_EQ(id[i], random[i]);
    }
  }
}

// PL/Proxy routes a 32-bit hash h to partition h & (N - 1): the id's bucket
// must land on the partition the company's hash lands on, for every N.
TEST(JobPlacement, IdRoutesWhereItsCompanyRoutes) {
  std::mt19937 gen(17);
  std::uniform_int_distribution<std::int32_t> hash(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 10000; ++i) {
    const std::int32_t h = hash(gen);
    const UuidBytes id = placed_job_id(company_bucket(h), random_bytes(gen));
    for (std::uint32_t n = 1; n <= kMaxPartitions; n *= 2) {
      ASSERT_EQ(partition_of(job_id_bucket(id), n),
                static_cast<std::uint32_t>(h) & (n - 1));
    }
  }
}

// Growing from N to 2N partitions: a bucket on p stays on p or moves to p + N.
TEST(JobPlacement, DoublingSplitsEachPartitionInTwo) {
  for (std::uint32_t bucket = 0; bucket < kMaxPartitions; ++bucket) {
    const auto b = static_cast<std::uint16_t>(bucket);
    for (std::uint32_t n = 1; n < kMaxPartitions; n *= 2) {
      const std::uint32_t before = partition_of(b, n);
      const std::uint32_t after = partition_of(b, 2 * n);
      ASSERT_TRUE(after == before || after == before + n);
    }
  }
}

}  // namespace
}  // namespace jc
