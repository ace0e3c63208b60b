"""verify: check the ledger's hash chain without changing the workbook; keep a copy of it, or compare one.

The chain is anchored by its head (the last row's Seq:Hash) kept in the workbook, so a ledger whose
rows are there but whose head is gone is a finding. A copy exported to a JSON Lines file, kept
outside the workbook, proves later that no recorded row was rewritten since; the ledger key
(user_config) proves who wrote the rows.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.findings import Finding, Report
from xlportfolio.core.gates.ledger import LEDGER_HEADER, LEDGER_SHEET, keyed_rows
from xlportfolio.core.gates.ledger_copy import FIELDS, as_rows, compare, records
from xlportfolio.core.gates.ledger_verify import verify
from xlportfolio.core.gates.positions import bypasses, read_ledger
from xlportfolio.errors import BadCopy, LedgerTampered, NoLedger, XlPortfolioError
from xlportfolio.schema import ITEMS, STAGES
from xlportfolio.user_config import LedgerKey, how_to_set_key, ledger_key

HEAD_PROPERTY = "xlportfolio.ledger_head"  # the last row's Seq:Hash, so a cut-off end shows too


class Options(BaseOptions):
    model_config = ConfigDict(title="VerifyOptions")

    against: Path | None = Field(None, description="A copy written by export earlier: every row it holds must "
                                 "still be in the ledger, unchanged and in order.")
    export: Path | None = Field(None, description="Write the ledger's rows to this JSON Lines file (only when "
                                "the ledger verifies), to keep outside the workbook.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="VerifyFigures")

    rows: int = Field(description="Rows in the ledger.")
    intact: bool = Field(description="Nothing was found: no row edited, deleted, inserted or reordered.")
    keyed: int = Field(description="Rows whose Hash is an HMAC of the ledger key.")
    key: str | None = Field(description="Where the ledger key came from, if one is set.")
    against: str | None = Field(description="The copy compared with.")
    copied: int = Field(description="Rows the copy holds.")
    exported: str | None = Field(description="The copy written, when one was asked for and the ledger verifies.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Check the ledger (and compare a copy, or export one when the ledger verifies in full); the
    workbook is only read. The copy is written whole or not at all, so it never records a tampered ledger.
    Exit code 1 tampered; 2 keyed rows that cannot be checked without the key; 0 intact."""
    if options.export is not None:
        _check_export(options.export)
    key = ledger_key()
    copy = (str(options.against), read_copy(options.against, key)) if options.against is not None else None
    check = check_on(wb, key, copy)
    details = check.details(20)
    if options.export is not None and check.exit_code == 0:
        write_copy(options.export, records(ledger_rows(wb)))
        check.exported = options.export
        details.append(f"Copy of the ledger written to {check.exported}; keep it outside the workbook and check "
                       f"later with --against {check.exported}.")
    elif options.export is not None:
        details.append(f"No copy was written to {options.export}: only a ledger that verifies in full is exported.")
    figures = Figures(rows=check.rows, intact=not check.report.findings, keyed=check.keyed,
                      key=check.key.source if check.key else None, against=check.copy, copied=check.copied,
                      exported=str(check.exported) if check.exported else None)
    return Outcome.of("verify", check.summary(), check.exit_code, check.report, details, figures)


def ledger_rows(wb: Workbook) -> list[tuple]:
    rows = wb.sheet_rows(LEDGER_SHEET) or []
    width = len(LEDGER_HEADER)
    return [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:]]


def ledger_findings(wb: Workbook, key: LedgerKey | None) -> list[Finding]:
    """The chain's findings: keyed rows checked with the key, its end against the head, which must be there."""
    return verify(ledger_rows(wb), expected_head=wb.get_property(HEAD_PROPERTY),
                  key=key.secret if key else None, require_head=True)


@dataclass
class LedgerCheck:
    """What verify found, and what it could not check."""

    report: Report
    rows: int
    keyed: int  # rows whose Hash is an HMAC
    key: LedgerKey | None
    copy: str | None = None  # the copy compared with
    copied: int = 0  # rows it holds
    exported: Path | None = None

    @property
    def exit_code(self) -> int:
        """1 tampered; 2 keyed rows that cannot be checked without the key; 0 intact."""
        return 1 if self.report.findings else 2 if self.keyed and self.key is None else 0

    def summary(self) -> str:
        if self.report.findings:
            return verdict(self.report)
        if self.exit_code == 2:
            return (f"The ledger is keyed ({self.keyed} of {self.rows} rows): what those rows say, and who wrote "
                    f"them, can only be checked with the ledger key; {how_to_set_key()}. Their Seq, links and order "
                    "hold.")
        if not self.rows:
            return "The ledger has no rows yet: gates has recorded no move or decision."
        text = (f"The ledger is intact: {self.rows} rows, hash chain verified; every Stage and State on Items "
                "is the ledger's.")
        if self.copy is not None:
            added = self.rows - self.copied
            text += (f" Every one of the {self.copied} rows in {self.copy} is unchanged"
                     + (f"; {added} rows were added since." if added else "."))
        return f"{text} {self.authorship()}"

    def authorship(self) -> str:
        plain = self.rows - self.keyed
        source = self.key.source if self.key else ""
        if not plain:
            return f"Every row matches the ledger key ({source}): only a key holder can have written them."
        if self.keyed:  # verified, so the plain rows are the first ones
            return (f"Seq 1 to {plain} were recorded before the ledger was keyed: they prove order and integrity, "
                    f"not authorship. The {self.keyed} rows after them match the ledger key ({source}).")
        text = ("The chain proves order and integrity, not authorship: whoever can edit the workbook can "
                "recompute an unkeyed chain.")
        if self.key:
            return f"{text} A ledger key is set ({source}): the next gates run keys the rows it adds."
        return f"{text} To prove who wrote the rows, {how_to_set_key()} before gates records moves."

    def details(self, limit: int | None = None) -> list[str]:
        return [f"{f.location()} {f.code}: {f.message}" for f in self.report.findings[:limit]]


