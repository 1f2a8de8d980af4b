"""The API commands: one for each operation of the spec, built from the operations table.

Each operation's ``x-cli-command`` names its command (``user followed artists``); its parameters become the
command's: path parameters are arguments, a chunked list (``users ID...``) takes any number of them (``-`` reads
them from stdin), query parameters and body fields are options with the spec's bounds, choices and descriptions.
Listings add --limit (the spec's bounds), --all, --max-items and --cursor; every command has --json. A command that
is also a group (``me``, ``user``) runs its own operation when no subcommand is named (``user ID`` = ``user show
ID``). A replace (a PUT whose GET is the same path, ``me update``) fills the fields not given from that GET.

Imports of the client and rich happen inside the commands, so ``amazon-music --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import click

from amazon_music_generated.operations import OPERATIONS, Operation, Parameter

from ._exit import CliError, ExitCode
from ._listing import ListingOptions, listing_params, print_items, show_listing
from ._output import note, print_json, print_json_line, print_record
from ._state import CliState
from ._views import follow_sentence, record_fields, text, to_json

__all__ = ["OperationCommand", "register"]

# A group's own operation, when it has one, is also this subcommand (``user show ID``).
SHOW = "show"
_PAGING = ("limit", "cursor")


def _id_list(values: Sequence[str]) -> list[str] | None:
    """IDs from repeated options or arguments, each of which may hold several separated by commas."""
    ids = [item.strip() for value in values for item in value.split(",") if item.strip()]
    return ids or None


def _option_type(parameter: Parameter) -> Any:
    if parameter.enum:
        return click.Choice(list(parameter.enum), case_sensitive=False)
    if parameter.kind == "integer":
        low, high = parameter.minimum, parameter.maximum
        return click.IntRange(None if low is None else int(low), None if high is None else int(high))
    if parameter.kind == "number":
        return click.FloatRange(parameter.minimum, parameter.maximum)
    return None


def _option_help(parameter: Parameter) -> str:
    facts = []
    if parameter.minimum is not None or parameter.maximum is not None:
        facts.append(f"{parameter.minimum:g} to {parameter.maximum:g}" if parameter.maximum is not None else "")
    if parameter.kind == "list":
        facts.append(f"up to {parameter.max_count}; repeatable" if parameter.max_count else "repeatable")
    if parameter.default is not None:
        facts.append(f"the API's default {parameter.default}")
    fact = f" ({'; '.join(f for f in facts if f)})" if any(facts) else ""
    return parameter.description.rstrip(".") + fact + "."


def _replaced_by(operation: Operation) -> Operation | None:
    """For a replace (a PUT with a body), the GET of the same path, which gives the fields not given."""
    if operation.http_method != "PUT" or operation.body_model is None:
        return None
    return next((o for o in OPERATIONS if o.path == operation.path and o.http_method == "GET"), None)


def _params(operation: Operation) -> list[click.Parameter]:
    params: list[click.Parameter] = []
    optional_body = _replaced_by(operation) is not None
    for parameter in operation.parameters:
        name = parameter.python_name
        if operation.paged and name in _PAGING:
            continue
        metavar = name.upper().removesuffix("_ID") if parameter.location == "path" else None
        if operation.chunk == name:
            params.append(click.Argument([name], nargs=-1, required=True, metavar="ID..."))
        elif parameter.location == "path" or (parameter.required and parameter.location == "query"):
            params.append(click.Argument([name], metavar=metavar or name.upper()))
        else:
            flag = "--" + name.replace("_", "-")
            params.append(
                click.Option(
                    [flag, name],
                    type=_option_type(parameter),
                    multiple=parameter.kind == "list",
                    metavar="ID,..." if parameter.kind == "list" else None,
                    required=parameter.required and not optional_body,
                    help=_option_help(parameter),
                )
            )
    if operation.paged:
        limit = next(p for p in operation.parameters if p.python_name == "limit")
        params += listing_params(int(limit.minimum or 1), int(limit.maximum or operation.page_size or 1))
    else:
        json_help = "JSON Lines: one per line." if operation.chunk else "Print JSON."
        params.append(click.Option(["--json", "as_json"], is_flag=True, help=json_help))
    return params


class OperationCommand(click.Command):
    """The command of one operation (``operation`` says which)."""

    def __init__(self, name: str, operation: Operation) -> None:
        scopes = ", ".join(operation.scopes)
        super().__init__(
            name,
            callback=self._run,
            params=_params(operation),
            help=f"{operation.summary}. {operation.description} ({scopes})",
            short_help=f"{operation.summary} ({scopes}).",
        )
        self.operation = operation

    def _run(self, **values: Any) -> None:
        state = click.get_current_context().find_object(CliState)
        assert state is not None  # the root command puts it there
        operation = self.operation
        listing = ListingOptions.pop_from(values) if operation.paged else None
        as_json = bool(values.pop("as_json", False))
        arguments = self._arguments(values)
        with state.client() as music:
            _fill_from_current(music, operation, arguments)
            method = getattr(music, operation.method)
            if listing is not None:
                title = " ".join([*operation.command, *(str(arguments[p]) for p in _path_names(operation))])
                paginator = method(**arguments, **listing.paging())
                show_listing(paginator, _items_of(operation), operation.noun, listing, title=title)
                return
            result = method(**arguments)
        _show(operation, result, as_json, arguments)

    def _arguments(self, values: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        for parameter in self.operation.parameters:
            name = parameter.python_name
            if name not in values:
                continue
            value = values[name]
            if self.operation.chunk == name:
                value = [sys.stdin.read().replace("\n", ",").replace(" ", ",") if v == "-" else v for v in value]
                value = _id_list(value)
                if not value:
                    raise CliError(f"{' '.join(self.operation.command)}: no IDs given", ExitCode.USAGE)
            elif parameter.kind == "list":
                value = _id_list(value)
            arguments[name] = value
        return arguments


def _path_names(operation: Operation) -> list[str]:
    return [p.python_name for p in operation.parameters if p.location == "path"]


def _items_of(operation: Operation) -> Any:
    """A page's items, as the listing yields them (x-page-items)."""
    edges = attrgetter(operation.edges or "edges")
    if not operation.item_path:
        return lambda page: list(edges(page))
    item = attrgetter(".".join(operation.item_path))
    return lambda page: [item(edge) for edge in edges(page)]


