"""Restore what an archive holds (``teardown.archive``): a restore plan of steps ordered as a graph, walked
with the apply engine (walk, journal, lock, the one request path), every new id reported against the old."""
