"""For the lecture hall: presentation mode, the presenter's clicker, recordings for slides."""
