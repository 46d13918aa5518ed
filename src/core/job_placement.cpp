#include "job_placement.hpp"

namespace jc {

UuidBytes placed_job_id(std::uint16_t bucket,
                        const UuidBytes& random) noexcept {
  UuidBytes id = random;
  id[0] = static_cast<std::uint8_t>(bucket >> 8);
  id[1] = static_cast<std::uint8_t>(bucket & 0xFFu);
  id[6] = static_cast<std::uint8_t>(0x80u | (id[6] & 0x0Fu));  // version 8
  id[8] = static_cast<std::uint8_t>(0x80u | (id[8] & 0x3Fu));  // variant 10
  return id;
}

}  // namespace jc
