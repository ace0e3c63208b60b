"""Help screens a person reads: a switch shows no type, a value shows what to type, usage reads `BOOK`.

Typer labels every option with its Python type (`--json <bool>`, `--as-of <str>`) and writes a
required argument as `{book}` in the usage line. The two classes here, given to every command and
group of the CLI (`cls=`), say it in a user's words instead; a test reads every command's --help.
"""
from __future__ import annotations

import click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# Python type names as the help shows them; an option with a metavar of its own keeps it.
_VALUE_LABELS = {"str": "text", "float": "number", "int": "integer", "int range": "integer", "list[str]": "text"}
# Days are typed as text (YYYY-MM-DD) so that a wrong one gets our message, not a parser's.
_DATE_OPTIONS = {"as_of", "since"}


def _tidy(ctx: click.Context, params: list[click.Parameter]) -> list[click.Parameter]:
    for param in params:
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""  # a switch takes no value, so it has no type to show
        elif param.name in _DATE_OPTIONS:
            param.metavar = "<date>"
        else:
            label = param.display_type(ctx).strip("<>")
            param.metavar = f"<{_VALUE_LABELS.get(label, label)}>"
    return params


def _argument_piece(param: TyperArgument) -> str:
    name = param.display_name_raw.upper()
    name = name if param.required else f"[{name}]"
    return name + ("..." if param.nargs != 1 else "")


class HelpCommand(TyperCommand):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _tidy(ctx, super().get_params(ctx))

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        """`validate [OPTIONS] BOOK`, the way every Unix command writes it."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_argument_piece(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class HelpGroup(TyperGroup):
    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _tidy(ctx, super().get_params(ctx))
