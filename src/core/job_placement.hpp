// Where a job lives when jobs are spread over partitions (job_control_proxy):
// a company's jobs all live on one partition, chosen by a 16-bit bucket of
// the company, and every job id carries its company's bucket, so a call
// naming an id reaches its partition with no lookup. The id stays a valid
// RFC 9562 uuid: version 8 (vendor-specific layout), variant 10, with the
// bucket in its first 16 bits and 106 random bits.
//
// Partitions come in powers of two, N <= 65536; partition = bucket & (N - 1),
// which is also PL/Proxy's rule for a 32-bit hash whose low 16 bits are the
// bucket. Growing from N to 2N splits each partition p into p and p + N, and
// an id still names its partition under the new N.
#pragma once

#include <array>
#include <cstdint>

namespace jc {

using UuidBytes = std::array<std::uint8_t, 16>;

inline constexpr int kBucketBits = 16;
inline constexpr std::uint32_t kMaxPartitions = 1u << kBucketBits;

// The bucket of a company from a 32-bit hash of its id (the server's
// hashint8, which the proxy computes the same way).
constexpr std::uint16_t company_bucket(std::int32_t company_hash) noexcept {
  return static_cast<std::uint16_t>(static_cast<std::uint32_t>(company_hash) &
                                    0xFFFFu);
}

// A job id for a company in `bucket`, from 16 random bytes: the first two
// bytes become the bucket, the version nibble 8 and the variant bits 10.
UuidBytes placed_job_id(std::uint16_t bucket, const UuidBytes& random) noexcept;

// The bucket an id carries (meaningful for ids made by placed_job_id).
constexpr std::uint16_t job_id_bucket(const UuidBytes& id) noexcept {
  return static_cast<std::uint16_t>((id[0] << 8) | id[1]);
}

// The partition of `bucket` among `partitions` (a power of two, at most
// kMaxPartitions).
constexpr std::uint32_t partition_of(std::uint16_t bucket,
                                     std::uint32_t partitions) noexcept {
  return bucket & (partitions - 1);
}

}  // namespace jc
