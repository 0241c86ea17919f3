"""The teardown race (``python -m benchmarks.teardown_race``): its world, its lower bound and its strategies."""
