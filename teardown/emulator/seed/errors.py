"""Seeding's errors, each with the exit code a command line maps it to (2 bad world, 1 failed, 3 seeded)."""

from __future__ import annotations

# The exit codes of the sitewise-teardown command line, stated here because the emulator imports nothing
# of the engine: a bad world is bad input, a seeding that stopped is a failed run, a world that is
# already there is a refusal.
EXIT_SEED_FAILED = 1
EXIT_BAD_WORLD = 2
EXIT_ALREADY_SEEDED = 3


class WorldError(Exception):
    """Base of every error seeding raises on purpose; ``exit_code`` is what a command line exits with."""

    exit_code = EXIT_SEED_FAILED


class WorldFileError(WorldError):
    """A world (file or spec) is malformed or breaks a rule; the message names the key at fault."""

    exit_code = EXIT_BAD_WORLD


class SeedError(WorldError):
    """Seeding stopped: a call failed for good, a resource ended FAILED, or a wait timed out."""

    exit_code = EXIT_SEED_FAILED


class WorldAlreadySeeded(SeedError):
    """The world's deterministic ids already exist in the target: seeding refuses rather than mix worlds."""

    exit_code = EXIT_ALREADY_SEEDED
