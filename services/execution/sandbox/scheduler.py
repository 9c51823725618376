"""Round-robin queue across owners: one owner's burst cannot starve the others."""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class FairQueue(Generic[T]):
    """Per-owner FIFOs served in rotation. An owner that just got a turn goes to the back
    of the rotation; a newly seen owner joins at the back."""

    def __init__(self) -> None:
        self._items: dict[str, deque[T]] = {}
        self._ring: deque[str] = deque()

    def __len__(self) -> int:
        return sum(len(q) for q in self._items.values())

    def push(self, owner: str, item: T) -> None:
        if owner not in self._items:
            self._items[owner] = deque()
            self._ring.append(owner)
        self._items[owner].append(item)

    def pop(self) -> T:
        owner = self._ring.popleft()
        queue = self._items[owner]
        item = queue.popleft()
        if queue:
            self._ring.append(owner)
        else:
            del self._items[owner]
        return item

    def remove(self, owner: str, item: T) -> bool:
        queue = self._items.get(owner)
        if queue is None or item not in queue:
            return False
        queue.remove(item)
        if not queue:
            del self._items[owner]
            self._ring.remove(owner)
        return True

    def order(self) -> list[T]:
        """The order in which the queued items would be dispatched from now on."""
        items = {owner: deque(q) for owner, q in self._items.items()}
        ring = deque(self._ring)
        out: list[T] = []
        while ring:
            owner = ring.popleft()
            out.append(items[owner].popleft())
            if items[owner]:
                ring.append(owner)
        return out
