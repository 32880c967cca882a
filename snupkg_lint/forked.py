"""A helper process, forked, that runs one job over chunks of work while this process goes on.

The helper takes the chunks in order and writes each result to a temporary file they share; a shared page says
which chunk it is on and which results are ready. This process asks for a chunk's result when it needs it: ready,
it is read; being worked on, it is waited for; not started yet, it is taken back (the helper then skips it and
this process does that work itself). So the helper never waits for this process, and this process never waits
for the helper for longer than one chunk, however busy the other core is.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import tempfile
import time
from typing import Callable, Sequence

PENDING, TAKEN_BACK, READY = 0, 1, 2
_POSITION = struct.Struct("<I")  # 1 + the chunk the helper is on (0: none yet)
_SLOT = struct.Struct("<IQ")  # a result's length and offset in the file; its state byte follows
_SLOT_SIZE = _SLOT.size + 1
_POLL_SECONDS = 0.0005


class ForkedHelper:
    """`job(chunk)` for every chunk, run in a process forked now; see the module docstring."""

    def __init__(self, job: Callable[[list], object], chunks: Sequence[list]):
        self._board = mmap.mmap(-1, _POSITION.size + _SLOT_SIZE * max(1, len(chunks)))  # shared with the child
        self._file = tempfile.TemporaryFile()
        self._pid: int | None = os.fork()
        if self._pid == 0:
            self._serve(job, chunks)  # never returns

    def _state_at(self, n: int) -> int:
        return _POSITION.size + _SLOT_SIZE * n + _SLOT.size

    def _serve(self, job: Callable[[list], object], chunks: Sequence[list]) -> None:
        code = 1
        try:
            fd, offset = self._file.fileno(), 0
            for n, chunk in enumerate(chunks):
                _POSITION.pack_into(self._board, 0, n + 1)
                if self._board[self._state_at(n)] != PENDING:
                    continue  # taken back
                data = pickle.dumps(job(chunk), protocol=pickle.HIGHEST_PROTOCOL)
                os.pwrite(fd, data, offset)
                _SLOT.pack_into(self._board, _POSITION.size + _SLOT_SIZE * n, len(data), offset)
                self._board[self._state_at(n)] = READY  # written last: the parent reads the slot once it is set
                offset += len(data)
            code = 0
        except BaseException:  # noqa: BLE001 - whatever happens, the parent carries on without this process
            pass
        finally:
            os._exit(code)

    def take_back(self, n: int) -> bool:
        """Take chunk n back if the helper has not reached it (True: this process does it; the helper skips it)."""
        if self._pid is None or _POSITION.unpack_from(self._board, 0)[0] > n:
            return False
        self._board[self._state_at(n)] = TAKEN_BACK  # if the helper reaches it meanwhile, both do it: no harm
        return True

    def result(self, n: int, while_waiting: Callable[[], bool] | None = None) -> object | None:
        """Chunk n's result, waited for while the helper works on it (calling `while_waiting` meanwhile until it
        says it found nothing to do); None when the chunk was taken back or the helper is gone."""
        while True:
            if self._board[self._state_at(n)] == READY:
                length, offset = _SLOT.unpack_from(self._board, _POSITION.size + _SLOT_SIZE * n)
                return pickle.loads(os.pread(self._file.fileno(), length, offset))
            if self.take_back(n):
                return None
            if not self._alive():  # it may have finished chunk n just before it ended
                return self.result(n) if self._board[self._state_at(n)] == READY else None
            if while_waiting is not None and while_waiting():
                continue
            while_waiting = None  # it has nothing more to do
            time.sleep(_POLL_SECONDS)

    def _alive(self) -> bool:
        if self._pid is None:
            return False
        if os.waitpid(self._pid, os.WNOHANG)[0] == 0:
            return True
        self._pid = None  # ended (and reaped)
        return False

    def stop(self) -> None:
        """End the helper (it holds nothing but what it was forked with) and let go of the shared file."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None
        self._file.close()
        self._board.close()


__all__ = ["ForkedHelper"]
