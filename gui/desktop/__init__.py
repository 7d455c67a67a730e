"""The app as a desktop program: its icon and menu entry, start-up checks, crash messages."""