def check_on(wb: Workbook, key: LedgerKey | None, copy: tuple[str, list[dict]] | None = None) -> LedgerCheck:
    """The ledger's findings (and, given a copy, what changed since it was taken); nothing is changed."""
    check_workbook(wb, "verify")
    if wb.sheet_rows(LEDGER_SHEET) is None and wb.get_property(HEAD_PROPERTY) is None:
        raise NoLedger(wb.source, f"there is no ledger in this workbook (no {LEDGER_SHEET} sheet and no recorded "
                       "head): gates writes one in a portfolio workbook when it records the first move or "
                       "decision. Nothing was checked.")
    rows = ledger_rows(wb)
    findings = ledger_findings(wb, key)
    if not findings:  # once the chain holds, every Stage or State on Items that is not the ledger's
        findings = ledger_disagreements(wb, rows)
    check = LedgerCheck(Report(()), sum(1 for r in rows if any(r)), keyed_rows(rows), key)
    if copy is not None:
        check.copy, check.copied = copy[0], len(copy[1])
        findings += compare(rows, copy[1], copy[0])
    check.report = Report.of(findings)
    return check


def checked_ledger(wb: Workbook, stopped: str) -> tuple[list[tuple], LedgerKey | None]:
    """The ledger's rows, once they verify, and the key to chain new rows with.

    Chaining new rows onto a forged, cut-off or unanchored ledger would hide the forgery, and rows
    added to a keyed ledger without its key would break its proof of authorship.
    """
    existing, key = ledger_rows(wb), ledger_key()
    tampered = ledger_findings(wb, key)
    if tampered:
        raise LedgerTampered(wb.source, f"the ledger does not verify ({tampered[0].location()}: "
                             f"{tampered[0].message}). {stopped}; run xlportfolio verify.")
    if key is None and keyed_rows(existing):
        raise LedgerTampered(wb.source, f"the ledger is keyed, and new rows are recorded only with its key: "
                             f"{how_to_set_key()}. {stopped}.")
    return existing, key


def ledger_disagreements(wb: Workbook, rows: list[tuple], counted: str = "") -> list:
    """Items cells that differ from where the ledger says the item stands (see core.positions)."""
    book = wb.read([ITEMS])
    items = book.table(ITEMS.name)
    if items is None:
        return []
    return bypasses(items, read_ledger(rows), tuple(book.lists.get("Stage") or STAGES), counted=counted)


def _check_export(target: Path) -> None:
    """Before any work: the copy must be writable where the user asked, named by the user's path."""
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise XlPortfolioError(target, "is a folder; give a file name for the copy, such as ledger.jsonl.")
    if not folder.is_dir():
        raise XlPortfolioError(target, f"the folder {folder} does not exist; create it or choose another "
                               "file for the copy.")


def read_copy(path: str | Path, key: LedgerKey | None) -> list[dict]:
    """A copy's records, after checking that it is itself an intact chain."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise BadCopy(path, "is not a ledger copy (not UTF-8 text); give the .jsonl file verify --export wrote.") \
            from None
    except OSError as exc:
        raise BadCopy(path, f"cannot be read as a ledger copy ({exc.strerror or exc}); give the .jsonl file "
                      "verify --export wrote.") from None
    copy = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadCopy(path, f"line {number} is not JSON ({exc.msg}); give the file verify --export wrote.") \
                from None
        if not isinstance(rec, dict) or set(rec) != set(FIELDS):
            raise BadCopy(path, f"line {number} is not a ledger row: a row has exactly the fields "
                          f"{', '.join(FIELDS)}.")
        copy.append(rec)
    broken = verify(as_rows(copy), first_row=1, expected_head=None, key=key.secret if key else None)
    if broken:
        raise BadCopy(path, f"the copy is not an intact ledger chain ({broken[0].code} at its row "
                      f"{broken[0].row}), so it cannot prove anything about the workbook. Export a fresh copy "
                      "from a ledger that verifies.")
    return copy


def write_copy(path: str | Path, copy: list[dict]) -> None:
    """One JSON object per line, written to a temporary file first so an old copy is never half-replaced."""
    target = Path(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as exc:  # named by the user's path, never the temporary file's
        raise XlPortfolioError(target, f"the copy cannot be written ({exc.strerror or exc}).") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in copy)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def verdict(report: Report) -> str:
    """One line: tampering with the ledger, or items whose Stage or State the ledger does not back."""
    tampered = [f for f in report.findings if f.sheet == LEDGER_SHEET and f.code.startswith("ledger-")]
    if tampered:
        return f"The ledger was tampered with in {len(tampered)} places."
    items = sorted({f.message.split(":")[0] if f.code != "item-deleted" else f.message.split(" is in")[0]
                    for f in report.findings})
    return (f"The ledger's chain is intact, but {len(items)} items stand elsewhere than the ledger says "
            f"(Stage or State typed over, or the row deleted): {', '.join(items[:10])}"
            + (f" and {len(items) - 10} more." if len(items) > 10 else "."))
