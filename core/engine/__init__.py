"""The training engine in a process of its own, and the shared memory it talks through.

- `slots`: seqlocked records of numeric arrays (snapshots, the trajectory), never torn.
- `ring`: the per-step series (cost, gradient norms, evaluations) as a shared ring.
- `snapshot_codec`: a Snapshot as JSON-able facts plus arrays, and back.
- `shared_data`: a Dataset's arrays in shared memory, mapped by the engine without a copy.
- `process`: the engine's loop (child side); `handle`: the parent's handle on it.
"""
