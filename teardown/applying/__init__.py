"""Applying a plan: guards, the DAG walk, execution, observation, journal and lock, progress and the report."""
