"""Records of numeric arrays handed between processes through shared memory, never torn.

A `SharedSlots` segment holds one or two slots. Each slot is guarded by a sequence number
(a seqlock): the writer makes it odd before writing and even again after, and a reader
copies the slot out and keeps the copy only if the number was the same even value before
and after. With two slots the writer always fills the one the readers are not pointed at,
then points them at it: a reader is never kept waiting and the newest record wins; there
is no queue, so no backlog can grow however long a reader stalls.

A record is a small JSON-able dict (`meta`) and named numeric arrays; the arrays' dtypes,
shapes and offsets travel in the JSON, their bytes after it.

Aligned 8-byte loads and stores are atomic, and on x86-64 they also keep their program
order; for CPUs that may reorder them (ARM), `_fence()` (a lock released and taken again:
a release followed by an acquire) sits between the seqlock's steps.
"""
from __future__ import annotations

import contextlib
import json
import secrets
import threading
from multiprocessing import shared_memory

import numpy as np

HEADER = 64  # bytes: magic, slots, slot bytes, latest slot, records published
SLOT_HEADER = 16  # bytes: sequence number, payload length
ALIGN = 16
MAGIC = 0x4E4E5853  # "NNXS"
READ_ATTEMPTS = 50

_barrier = threading.Lock()
_barrier.acquire()


def _fence() -> None:
    """Keep the memory accesses before this call ahead of those after it."""
    _barrier.release()
    _barrier.acquire()


class TornRead(Exception):
    """A record changed while it was being copied (raised only when every retry failed)."""


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def encode(meta: dict, arrays: dict) -> tuple:
    """Return (JSON bytes, [(offset, array), …], payload length) laying out one record."""
    layout, offset, parts = {}, 0, []
    for name, array in arrays.items():
        if array is None:
            continue
        a = np.ascontiguousarray(array)
        layout[name] = (a.dtype.str, a.shape, offset)
        parts.append((offset, a))
        offset = _aligned(offset + a.nbytes)
    text = json.dumps({"meta": meta, "arrays": layout}, separators=(",", ":")).encode()
    start = _aligned(8 + len(text))
    return text, [(start + off, a) for off, a in parts], start + offset


def decode(payload: np.ndarray) -> tuple:
    """Return (meta, arrays) from a copied payload; the arrays are read-only views into it."""
    n = int(payload[:8].view(np.int64)[0])
    record = json.loads(payload[8:8 + n].tobytes())
    start = _aligned(8 + n)
    arrays = {}
    for name, (dtype, shape, offset) in record["arrays"].items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        a = payload[start + offset:start + offset + count * dt.itemsize].view(dt).reshape(shape)
        a.flags.writeable = False
        arrays[name] = a
    payload.flags.writeable = False
    return record["meta"], arrays


class SharedSlots:
    """A shared-memory segment of one or two seqlocked slots (see the module docstring)."""

    def __init__(self, name: str | None = None, *, slot_bytes: int = 0, slots: int = 2, prefix: str = "nnx"):
        if name is None:  # create
            if slots not in (1, 2) or slot_bytes <= 0:
                raise ValueError("a new SharedSlots needs 1 or 2 slots of a positive size")
            slot_bytes = _aligned(slot_bytes + SLOT_HEADER)
            name = f"{prefix}_{secrets.token_hex(6)}"
            self.shm = shared_memory.SharedMemory(name=name, create=True, size=HEADER + slots * slot_bytes)
            self.owner = True
            self._head = np.ndarray((8,), np.int64, self.shm.buf, 0)
            self._head[:] = (MAGIC, slots, slot_bytes, 0, 0, 0, 0, 0)
        else:  # attach
            self.shm = shared_memory.SharedMemory(name=name)
            self.owner = False
            self._head = np.ndarray((8,), np.int64, self.shm.buf, 0)
            if self._head[0] != MAGIC:
                raise ValueError(f"shared memory {name!r} is not a snapshot segment")
        self.name = self.shm.name
        self.slots, self.slot_bytes = int(self._head[1]), int(self._head[2])
        self._slot_heads = [np.ndarray((2,), np.int64, self.shm.buf, HEADER + i * self.slot_bytes)
                            for i in range(self.slots)]
        self._bytes = np.ndarray((self.shm.size,), np.uint8, self.shm.buf, 0)
        self._seen = 0

    @property
    def capacity(self) -> int:
        """Return the largest payload (bytes) a slot holds."""
        return self.slot_bytes - SLOT_HEADER

    @property
    def published(self) -> int:
        """Return how many records have been written so far."""
        return int(self._head[4])

    # -- writer ------------------------------------------------------------------------------
    def fits(self, meta: dict, arrays: dict) -> bool:
        return encode(meta, arrays)[2] <= self.capacity

    def write(self, meta: dict, arrays: dict) -> bool:
        """Publish one record; return False (writing nothing) if it does not fit."""
        text, parts, length = encode(meta, arrays)
        if length > self.capacity:
            return False
        target = (int(self._head[3]) + 1) % self.slots
        head = self._slot_heads[target]
        base = HEADER + target * self.slot_bytes + SLOT_HEADER
        seq = int(head[0])
        head[0] = seq + 1  # odd: being written
        _fence()
        head[1] = length
        self._bytes[base:base + 8].view(np.int64)[0] = len(text)
        self._bytes[base + 8:base + 8 + len(text)] = np.frombuffer(text, np.uint8)
        for offset, a in parts:
            self._bytes[base + offset:base + offset + a.nbytes] = a.reshape(-1).view(np.uint8)
        _fence()
        head[0] = seq + 2  # even: complete
        _fence()
        self._head[3] = target
        self._head[4] += 1
        return True

    # -- reader ------------------------------------------------------------------------------
    def read(self, verify: bool = True):
        """Return (number, meta, arrays) of the newest record, or None if none was written.

        number counts records published; arrays are read-only views into a private copy.
        verify=False skips the seqlock check (only for the test that shows it is needed).
        """
        for _ in range(READ_ATTEMPTS):
            number = int(self._head[4])
            if number == 0:
                return None
            target = int(self._head[3])
            head = self._slot_heads[target]
            seq = int(head[0])
            if seq % 2:
                continue  # a writer that lapped the other slot is in this one: look again
            _fence()
            length = int(head[1])
            base = HEADER + target * self.slot_bytes + SLOT_HEADER
            payload = self._bytes[base:base + min(max(length, 8), self.capacity)].copy()
            _fence()
            if verify and int(head[0]) != seq:
                continue
            try:
                meta, arrays = decode(payload)
            except (ValueError, UnicodeDecodeError, KeyError, TypeError):
                if verify:
                    raise
                continue
            self._seen = number
            return number, meta, arrays
        raise TornRead(f"{self.name}: the record kept changing while being read")

    def read_new(self):
        """Return the newest record if it was published since the last read, else None."""
        if int(self._head[4]) == self._seen:
            return None
        return self.read()

    # -- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        """Unmap the segment (arrays returned by read() are copies and stay valid)."""
        self._head = self._slot_heads = self._bytes = None
        with contextlib.suppress(BufferError):  # a view still alive: the mapping goes at exit
            self.shm.close()

    def unlink(self) -> None:
        """Remove the segment's name (the memory goes once every process has unmapped it)."""
        unlink_segment(self.name)


def unlink_segment(name: str) -> bool:
    """Remove a shared-memory segment by name; return whether it still existed."""
    try:
        shm = shared_memory.SharedMemory(name=name)
    except FileNotFoundError:
        return False
    shm.close()
    try:
        shm.unlink()
    except FileNotFoundError:
        return False
    return True
