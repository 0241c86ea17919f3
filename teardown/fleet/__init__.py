"""Fleets: many accounts and regions from one targets file, their plans, journals, locks and reports in a state
store (a local directory or an S3 prefix), planned and applied side by side or fanned out on a scheduler."""
