#include "path_choice.hpp"

#include <gtest/gtest.h>

#include <random>

namespace jc {
namespace {

TEST(PathChoice, ReadsFirstUntilSeveralMovesInARow) {
  PathChoice choice;
  for (int i = 0; i < PathChoice::kMovesBeforeSkipping; ++i) {
    EXPECT_TRUE(choice.read_first()) << i;
    choice.moved();
  }
  EXPECT_FALSE(choice.read_first());
  for (int i = 0; i < 100; ++i) choice.moved();
  EXPECT_FALSE(choice.read_first());
  choice.stayed();
  EXPECT_TRUE(choice.read_first());
}

// Calls that move or not at random (half and half): the choice reads first
// for nearly every no-op, the expensive mistake to avoid.
TEST(PathChoice, RandomMixMostlyReadsFirst) {
  std::mt19937 random(7);
  std::bernoulli_distribution moves(0.5);
  PathChoice choice;
  int noops = 0;
  int noops_without_read = 0;
  for (int i = 0; i < 100000; ++i) {
    const bool read = choice.read_first();
    if (moves(random)) {
      choice.moved();
    } else {
      ++noops;
      if (!read) ++noops_without_read;
      choice.stayed();
    }
  }
  // P(four moves in a row before a no-op) = 1/16.
  EXPECT_LT(noops_without_read, noops / 10);
}

}  // namespace
}  // namespace jc