def _fill_from_current(music: Any, operation: Operation, arguments: dict[str, Any]) -> None:
    """A replace sends every field: those not given are read first from the GET of the same path."""
    current_of = _replaced_by(operation)
    if current_of is None:
        return
    body = [p for p in operation.parameters if p.location == "body"]
    missing = [p for p in body if arguments.get(p.python_name) is None]
    if len(missing) == len(body):
        flags = ", ".join("--" + p.python_name.replace("_", "-") for p in body)
        raise click.UsageError(f"give at least one of {flags}")
    if not missing:
        return
    current = getattr(music, current_of.method)()
    for parameter in missing:
        value = text(getattr(current, parameter.python_name, None))
        if not value:
            flag = "--" + parameter.python_name.replace("_", "-")
            raise click.UsageError(f"{flag} is required: the current value is empty")
        arguments[parameter.python_name] = value


def _show(operation: Operation, result: Any, as_json: bool, arguments: dict[str, Any]) -> None:
    if isinstance(result, list):
        if as_json:
            for item in result:
                print_json_line(to_json(item))
            sys.stdout.flush()
        else:
            print_items(result, operation.noun)
        if operation.chunk is not None:
            missing = sorted(set(arguments[operation.chunk]) - {getattr(item, "id", None) for item in result})
            if missing:
                note(f"not found: {', '.join(missing)}")
        return
    if as_json:
        print_json(to_json(result))
        return
    sentence = follow_sentence(result)
    if sentence is not None:
        click.echo(sentence)
    else:
        print_record(record_fields(result))


# -- the command tree -----------------------------------------------------------------------------------------------


class OperationGroup(click.Group):
    """A group of commands; with an operation of its own (its ``show`` subcommand), a first argument that is not a
    subcommand, or none at all, runs that operation: ``user ID`` is ``user show ID``, ``me`` is ``me show``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if SHOW in self.commands and not {"-h", "--help"} & set(args):
            first = next((arg for arg in args if not arg.startswith("-")), None)
            if first is None or first not in self.commands:
                args = [SHOW, *args]
        return super().parse_args(ctx, args)


def _group_help(group: click.Group) -> None:
    """A group's help: what its commands do (a subgroup by its name)."""
    parts = [
        f"{name} ..." if isinstance(command, click.Group) else command.get_short_help_str(200).split(" (")[0]
        for name, command in group.commands.items()
    ]
    group.help = "; ".join(parts) + "."


def register(root: click.Group) -> None:
    """A command for every operation of the table, under groups made from the words of its x-cli-command."""
    groups: set[tuple[str, ...]] = {op.command[:depth] for op in OPERATIONS for depth in range(1, len(op.command))}
    made: list[click.Group] = []
    for operation in OPERATIONS:
        parent = root
        for depth in range(1, len(operation.command)):
            parent = _group(parent, operation.command[depth - 1], made)
        name = operation.command[-1]
        if operation.command in groups:
            parent = _group(parent, name, made)
            name = SHOW
        parent.add_command(OperationCommand(name, operation))
    for group in made:
        _group_help(group)


def _group(parent: click.Group, name: str, made: list[click.Group]) -> click.Group:
    existing = parent.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = OperationGroup(name)
    parent.add_command(group)
    made.append(group)
    return group
