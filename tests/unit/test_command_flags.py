"""The action commands' flags are generated from the specs: every field has its flag, the
kinds map to argparse's means, and a new action has its command with no CLI edit."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from amitui.actions import ACTIONS
from amitui.commands import build_parser, dispatch
from amitui.commands.flags import flag_names, given_values, image_field


def subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[name]


def options(name: str) -> dict[str, argparse.Action]:
    return {o: a for a in subparser(name)._actions for o in a.option_strings}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_every_field_of_every_action_has_one_flag_or_is_the_image(name):
    spec = ACTIONS[name]
    flags = flag_names(spec)
    image = image_field(spec)
    assert set(flags) | ({image.api_name} if image else set()) == {f.api_name for f in spec.fields}
    assert len(set(flags.values())) == len(flags)
    known = options(name)
    assert all(f"--{flag}" in known for flag in flags.values())
    assert "--dry-run" in known and ("--wait" in known) == (spec.task is not None)


def test_kinds_become_argparse_means():
    copy, export, register = options("copy"), options("export"), options("register")
    assert copy["--to"].required and copy["--to"].__class__.__name__ == "_AppendAction"
    assert not copy["--name"].required  # prefilled from the image, as in the form
    assert export["--disk-image-format"].choices == ("VMDK", "RAW", "VHD")
    assert "--no-ena-support" in register  # a switch that defaults to on
    assert options("deregister")["--confirm"].required
    assert "--anyway" in options("deregister")  # the usage guard's override
    assert "--description" in options("description")  # Description.Value


def test_repeated_and_comma_separated_values_are_joined_as_the_form_would():
    args = build_parser().parse_args(
        ["copy", "ami-12345678", "--to", "eu-west-1,us-west-2", "--to", "ap-southeast-2",
         "--tags", "Team=a", "--tags", "Env=b", "--encrypted"]
    )  # fmt: skip
    values = given_values(ACTIONS["copy"], args)
    assert values == {
        "SourceImageId": "ami-12345678",
        "DestinationRegions": "eu-west-1,us-west-2, ap-southeast-2",
        "TagSpecifications": "Team=a, Env=b",
        "Encrypted": True,
    }
    cleaned = ACTIONS["copy"].clean(values)
    assert cleaned["DestinationRegions"] == ["eu-west-1", "us-west-2", "ap-southeast-2"]


def test_a_new_action_has_its_command_without_editing_the_cli():
    from tests.support import toy_action

    toy_action.install()
    try:
        assert "--name" in options("toy-clone")
        assert dispatch(["toy-clone", "ami-12345678", "--name", "x", "--read-only"]) == 2
    finally:
        toy_action.uninstall()
    assert dispatch(["toy-clone"]) is None  # gone: not a command (the UI's parser says so)


def test_the_commands_do_not_load_textual():
    code = (
        "import sys; from amitui.commands import build_parser; build_parser(); "
        "import amitui.commands.actions, amitui.commands.tasks; "
        "from amitui.actions.context import image_context; "
        "assert 'textual' not in sys.modules, 'textual loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def complete(script: str, *words: str) -> list[str]:
    """What bash offers after ``amitui <words>`` (the last word is the one being typed)."""
    line = " ".join(f"'{w}'" for w in ("amitui", *words))
    probe = (
        f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words)}; _amitui; echo "${{COMPREPLY[*]}}"'
    )
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_completion_script_offers_commands_flags_and_choices(capsys):
    assert dispatch(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert {"copy", "deregister", "tasks", "completion"} <= set(complete(script, ""))
    assert complete(script, "copy", "ami-12345678", "--t") == ["--to", "--tags"]
    assert complete(script, "export", "ami-1", "--disk-image-format", "") == ["VMDK", "RAW", "VHD"]
    assert complete(script, "--region", "eu-west-1", "tasks", "w") == ["wait"]
    assert complete(script, "tasks", "--format", "") == ["table", "json"]


def test_the_readme_examples_parse():
    """The README's shell section names flags that exist (parsed, not sent)."""
    import pathlib
    import shlex

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    section = readme.read_text().split("### Actions and tasks from the shell")[1]
    block = section.split("```")[1]
    lines = [line.split("#")[0].split("|")[0] for line in block.splitlines() if line]
    parser = build_parser()
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "amitui"
        parser.parse_args(words[1:])
