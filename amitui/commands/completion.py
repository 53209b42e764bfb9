"""`amitui completion bash|zsh`: a shell completion script written from the parsers
themselves (argparse only, no dependency): the commands, each command's flags, and the
values of the flags that take a fixed choice. Written when asked, so an action
registered later is in the next script; no Python runs while the user types."""

from __future__ import annotations

import argparse
from shlex import quote

SHELLS = ("bash", "zsh")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def nested_parsers(action: argparse.Action) -> bool:
    return isinstance(action, argparse._SubParsersAction)


def _parsers(
    ui: argparse.ArgumentParser, commands: argparse.ArgumentParser
) -> dict[str, tuple[argparse.ArgumentParser, list[str]]]:
    """``{command words: (its parser, the words that may follow it)}``; "" is the UI."""
    found: dict[str, tuple[argparse.ArgumentParser, list[str]]] = {
        "": (ui, [*_subcommands(commands), "sandbox"])
    }
    for name, sub in _subcommands(commands).items():
        nested = _subcommands(sub)
        found[name] = (sub, list(nested))
        for word, parser in nested.items():
            found[f"{name} {word}"] = (parser, [])
    return found


def script(shell: str, ui: argparse.ArgumentParser, commands: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (bash; zsh through its bashcompinit)."""
    words: list[str] = []
    values: list[str] = []
    takes_value: set[str] = set()
    for key, (parser, following) in _parsers(ui, commands).items():
        flags = []
        for action in parser._actions:
            options = [o for o in action.option_strings if o.startswith("--")]
            flags += options
            if options and action.nargs != 0:
                takes_value.update(options)
            if not options and action.choices and not nested_parsers(action):
                following = [*following, *map(str, action.choices)]  # completion's shell
            if options and action.choices and not any(" " in str(c) for c in action.choices):
                for option in options:
                    choices = quote(" ".join(action.choices))
                    values.append(f"    {quote(key + '|' + option)}) opts={choices} ;;")
        words.append(f"      {quote(key)}) opts={quote(' '.join(following + flags))} ;;")
    nl = "\n"
    zsh = "autoload -U +X bashcompinit && bashcompinit\n" if shell == "zsh" else ""
    return f"""{zsh}# amitui {shell} completion, written by `amitui completion {shell}`
_amitui() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  local cmd="" skip="" word i opts=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${{COMP_WORDS[i]}}"
    if [[ -n "$skip" ]]; then skip=""; continue; fi
    case " {" ".join(sorted(takes_value))} " in *" $word "*) skip=1; continue ;; esac
    case "$word" in
      -*) ;;
      *) if [[ -z "$cmd" ]]; then cmd="$word"
         elif [[ "$cmd" == tasks && "$word" == wait ]]; then cmd="tasks wait"; fi ;;
    esac
  done
  case "$cmd|$prev" in
{nl.join(values)}
    *) case "$cmd" in
{nl.join(words)}
       esac ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
complete -o default -F _amitui amitui
"""
