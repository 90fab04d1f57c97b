"""The scheduler of timed work on a virtual clock, and resumable threads of execution. A leaf module.

Every execution, Parallel branch and Map iteration is a :class:`Thread`: a generator that yields either
an absolute virtual time (``wait until then``) or :data:`PARK` (``wait until someone resumes me``: a
callback token, an activity worker, child threads, a nested execution). ``clock.advance`` drains the
:class:`Scheduler`'s heap of due work in virtual-time order; ties keep the order in which the work was
scheduled (``priority`` breaks ties first: an execution's own deadline comes after the work due at that
same instant, as AWS lets a state that ends exactly at the deadline finish).

Nothing in ``asl/`` is imported here: the engine builds on this module, never the other way.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from typing import Any, Protocol, cast

from pytest_serverless.clock import VirtualClock

__all__ = ["PARK", "Owner", "Scheduler", "Thread", "scheduler_for"]

#: yielded by a thread that waits for something other than time (it is resumed by ``Thread.resume``);
#: None rather than a sentinel object, so that it means the same to every copy of this module (pytester
#: re-imports modules between in-process runs)
PARK: Any = None


def scheduler_for(clock: VirtualClock) -> Scheduler:
    """The one scheduler of ``clock`` (created on first use): everything on one clock interleaves."""
    scheduler = clock._scheduler
    if scheduler is None:
        scheduler = clock._scheduler = Scheduler(clock)
    return cast(Scheduler, scheduler)  # not isinstance: a re-imported module (pytester) makes a twin class


class Scheduler:
    """A heap of ``[due, priority, sequence, callback]`` entries, drained as the clock advances.

    ``busy`` is set while any work runs (a drain or a call from the test such as ``start``): an advance
    of the clock from inside that work (a handler moving time) does not re-enter; the outer loop picks up
    whatever became due. ``current`` is the virtual instant of the work running (a resumed timer runs at
    its own due time, even when one ``advance`` jumped past it).
    """

    __slots__ = ("_cancelled", "_heap", "_seq", "_subscribed", "_unsubscribe", "busy", "clock", "current")

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._heap: list[list[Any]] = []
        self._seq = 0
        self._cancelled = 0
        self.busy = False
        self.current: float | None = None
        self._subscribed = False  # listens to the clock from its first timer on
        self._unsubscribe: Callable[[], None] | None = None

    def now(self) -> float:
        current = self.current
        return current if current is not None else self.clock.time()

    def at(self, due: float, callback: Callable[[], None], priority: int = 0) -> list[Any]:
        """Run ``callback()`` at virtual time ``due``; returns the entry (``cancel`` it to drop it)."""
        if not self._subscribed:
            self._subscribed = True
            self._unsubscribe = self.clock.subscribe(self._advanced)
        self._seq += 1
        entry = [due, priority, self._seq, callback]
        heapq.heappush(self._heap, entry)
        return entry

    def close(self) -> None:
        """Stop listening to the clock (a private scheduler whose work is done)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def cancel(self, entry: list[Any] | None) -> None:
        """Drop an entry; the heap is compacted when dropped entries are most of it."""
        if entry is None or entry[3] is None:
            return
        entry[3] = None
        self._cancelled += 1
        if self._cancelled > 256 and self._cancelled * 2 > len(self._heap):
            self._heap = [live for live in self._heap if live[3] is not None]
            heapq.heapify(self._heap)
            self._cancelled = 0

    def next_due(self) -> float | None:
        """The due time of the earliest live entry (cancelled ones are dropped on the way)."""
        heap = self._heap
        while heap and heap[0][3] is None:
            heapq.heappop(heap)
            self._cancelled -= 1
        return heap[0][0] if heap else None

    def _advanced(self, epoch: float) -> None:
        heap = self._heap
        if not self.busy and heap and heap[0][0] <= epoch:
            self.drain()

    def drain(self) -> None:
        """Run every entry due by the clock's time, in (due, priority, sequence) order."""
        if self.busy:
            return
        clock = self.clock
        self.busy = True
        try:
            while self._heap and self._heap[0][0] <= clock.time():
                entry = heapq.heappop(self._heap)
                callback = entry[3]
                if callback is None:
                    self._cancelled -= 1
                    continue
                entry[3] = None
                self.current = entry[0]
                callback()
        finally:
            self.busy = False
            self.current = None

    def run_now(self, work: Callable[..., Any], *args: Any) -> Any:
        """Run ``work(*args)`` at the current instant (a start, a callback, a stop), then what became due."""
        if self.busy:  # from inside running work (a handler starting an execution): run it in line
            return work(*args)
        self.busy = True
        self.current = self.clock.time()
        try:
            result = work(*args)
        finally:
            self.busy = False
            self.current = None
        heap = self._heap
        if heap and heap[0][0] <= self.clock.time():
            self.drain()
        return result


