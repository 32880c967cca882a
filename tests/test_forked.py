"""snupkg_lint.forked: a helper process's results come back whole, or the chunk is given back, never lost."""

import os
import time

import pytest

from snupkg_lint import forked
from snupkg_lint.forked import ForkedHelper

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def doubled(chunk):
    return [x * 2 for x in chunk]


def slow(chunk):
    time.sleep(0.2)
    return doubled(chunk)


def until(condition):
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_ready_results_come_back_in_full():
    chunks = [[1, 2], [3], list(range(10_000))]
    helper = ForkedHelper(doubled, chunks)
    try:
        until(lambda: not helper._alive())  # done with every chunk
        assert [helper.result(n) for n in range(3)] == [doubled(c) for c in chunks]
    finally:
        helper.stop()


def test_a_chunk_not_reached_is_given_back_and_the_one_in_hand_is_waited_for():
    helper = ForkedHelper(slow, [[1], [2], [3]])
    try:
        until(lambda: forked._POSITION.unpack_from(helper._board, 0)[0] == 1)  # on chunk 0, for 0.2 s
        assert helper.result(2) is None  # not reached: taken back (this process does it)
        waited = []
        assert helper.result(0, lambda: waited.append(1) or len(waited) < 3) == [2]
        assert len(waited) == 3  # the work offered meanwhile was taken until it ran out
        assert helper.result(1) in ([4], None)
    finally:
        helper.stop()


def test_a_helper_that_died_gives_every_chunk_back():
    helper = ForkedHelper(lambda chunk: os._exit(3), [[1], [2]])
    try:
        until(lambda: not helper._alive())
        assert helper.result(1) is None and helper.result(0) is None
    finally:
        helper.stop()
