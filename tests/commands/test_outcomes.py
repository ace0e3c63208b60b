"""The one command shape, seen from outside: every registry command is run(wb, options) -> Outcome,
its --json is that Outcome (valid against `xlportfolio schema`), and its text is the renderer's lines,
the words the ribbon's message box shows. Real commands on a real sample portfolio."""
from __future__ import annotations

import inspect
import json
import shutil

import jsonschema
import pytest

from tests.support import AS_OF
from tests.support.cli import run
from xlportfolio import registry
from xlportfolio.commands import base, render
from xlportfolio.excel import ribbon

# What each command takes on the command line besides its workbook; {work} is the test's folder.
ARGS = {
    "validate": ["--as-of", AS_OF], "accept": ["--as-of", AS_OF], "score": ["--as-of", AS_OF],
    "select": ["--budget", "3m", "--as-of", AS_OF], "gates": ["--as-of", AS_OF], "rollup": ["--as-of", AS_OF],
    "run": ["--as-of", AS_OF], "verify": [], "report": ["--as-of", AS_OF],
}
READ_ONLY = {"verify", "report"}  # no --output: they never write the workbook back


def outcome_type(command: str):
    return base.Outcome[registry.BY_ID[command].module().Figures]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Each registry command run twice on equal copies of one sample portfolio, once printing text,
    once --json: {command: (text result, json result)}. verify and report read the portfolio after gates."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.demo.run import write_crm_export, write_inbox
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    work = tmp_path_factory.mktemp("outcomes")
    source = work / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, sample_portfolio(AS_OF)).save(source)
    write_inbox(work / "inbox", AS_OF)
    export = write_crm_export(work / "sf.csv", AS_OF)
    gated = work / "gated.xlsx"
    results = {}
    for command in (c.id for c in registry.COMMANDS):
        def call(form: str, *extra, command=command):
            book = gated if command in READ_ONLY else source
            out = work / f"{command}-{form}.xlsx"
            if command == "consolidate":
                args = [work / "inbox", "--into", book, "--as-of", AS_OF]
            elif command == "import-crm":
                args = [export, "--into", book, "--as-of", AS_OF]
            else:
                args = [book, *ARGS[command]]
            if command == "report":
                args += ["--out", work / f"pack-{form}.html"]
            elif command not in READ_ONLY:
                args += ["--output", out]
            return run(command, *args, *extra)
        if command in READ_ONLY and not gated.exists():
            shutil.copy(work / "gates-json.xlsx", gated)
        results[command] = (call("text"), call("json", "--json"))
    return results


def test_every_registry_command_has_options_figures_and_run():
    for command in registry.COMMANDS:
        module = command.module()
        assert issubclass(module.Options, base.Options) and issubclass(module.Figures, base.Figures), command.id
        assert list(inspect.signature(module.run).parameters)[:2] == ["wb", "options"], command.id
        assert command.function() is module.run


def test_each_commands_json_is_its_outcome(ran):
    for command, (_, as_json) in ran.items():
        assert as_json.exit_code in (0, 1), (command, as_json.output)
        outcome = outcome_type(command).model_validate_json(as_json.stdout)
        assert outcome.command == command and outcome.exit_code == as_json.exit_code
        assert outcome.figures is not None and outcome.summary
        assert outcome.errors >= sum(f.severity == "error" for f in outcome.findings)
        # errors first, as every listing gives them
        severities = [f.severity for f in outcome.findings]
        assert severities == sorted(severities, key=lambda s: s != "error")


def test_the_text_is_exactly_the_renderers_lines_of_the_json(ran, tmp_path):
    for command, (text, as_json) in ran.items():
        outcome = outcome_type(command).model_validate_json(as_json.stdout)
        assert text.exit_code == as_json.exit_code, command
        if outcome.written is not None and command != "report":  # each run wrote its own copy
            outcome.written = outcome.written.with_name(f"{command}-text.xlsx")
        if command == "report":
            outcome.written = outcome.written.with_name("pack-text.html")
        expected = render.lines(outcome)
        assert text.stdout.splitlines() == expected, command
        # The ribbon's message box says the same words (cut only past what a message box shows).
        message = ribbon.outcome_text(outcome)
        assert message == "\n".join(expected) or len("\n".join(expected)) > ribbon.PROMPT_LIMIT


def test_the_text_names_the_first_errors_and_where_the_result_went(ran):
    text, as_json = ran["validate"]
    outcome = outcome_type("validate").model_validate_json(as_json.stdout)
    assert outcome.exit_code == 1 and outcome.figures.rows > 0
    lines = text.stdout.splitlines()
    assert lines[0] == outcome.summary and "First errors:" in lines
    first = next(f for f in outcome.findings if f.severity == "error")
    assert any(first.location() in line and first.message[:40] in line for line in lines)
    assert lines[-1].startswith("Written to ") and lines[-1].endswith("validate-text.xlsx.")


def test_schema_prints_valid_json_schema_that_each_json_output_meets(ran):
    everything = run("schema")
    assert everything.exit_code == 0
    schemas = json.loads(everything.stdout)
    assert list(schemas) == [c.id for c in registry.COMMANDS]
    for command, (_, as_json) in ran.items():
        for kind in ("options", "outcome"):
            jsonschema.Draft202012Validator.check_schema(schemas[command][kind])
        jsonschema.validate(json.loads(as_json.stdout), schemas[command]["outcome"])
        assert schemas[command]["outcome"]["title"].endswith("Outcome")
    one = run("schema", "verify")
    assert one.exit_code == 0 and json.loads(one.stdout) == {"verify": schemas["verify"]}
    assert run("schema", "nothing").exit_code == 2


def test_options_refuse_what_a_command_does_not_take():
    from pydantic import ValidationError

    from xlportfolio.commands.validate import Options

    with pytest.raises(ValidationError):
        Options(budget="2m")
    assert Options(as_of=AS_OF.isoformat()).as_of == AS_OF
