"""Tests of teardown.fleet and `sitewise-teardown fleet`."""
