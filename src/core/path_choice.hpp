// Which path a transition tries first. A call that will not move its job is
// answered cheapest by reading the row (the fast path); a call that moves it
// pays for that read in vain before its UPDATE, while a no-op that starts
// with the UPDATE pays for the UPDATE and a SELECT. The second mistake costs
// far more than the first, so a backend skips the read only once an
// operation has moved jobs several times in a row (a worker failing its own
// running jobs), and reads first again after any no-op.
#pragma once

namespace jc {

class PathChoice {
 public:
  static constexpr int kMovesBeforeSkipping = 4;

  bool read_first() const noexcept {
    return moves_in_a_row_ < kMovesBeforeSkipping;
  }
  void moved() noexcept {
    if (moves_in_a_row_ < kMovesBeforeSkipping) ++moves_in_a_row_;
  }
  void stayed() noexcept { moves_in_a_row_ = 0; }

 private:
  int moves_in_a_row_ = 0;
};

}  // namespace jc
