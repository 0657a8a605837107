"""``numpy.random.default_rng(seed).integers(...)``: the same numbers, drawn without numpy.random.

Importing numpy.random costs about 12 ms (it loads secrets, hashlib, random and five bit
generators): more than drawing the few thousand small integers of a picture takes in Python, and
a tenth of a small render's whole run. This is numpy's stream, step for step:

- ``SeedSequence(seed)``: the seed's 32-bit words hashed into a pool of four, then
  ``generate_state(4, uint64)``;
- ``PCG64``: that state as a 128-bit seed and increment, then XSL-RR output of each 128-bit step;
- ``Generator.integers(low, high, endpoint=True, dtype=int64)``: with a range of 32 bits or less,
  Lemire's multiply-and-reject on 32-bit draws, each 64-bit output giving its low half, then its
  high half on the next draw (kept across calls, as the bit generator keeps it).

Ranges wider than 32 bits are not drawn here (:func:`generator` hands them to numpy).
``tests/test_values.py`` checks the numbers against numpy.random's, draw for draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

MASK32 = 0xFFFF_FFFF
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1
PCG_MULTIPLIER = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645  # PCG_DEFAULT_MULTIPLIER_128

# SeedSequence's hashing constants (numpy/random/bit_generator.pyx).
POOL_SIZE = 4
INIT_A, MULT_A = 0x43B0_D7E5, 0x931E_8875
INIT_B, MULT_B = 0x8B51_F9DD, 0x58F3_8DED
MIX_MULT_L, MIX_MULT_R = 0xCA01_F9DD, 0x4973_F715
XSHIFT = 16

DRAWN_HERE = 20_000  # values: past this many, numpy's import costs less than drawing them in Python


def seed_state(seed: int) -> tuple[int, int]:
    """PCG64's 128-bit seed and increment for ``SeedSequence(seed)`` (a non-negative integer)."""
    if seed < 0:
        raise ValueError(f"a seed is 0 or more, not {seed}")
    entropy = []
    while True:  # the seed's 32-bit words, least significant first; 0 is one word
        entropy.append(seed & MASK32)
        seed >>= 32
        if not seed:
            break
    hash_const = INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value ^= hash_const
        hash_const = hash_const * MULT_A & MASK32
        value = value * hash_const & MASK32
        return value ^ value >> XSHIFT

    def mix(x: int, y: int) -> int:
        result = (MIX_MULT_L * x - MIX_MULT_R * y) & MASK32
        return result ^ result >> XSHIFT

    pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(POOL_SIZE)]
    for source in range(POOL_SIZE):
        for target in range(POOL_SIZE):
            if source != target:
                pool[target] = mix(pool[target], hashmix(pool[source]))
    for word in entropy[POOL_SIZE:]:  # a seed of more than four words: the rest mixed into each
        for target in range(POOL_SIZE):
            pool[target] = mix(pool[target], hashmix(word))
    # generate_state(4, uint64): eight 32-bit words, paired little-end first into four 64-bit ones.
    hash_const = INIT_B
    words = []
    for i in range(2 * POOL_SIZE):
        value = pool[i % POOL_SIZE] ^ hash_const
        hash_const = hash_const * MULT_B & MASK32
        value = value * hash_const & MASK32
        words.append(value ^ value >> XSHIFT)
    state = [words[2 * k] | words[2 * k + 1] << 32 for k in range(POOL_SIZE)]
    return state[0] << 64 | state[1], state[2] << 64 | state[3]


class PCG64Integers:
    """The integers ``numpy.random.default_rng(seed)`` draws, from the same stream (see the module)."""

    def __init__(self, seed: int) -> None:
        initstate, initseq = seed_state(seed)
        self.inc = (initseq << 1 | 1) & MASK128
        self.state = self.inc  # state 0, stepped
        self.state = ((self.state + initstate) * PCG_MULTIPLIER + self.inc) & MASK128
        self.high_half: int | None = None  # the unused half of the last 64-bit output

    def next64(self) -> int:
        self.state = (self.state * PCG_MULTIPLIER + self.inc) & MASK128
        x = (self.state >> 64 ^ self.state) & MASK64
        rotation = self.state >> 122
        return (x >> rotation | x << (-rotation & 63)) & MASK64

    def next32(self) -> int:
        if self.high_half is not None:
            half, self.high_half = self.high_half, None
            return half
        value = self.next64()
        self.high_half = value >> 32
        return value & MASK32

    def integers(
        self, low: int, high: int, size: tuple[int, ...], endpoint: bool = True, dtype: Any = np.int64
    ) -> NDArray[np.int64]:
        """``Generator.integers(low, high, size, endpoint=True, dtype=np.int64)`` for a range of at
        most 2**32 - 1."""
        assert endpoint and dtype is np.int64
        span = high - low
        assert 0 <= span < MASK32, "a range this wide is numpy's (see generator)"
        count = int(np.prod(size, dtype=np.int64))
        if span == 0:
            return np.full(size, low, dtype=np.int64)
        bound = span + 1
        threshold = (MASK32 - span) % bound
        drawn = []
        for _ in range(count):
            m = self.next32() * bound
            if m & MASK32 < bound:  # possibly biased: reject below the threshold
                while m & MASK32 < threshold:
                    m = self.next32() * bound
            drawn.append(low + (m >> 32))
        return np.array(drawn, dtype=np.int64).reshape(size)


def generator(seed: int, values: int) -> Any:
    """What draws ``values`` random integers for ``seed``: this module's stream while they are few,
    else ``numpy.random.default_rng(seed)`` (the same numbers; see the module)."""
    if values <= DRAWN_HERE and seed >= 0:
        return PCG64Integers(seed)
    return np.random.default_rng(seed)


__all__ = ["DRAWN_HERE", "PCG64Integers", "generator", "seed_state"]
