// Block production sits behind this interface. The single-validator engine implements it
// now; Tendermint BFT (node/consensus/, a later issue) will implement it for n = 3f + 1.
#pragma once

namespace flex {

class Consensus {
 public:
  virtual ~Consensus() = default;
  // Starts producing or following blocks on a thread of its own.
  virtual void start() = 0;
  // Stops after the block in progress, if any, is committed or abandoned.
  virtual void stop() = 0;
};

}  // namespace flex
