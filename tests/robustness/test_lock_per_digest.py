"""The apply lock is an flock on a file named by the plan digest, in one directory for the user: copies of
one plan cannot apply at once, the kernel frees the lock of a dead process, and a lock that cannot be made
is a clear error."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from teardown.applying.lock import LOCK_DIR_ENV, ApplyLock, lock_dir, lock_path
from teardown.applying.report import ApplyReport
from teardown.applying.run import apply
from teardown.errors import ApplyLocked, BadInputError
from teardown.inventory.selectors import SelectionSpec
from tests.robustness.support import FAST_OBSERVE, FAST_RETRY, Cli, Emulated

DIGEST = "sha256:" + "e" * 64


def _apply(emulated: Emulated, path: Path) -> ApplyReport:
    return apply(path, client=emulated.client, clock=emulated.clock, auto_approve=True, observe=FAST_OBSERVE,
                 retry=FAST_RETRY)


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)
    return int(done.stdout)


def test_two_copies_of_one_plan_in_two_directories_cannot_apply_at_once(emulated: Emulated, lock_dir: Path) -> None:
    """The same plan copied to two directories has one digest, so one lock: while the first copy's apply
    holds it, applying the second is refused (exit 3) naming the holder's pid and plan, and sends nothing.
    Once it is released, the second copy applies."""
    spec = SelectionSpec(subtrees=(emulated.world.assets["site"],))
    plan, (first, second) = emulated.plan(spec, emulated.tmp / "alice" / "site.plan.json",
                                          emulated.tmp / "bob" / "copy.plan.json")
    before = emulated.mutating_calls()
    with ApplyLock(plan.digest, first).held():
        with pytest.raises(ApplyLocked) as refused:
            _apply(emulated, second)
        assert str(refused.value) == f"another apply of this plan is running (pid {os.getpid()}, plan {first})"
        assert refused.value.exit_code == 3
        assert emulated.mutating_calls() == before
        assert emulated.asset_exists("site")
    report = _apply(emulated, second)
    assert report.ok and not emulated.asset_exists("site")
    assert list(lock_dir.iterdir()) == []  # released and removed


@pytest.mark.parametrize("content", ["dead pid", "", "not json"])
def test_a_lock_file_left_by_a_dead_process_is_simply_taken(
    emulated: Emulated, lock_dir: Path, content: str
) -> None:
    """A lock file that exists but that no process flocks (its holder died, before or after writing its pid)
    holds nothing: the next apply takes it and runs."""
    plan, (path,) = emulated.plan(SelectionSpec(subtrees=(emulated.world.assets["spare"],)),
                                  emulated.tmp / "spare.plan.json")
    lock_dir.mkdir()
    text = json.dumps({"pid": _dead_pid(), "plan": "/gone/plan.json"}) if content == "dead pid" else content
    lock_path(plan.digest).write_text(text)
    assert _apply(emulated, path).ok
    assert not emulated.asset_exists("spare")


def test_a_holder_that_has_not_written_its_pid_yet_still_holds_the_lock(lock_dir: Path) -> None:
    """Taking the lock is the flock itself, not the pid written after it: an empty lock file that a live
    process flocks refuses the next apply (the message names the lock file instead of a pid)."""
    lock_dir.mkdir()
    path = lock_path(DIGEST)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ApplyLocked, match=f"pid unknown; lock file {path}"):
            ApplyLock(DIGEST, "plan.json").acquire()
    finally:
        os.close(fd)
    with ApplyLock(DIGEST, "plan.json").held():
        pass


def test_the_kernel_frees_the_lock_when_its_holder_is_killed(lock_dir: Path) -> None:
    """A holder killed with SIGKILL runs no clean-up, yet its lock is free the moment it is gone."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom teardown.applying.lock import ApplyLock\n"
         f"lock = ApplyLock({DIGEST!r}, 'elsewhere/plan.json')\nlock.acquire()\nprint('held', flush=True)\n"
         "sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(ApplyLocked, match=f"pid {holder.pid}, plan .*elsewhere/plan.json"):
            ApplyLock(DIGEST, "here/plan.json").acquire()
    finally:
        holder.kill()
        holder.wait()
    with ApplyLock(DIGEST, "here/plan.json").held() as lock:
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()


def test_the_lock_directory_is_one_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SITEWISE_TEARDOWN_LOCK_DIR wins; else $XDG_RUNTIME_DIR/sitewise-teardown/locks when that directory
    exists; else <tempdir>/sitewise-teardown-<uid>/locks. The lock creates each new level 0o700."""
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path / "override"))
    assert lock_dir() == tmp_path / "override"
    monkeypatch.delenv(LOCK_DIR_ENV)
    runtime = tmp_path / "run-user"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert lock_dir() == runtime / "sitewise-teardown" / "locks"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "no-such-dir"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    shared = tmp_path / "tmp" / f"sitewise-teardown-{os.getuid()}"
    assert lock_dir() == shared / "locks"
    with ApplyLock(DIGEST, "plan.json").held() as lock:
        assert lock.path == shared / "locks" / f"{'e' * 64}.lock"
    assert (shared.stat().st_mode & 0o777, (shared / "locks").stat().st_mode & 0o777) == (0o700, 0o700)


def test_a_symlink_for_the_shared_lock_directory_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In a shared temporary directory, sitewise-teardown-<uid> must be the user's own directory, not a link
    someone planted to point the locks elsewhere."""
    monkeypatch.delenv(LOCK_DIR_ENV)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / f"sitewise-teardown-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(BadInputError, match="not a directory of user"):
        ApplyLock(DIGEST, "plan.json").acquire()


def test_a_lock_that_cannot_be_created_is_a_clear_error(lock_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory where the lock file belongs, or a file where the lock directory belongs: BadInputError
    (exit 2) naming the path and the reason, and the variable that moves the locks elsewhere."""
    lock_path(DIGEST, lock_dir).mkdir(parents=True)
    with pytest.raises(BadInputError, match=f"{lock_path(DIGEST)}: cannot create the apply lock: Is a directory"):
        ApplyLock(DIGEST, "plan.json").acquire()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(LOCK_DIR_ENV, str(blocker / "locks"))
    with pytest.raises(BadInputError, match=f"{LOCK_DIR_ENV}") as refused:
        ApplyLock(DIGEST, "plan.json").acquire()
    assert str(refused.value).startswith(f"{blocker / 'locks'}: cannot create the apply lock directory")


def test_apply_on_the_command_line_reports_an_unusable_lock_without_a_traceback(
    emulated: Emulated, lock_dir: Path, cli: Cli
) -> None:
    """Through `sitewise-teardown apply`: exit 2 and an error line, before any mutating call."""
    plan, (path,) = emulated.plan(SelectionSpec(subtrees=(emulated.world.assets["spare"],)),
                                  emulated.tmp / "spare.plan.json")
    lock_path(plan.digest).mkdir(parents=True)
    before = emulated.mutating_calls()
    result = cli("apply", str(path), "--auto-approve")
    assert result.code == 2 and result.clean
    assert result.errors == [f"error: {lock_path(plan.digest)}: cannot create the apply lock: Is a directory "
                             f"(set {LOCK_DIR_ENV} to a directory of your own to put the locks elsewhere)"]
    assert emulated.mutating_calls() == before
