import subprocess
import sys

import pytest

from salesops.cli import build_parser, main


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ["demo", "serve", "worker"]:
        assert command in out


@pytest.mark.parametrize("command", ["demo", "serve", "worker"])
def test_each_subcommand_says_what_it_does(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "usage: salesops " + command in capsys.readouterr().out


def test_bad_arguments_give_a_one_line_error_and_a_non_zero_exit():
    result = subprocess.run(
        [sys.executable, "-m", "salesops.cli", "serve", "--port", "eighty"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "invalid int value" in result.stderr.strip().splitlines()[-1]


def test_django_management_commands_pass_through():
    result = subprocess.run(
        [sys.executable, "-m", "salesops.cli", "run_periodic", "--list"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_tool_modules_register_their_subcommands():
    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices
    assert {"demo", "serve", "worker"} <= set(choices)