class Owner(Protocol):
    """What a thread belongs to (an execution's interpreter): its virtual ``now`` is set on resume; its
    ``deadline`` becomes a timer (``arm_deadline``) only when a thread parks or waits past it."""

    now: float
    deadline: float

    def arm_deadline(self) -> None: ...


class Thread:
    """One resumable line of work: a generator yielding due times or :data:`PARK`.

    ``on_done(thread, result, error)`` runs when the generator returns or raises; ``tag`` is the caller's
    (a branch or iteration index). ``hooks`` run when the thread is killed (its children, its callback
    registrations go with it).
    """

    __slots__ = ("done", "gen", "hooks", "on_done", "owner", "scheduler", "tag", "timer")

    def __init__(
        self,
        scheduler: Scheduler,
        owner: Owner,
        gen: Generator[Any, Any, Any],
        on_done: Callable[[Thread, Any, BaseException | None], None],
        tag: int = 0,
    ) -> None:
        self.scheduler = scheduler
        self.tag = tag
        self.owner = owner
        self.gen = gen
        self.on_done = on_done
        self.done = False
        self.timer: list[Any] | None = None
        self.hooks: list[Callable[[], None]] | None = None

    def start(self) -> None:
        self._step(None, None)

    def resume(self, value: Any = None) -> None:
        """Continue a parked thread at the scheduler's current instant, sending ``value``."""
        if self.done:
            return
        self.owner.now = self.scheduler.now()
        self._step(value, None)

    def throw(self, error: BaseException) -> None:
        """Continue a parked thread by raising ``error`` where it waits."""
        if self.done:
            return
        self.owner.now = self.scheduler.now()
        self._step(None, error)

    def on_kill(self, hook: Callable[[], None]) -> None:
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(hook)

    def clear_hooks(self) -> None:
        self.hooks = None

    def kill(self) -> None:
        """Abort the thread where it stands: its timer, its hooks (children, waits), its generator."""
        if self.done:
            return
        self.done = True
        if self.timer is not None:
            self.scheduler.cancel(self.timer)
            self.timer = None
        hooks, self.hooks = self.hooks, None
        for hook in hooks or ():
            hook()
        self.gen.close()

    def wait_for(self, command: Any) -> None:
        """What the generator yielded on its first step (taken in line by the caller): park or a timer."""
        if command is None or command > self.owner.deadline:
            self.owner.arm_deadline()
        if command is not None:
            self.timer = self.scheduler.at(command, self._wake)

    def _wake(self) -> None:
        self.timer = None
        current = self.scheduler.current
        if current is not None:
            self.owner.now = current
        self._step(None, None)

    def _step(self, value: Any, error: BaseException | None) -> None:
        gen = self.gen
        try:
            command = gen.send(value) if error is None else gen.throw(error)
        except StopIteration as stop:
            self.done = True
            self.hooks = None
            self.on_done(self, stop.value, None)
            return
        except Exception as failure:
            self.done = True
            self.hooks = None
            self.on_done(self, None, failure)
            return
        if command is None:
            self.owner.arm_deadline()
            return
        if command > self.owner.deadline:
            self.owner.arm_deadline()
        self.timer = self.scheduler.at(command, self._wake)
