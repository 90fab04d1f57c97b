"""The child threads of a Parallel or Map state (``Fanout``), interleaved in virtual time.

Branches and iterations are threads of their own on the scheduler (``runtime.py``), interleaved in virtual
time: each starts when its concurrency slot frees up (all at once for Parallel and an unbounded Map;
MaxConcurrency slots otherwise), and the first failure in time kills the others at that instant.
Inner threads read outer variables (a copy) and their assignments stay inside; Distributed Map children
see none, and their events stay out of the parent history (as child executions' events do), though their
states still appear in ``Execution.path``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import Terminal
from pytest_serverless.asl.runtime import PARK, Thread
from pytest_serverless.asl.states_errors import StatesError

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter

__all__ = ["Fanout"]


class Fanout:
    """The child threads of one Parallel or Map attempt, interleaved in virtual time.

    Children start in index order, at most ``slots`` at once (0: all), each when a slot frees up; each
    runs as far as the current instant allows before the next starts (so with no time passing the order
    is depth-first, as before). ``finished(index, output, failure)`` records each end. A failure that is
    not tolerated (beyond ``allowed`` failures, a ``Terminal`` one, or an engine-level exception) kills
    the running siblings at that instant: their later states never run. The parent thread parks until
    every child ended or one failure ended them all, then reads ``failure``.
    """

    __slots__ = (
        "_allowed",
        "_count",
        "_ended",
        "_failures",
        "_make",
        "_next",
        "_parent",
        "_parked",
        "_pumping",
        "_running",
        "_slots",
        "failure",
        "finished",
        "interp",
        "results",
        "translate",
    )

    def __init__(
        self,
        interp: Interpreter,
        parent: Thread,
        count: int,
        make: Callable[[int], tuple[Frame, m.Program, Any]],
        finished: Callable[[int, Any, BaseException | None], None] | None = None,
        slots: int = 0,
        allowed: float = 0.0,
    ) -> None:
        self.interp = interp
        self._parent = parent
        self._count = count
        self._make = make
        self.finished = finished
        self._slots = slots
        self._allowed = allowed
        self._next = 0
        self._running: dict[int, Thread] = {}
        self._ended = 0
        self._failures = 0
        self._pumping = False
        self._parked = False
        self.failure: BaseException | None = None
        #: each child's output by index (tolerated failures: what ``finished`` records there)
        self.results: list[Any] = [None] * count
        #: maps a child's engine-level failure to its own StatesError (a Distributed Map child over its
        #: event limit fails alone); None: such failures end the whole state
        self.translate: Callable[[BaseException], BaseException] | None = None

    def start(self) -> bool:
        """Start the children as far as the current instant allows; True when all have ended (or one
        failure ended them), else the parent waits with ``yield from fanout.wait()``."""
        self._pump()
        return self._ended >= self._count or self.failure is not None

    def wait(self) -> Generator[Any, Any, None]:
        """Park the parent until every child ended (or one failure ended them)."""
        if self._ended < self._count and self.failure is None:
            parent = self._parent
            parent.on_kill(self.kill)
            self._parked = True
            try:
                yield PARK
            finally:
                parent.clear_hooks()

    def kill(self) -> None:
        running = list(self._running.values())
        self._running.clear()
        self._next = self._count
        for thread in running:
            thread.kill()

    def _pump(self) -> None:
        if self._pumping:
            return
        self._pumping = True
        try:
            slots = self._slots
            running = self._running
            make = self._make
            interp = self.interp
            scheduler = interp.scheduler
            done = self._done
            finished = self.finished
            results = self.results
            while self._next < self._count and self.failure is None and (slots <= 0 or len(running) < slots):
                index = self._next
                self._next += 1
                frame, program, child_input = make(index)
                if interp.is_plain(program):  # no state of it waits: a plain call, no thread
                    try:
                        output = interp.run_plain(program, child_input, frame)
                    except Exception as failure:
                        self._done_at(index, None, failure)
                        continue
                    self._ended += 1
                    if finished is None:
                        results[index] = output
                    else:
                        finished(index, output, None)
                    continue
                gen = interp.run_program(program, child_input, frame)
                thread = Thread(scheduler, interp, gen, done, index)
                frame.thread = thread
                try:  # the first step in line: most children end at once (no time passes in them)
                    command = gen.send(None)
                except StopIteration as stop:
                    thread.done = True
                    self._ended += 1
                    if finished is None:
                        results[index] = stop.value
                    else:
                        finished(index, stop.value, None)
                    continue
                except Exception as failure:
                    thread.done = True
                    self._done_at(index, None, failure)
                    continue
                running[index] = thread
                thread.wait_for(command)
        finally:
            self._pumping = False
        if self._parked and (self.failure is not None or self._ended >= self._count):
            self._parked = False
            self._parent.resume()

    def _done(self, thread: Thread, output: Any, failure: BaseException | None) -> None:
        self._done_at(thread.tag, output, failure)

    def _done_at(self, index: int, output: Any, failure: BaseException | None) -> None:
        if failure is not None and self.translate is not None:
            failure = self.translate(failure)
        self._running.pop(index, None)
        self._ended += 1
        if failure is not None:
            self._failures += 1
            if (
                not isinstance(failure, StatesError)
                or isinstance(failure, Terminal)
                or self._failures > self._allowed
            ):
                if self.finished is not None:
                    self.finished(index, None, failure)
                if self.failure is None:
                    self.failure = failure
                    self.kill()
                self._pump()
                return
        if self.finished is None:
            self.results[index] = output
        else:
            self.finished(index, output, failure)
        self._pump()
