"""Shared-memory records: a round trip of a whole snapshot recipe, and no torn read under a racing writer."""
import multiprocessing
import time
from dataclasses import fields

import numpy as np
import pytest
from engine_toys import rewrite_forever
from toys import recipe, tiny_dataset, trained

from core.engine.slots import SharedSlots, TornRead
from core.engine.snapshot_codec import recipe_to_record, record_bytes, record_to_recipe, record_to_snapshot


@pytest.fixture
def segment():
    made = []

    def make(**kw):
        made.append(SharedSlots(**kw))
        return made[-1]

    yield make
    for s in made:
        s.close()
        s.unlink()


def same(a, b):
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True) and a.dtype == b.dtype
    if isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) or (a[k] != a[k] and b[k] != b[k]) for k in a)
    return a == b


def test_a_recipe_comes_back_whole_and_makes_the_same_snapshot_read_only(segment):
    ds = tiny_dataset()
    net, tr, before = trained(ds)
    sent = recipe(net, ds, trainer=tr, before=before, running=True, extra={"time": 2.5, "odd": float("inf")})
    writer = segment(slot_bytes=record_bytes(recipe_to_record(sent)[1]))
    reader = SharedSlots(writer.name)
    assert reader.read() is None
    assert writer.write(*recipe_to_record(sent))
    number, meta, arrays = reader.read()
    came = record_to_recipe(meta, arrays)
    for f in fields(sent):
        assert same(getattr(sent, f.name), getattr(came, f.name)), f.name
    snap, back = sent.make(), record_to_snapshot(meta, arrays)
    for f in fields(snap):
        assert same(getattr(snap, f.name), getattr(back, f.name)), f.name
    assert back.batch is not None and back.example_grad is not None and back.step == tr.step_count
    assert not back.params.flags.writeable and not back.weights[0].flags.writeable
    assert np.shares_memory(back.weights[0], back.params)
    assert number == 1 and reader.read_new() is None
    reader.close()


def test_a_drawn_example_without_a_label_round_trips(segment):
    ds = tiny_dataset()
    net, _, _ = trained(ds)
    sent = recipe(net, ds, x=np.linspace(0, 1, 64))
    writer = segment(slot_bytes=record_bytes(recipe_to_record(sent)[1]))
    writer.write(*recipe_to_record(sent))
    back = record_to_snapshot(*writer.read()[1:])
    assert back.label is None and back.nudges is None and back.example_grad is None
    assert same(back.activations, sent.make().activations)


def test_a_record_too_large_is_refused_and_the_old_one_kept(segment):
    s = segment(slot_bytes=1024)
    assert s.write({"k": 1}, {"a": np.zeros(10)})
    assert not s.write({"k": 2}, {"a": np.zeros(1000)})
    assert s.read()[1] == {"k": 1}


def stress(segment, verify, slots, seconds):
    """Read while another process rewrites; return (reads, torn reads, distinct records seen)."""
    ctx = multiprocessing.get_context("spawn")
    s = segment(slot_bytes=600_000, slots=slots)
    stop = ctx.Event()
    writer = ctx.Process(target=rewrite_forever, args=(s.name, stop), daemon=True)
    writer.start()
    reads = torn = 0
    seen = set()
    try:
        deadline = time.monotonic() + 20
        while s.published < 50 and time.monotonic() < deadline:  # the writer is up and running
            time.sleep(0.01)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                record = s.read(verify=verify)
            except TornRead:
                continue
            _, meta, arrays = record
            k = meta["k"]
            reads += 1
            seen.add(k)
            whole = (meta["label"] == f"record {k}" and (arrays["a"] == k).all() and (arrays["b"] == k).all())
            torn += not whole
            if torn and not verify:
                break
    finally:
        stop.set()
        writer.join(5)
    return reads, torn, len(seen)


@pytest.mark.parametrize("slots", [1, 2])
def test_no_read_is_ever_torn_while_a_process_rewrites_as_fast_as_it_can(segment, slots):
    reads, torn, distinct = stress(segment, verify=True, slots=slots, seconds=1.5)
    assert torn == 0
    assert reads > 20 and distinct > 10  # the reader kept up with new records, not one old one


def test_the_stress_test_catches_torn_reads_when_the_seqlock_check_is_skipped(segment):
    reads, torn, _ = stress(segment, verify=False, slots=1, seconds=8)
    assert torn > 0


def test_numpy_values_among_the_facts_cross_as_plain_numbers(segment):
    ds = tiny_dataset()
    net, _, _ = trained(ds)
    sent = recipe(net, ds, extra={"probe": np.arange(3), "count": np.int64(4), "rate": np.float32(0.5)})
    writer = segment(slot_bytes=record_bytes(recipe_to_record(sent)[1]))
    assert writer.write(*recipe_to_record(sent))
    back = record_to_snapshot(*writer.read()[1:])
    assert back.extra == {"probe": (0, 1, 2), "count": 4, "rate": 0.5}
