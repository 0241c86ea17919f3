"""Inventory: plain frozen records of what discovery saw, the selector table, and selection over them (pure)."""
