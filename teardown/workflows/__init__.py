"""Workflows that join the engine and the emulator (the demo) or plan and apply in one run (scheduled resets)."""
