"""Write frames (RGB arrays) as an animated GIF or an MP4 clip, for slides.

imageio writes both: GIF through Pillow, MP4 (H.264) through the ffmpeg that the
imageio-ffmpeg wheel ships, so nothing needs installing on the system.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

FORMATS = (".gif", ".mp4")
FPS_RANGE = (1, 60)


class RecordingError(ValueError):
    """A recording cannot be made as asked (its file type, frame rate or a frame)."""


def check_target(path, fps: float) -> str:
    """Return the file's extension (.gif or .mp4) if path and fps can be recorded; raise RecordingError."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise RecordingError(f"a recording is a .gif or an .mp4 file, not {Path(path).name!r}")
    if not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise RecordingError(f"the frame rate must be {FPS_RANGE[0]}–{FPS_RANGE[1]} frames a second, not {fps:g}")
    return suffix


class ClipWriter:
    """Append frames of one size to a GIF or MP4 file as they come; close() finishes the file."""

    def __init__(self, path, fps: float):
        self.path, self.fps = Path(path), float(fps)
        self.kind = check_target(path, fps)
        self.frames = 0
        self._size = None
        self._writer = None

    @property
    def frame_size(self) -> tuple | None:
        """(width, height) every frame must have: the first one's (None before it)."""
        return None if self._size is None else (self._size[1], self._size[0])

    def append(self, frame: np.ndarray) -> None:
        """Add one (height, width, 3) uint8 frame; every frame must have the first one's size."""
        frame = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
        if frame.ndim != 3:
            raise RecordingError(f"a frame is (height, width, 3), not {frame.shape}")
        if self._size is None:
            self._size = frame.shape
            self._writer = self._open(frame.shape)
        elif frame.shape != self._size:
            raise RecordingError(f"a frame of {frame.shape[1]}×{frame.shape[0]} in a clip of "
                                 f"{self._size[1]}×{self._size[0]}")
        if self.kind == ".mp4" and (frame.shape[0] % 2 or frame.shape[1] % 2):
            frame = frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2]  # H.264 wants even sides
        self._writer.append_data(frame)
        self.frames += 1

    def _open(self, shape):
        import imageio.v2 as imageio

        if self.kind == ".gif":
            return imageio.get_writer(self.path, mode="I", duration=1000.0 / self.fps, loop=0)
        # quality 8 of 10 keeps thin connection lines sharp; macro_block_size 2 only evens the sides
        return imageio.get_writer(self.path, fps=self.fps, codec="libx264", quality=8, macro_block_size=2,
                                  pixelformat="yuv420p")

    def close(self) -> int:
        """Finish the file and return how many frames it holds."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.frames


def count_frames(path) -> int:
    """Return how many frames a GIF or MP4 file holds (reads it back)."""
    import imageio.v2 as imageio

    reader = imageio.get_reader(path)
    try:
        return sum(1 for _ in reader)
    finally:
        reader.close()
