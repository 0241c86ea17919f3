"""The apply lock is an flock on a file named by the plan digest, in one directory for the user: a live
holder refuses the next apply, copies of one plan cannot apply at once, the kernel frees the lock of a dead
process, and a lock that cannot be made is a clear error."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from teardown.applying import lock as lock_module
from teardown.applying.lock import LOCK_DIR_ENV, ApplyLock, lock_path
from teardown.errors import ApplyLocked, BadInputError
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.planfile import write_plan
from tests.support.cli import Cli
from tests.support.worlds import Env

DIGEST = "sha256:" + "e" * 64


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)
    return int(done.stdout)


def test_lock_refuses_a_second_apply_while_held(tmp_path: Path) -> None:
    """A live owner's lock refuses; releasing it lets the next apply in."""
    first = ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path)
    path = first.path
    with first.held():
        assert json.loads(path.read_text())["pid"] == os.getpid()
        with pytest.raises(ApplyLocked, match=str(os.getpid())):
            ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path).acquire()
    assert not path.exists()
    with ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path).held():
        pass


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    """A lock left by a crashed apply (its pid is gone) does not block forever."""
    lock = ApplyLock("d" * 64, tmp_path / "plan.json", directory=tmp_path)
    lock.path.write_text(f"{_dead_pid()}\n")
    with lock.held():
        assert json.loads(lock.path.read_text())["pid"] == os.getpid()


def test_two_copies_of_one_plan_in_two_directories_cannot_apply_at_once(env: Env, lock_dir: Path) -> None:
    """The same plan copied to two directories has one digest, so one lock: while the first copy's apply
    holds it, applying the second is refused (exit 3) naming the holder's pid and plan, and sends nothing.
    Once it is released, the second copy applies."""
    plan, first = env.plan(SelectionSpec(subtrees=(env.asset("site-1"),)), name="alice/site.plan.json")
    second = write_plan(plan, env.tmp / "bob" / "copy.plan.json")
    before = env.mutating_calls()
    with ApplyLock(plan.digest, first).held():
        with pytest.raises(ApplyLocked) as refused:
            env.apply(second)
        assert str(refused.value) == f"another apply of this plan is running (pid {os.getpid()}, plan {first})"
        assert refused.value.exit_code == 3
        assert env.mutating_calls() == before
        assert env.asset_exists("site-1")
    report = env.apply(second)
    assert report.ok and not env.asset_exists("site-1")
    assert list(lock_dir.iterdir()) == []  # released and removed


@pytest.mark.parametrize("content", ["dead pid", "", "not json"])
def test_a_lock_file_left_by_a_dead_process_is_simply_taken(env: Env, content: str) -> None:
    """A lock file that exists but that no process flocks (its holder died, before or after writing its pid)
    holds nothing: the next apply takes it and runs."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.asset("spare"),)), name="spare.plan.json")
    text = json.dumps({"pid": _dead_pid(), "plan": "/gone/plan.json"}) if content == "dead pid" else content
    lock_path(plan.digest).write_text(text)
    assert env.apply(path).ok
    assert not env.asset_exists("spare")


def test_a_holder_that_has_not_written_its_pid_yet_still_holds_the_lock() -> None:
    """Taking the lock is the flock itself, not the pid written after it: an empty lock file that a live
    process flocks refuses the next apply (the message names the lock file instead of a pid)."""
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


def test_the_kernel_frees_the_lock_when_its_holder_is_killed() -> None:
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
    assert lock_module.lock_dir() == tmp_path / "override"
    monkeypatch.delenv(LOCK_DIR_ENV)
    runtime = tmp_path / "run-user"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert lock_module.lock_dir() == runtime / "sitewise-teardown" / "locks"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "no-such-dir"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    shared = tmp_path / "tmp" / f"sitewise-teardown-{os.getuid()}"
    assert lock_module.lock_dir() == shared / "locks"
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


def test_apply_on_the_command_line_reports_an_unusable_lock_without_a_traceback(env: Env, cli: Cli) -> None:
    """Through `sitewise-teardown apply`: exit 2 and an error line, before any mutating call."""
    plan, path = env.plan(SelectionSpec(subtrees=(env.asset("spare"),)), name="spare.plan.json")
    lock_path(plan.digest).mkdir(parents=True)
    before = env.mutating_calls()
    result = cli("apply", str(path), "--auto-approve")
    assert result.code == 2 and result.clean
    assert result.errors == [f"error: {lock_path(plan.digest)}: cannot create the apply lock: Is a directory "
                             f"(set {LOCK_DIR_ENV} to a directory of your own to put the locks elsewhere)"]
    assert env.mutating_calls() == before
