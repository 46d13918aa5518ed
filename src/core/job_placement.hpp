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

// The bucket of a company from a 32-bit hash of its id (the server's
// hashint8, which the proxy computes the same way).
constexpr std::uint16_t company_bucket(std::int32_t company_hash) noexcept {
  return static_cast<std::uint16_t>(static_cast<std::uint32_t>(company_hash) &
                                    0xFFFFu);
}

// A job id for a company in `bucket`, from 16 random bytes: the first two
// bytes become the bucket, the version nibble 8 and the variant bits 10.
// (The proxy reads the bucket back from the id's first two bytes:
// job_control_proxy.id_partition.)
UuidBytes placed_job_id(std::uint16_t bucket, const UuidBytes& random) noexcept;

}  // namespace jc
