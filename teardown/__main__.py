from teardown.cli import run

run()
