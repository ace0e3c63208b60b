"""The Dashboard and the Scenario sheet as LibreOffice prints them: one page wide, their title rows
and a footer on every page.

Each sheet is printed alone from a copy of the workbook in which every other sheet is hidden and
has no print area (LibreOffice prints a hidden sheet that has one) and the sheet is the active
one; nothing else of the copy differs from the file the commands wrote. The pages are read back with pypdf. A sheet printed two
or more pages wide has pages that hold only its right-hand columns: every page must show the
sheet's first column (a row label or ID) and its header row must be whole on every page.

Set XLP_PDF_PAGES to a folder to keep the PDFs there and, where pdftoppm is installed, a PNG of
every page (for a person to look at).
"""
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF, lo

pypdf = pytest.importorskip("pypdf")

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(lo.soffice() is None, reason="LibreOffice (soffice) is not installed")]

SHEETS = ("Dashboard", "Scenario")


def only_sheet(src: Path, sheet: str, dest: Path) -> Path:
    """A copy of the workbook that shows `sheet` alone, opened on it: workbook.xml edited, every
    other part copied as it is."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = _show_only(data.decode("utf-8"), sheet).encode("utf-8")
            zout.writestr(info, data)
    return dest


def _show_only(text: str, sheet: str) -> str:
    names = re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', text)
    at = names.index(sheet)

    def hide(m: re.Match) -> str:
        el = re.sub(r'\sstate="\w+"', "", m.group(0))
        return el if f'name="{sheet}"' in el else el.replace("<sheet ", '<sheet state="hidden" ', 1)

    text = re.sub(r"<sheet\b[^>]*/>", hide, text)
    # LibreOffice prints a hidden sheet that has a print area: the other sheets' areas go
    others = rf'<definedName name="_xlnm.Print_Area" localSheetId="(?!{at}")\d+"[^>]*>[^<]*</definedName>'
    text = re.sub(others, "", text)
    return re.sub(r'\b(activeTab|firstSheet)="\d+"', lambda m: f'{m.group(1)}="{at}"', text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The demo portfolio after `rollup` and `select`; each sheet of SHEETS printed alone to PDF.
    Returns {sheet: (pdf, the sheet's cells as openpyxl reads them)}."""
    from xlportfolio.commands.files import on_file
    from xlportfolio.commands.rollup import Options as RollupOptions
    from xlportfolio.commands.select import Options as SelectOptions
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    folder = tmp_path_factory.mktemp("print-pdf")
    book = folder / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, sample_portfolio(AS_OF)).save(book)
    on_file("rollup", book, RollupOptions(as_of=AS_OF))
    on_file("select", book, SelectOptions(budget=3_000_000, as_of=AS_OF))
    copies = [only_sheet(book, sheet, folder / f"portfolio-{sheet}.xlsx") for sheet in SHEETS]
    # the results saved in the file are what prints: no recalculation needed for a layout
    profile = lo.make_profile(tmp_path_factory.mktemp("print-profile"), recalculate=False)
    pdfs = lo.convert(copies, folder / "pdf", profile, "pdf")
    keep = os.environ.get("XLP_PDF_PAGES")
    if keep:
        _keep(pdfs.values(), Path(keep))
    wb = load_workbook(book)
    return {sheet: (pdfs[copy], wb[sheet]) for sheet, copy in zip(SHEETS, copies)}


def _keep(pdfs, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        shutil.copy(pdf, folder / pdf.name)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / pdf.stem)], check=True,
                           timeout=300)


def pages_text(pdf: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(pdf).pages]


def texts(cells) -> list[str]:
    return [" ".join(str(c.value).split()) for c in cells if isinstance(c.value, str) and c.value.strip()]


@pytest.mark.parametrize("sheet", SHEETS)
def test_the_sheet_prints_one_page_wide_with_its_title_rows_and_footer_on_every_page(printed, sheet):
    pdf, ws = printed[sheet]
    pages = pages_text(pdf)
    assert 1 <= len(pages) <= 20, f"{sheet}: {len(pages)} pages"
    first, last = (int(n) for n in re.findall(r"\d+", ws.print_title_rows or ""))
    titles = [t for r in range(first, last + 1) for t in texts(ws[r]) if len(t) < 60]
    body_labels = set(texts(ws["A"][last:]))  # column A below the title rows: row labels and IDs
    assert titles and body_labels
    for n, page in enumerate(pages, start=1):
        where = f"{sheet} page {n} of {len(pages)}"
        assert all(t in page for t in titles), f"{where}: the title rows are not whole on it"
        assert any(label in page for label in body_labels), f"{where}: none of column A is on it (printed wider)"
        assert sheet in page and "portfolio" in page, f"{where}: no footer with the sheet and the workbook"


def test_the_scenario_header_row_is_whole_on_every_page(printed):
    pdf, ws = printed["Scenario"]
    header = texts(ws[1])
    assert len(header) >= 3
    for page in pages_text(pdf):
        assert all(h in page for h in header)


def test_each_dashboard_section_prints_whole_on_the_page_its_break_starts(printed):
    """Manual page breaks put each table with its chart on one page: the PDF has exactly one page
    per break and one more, and the section that starts a page is printed on that page."""
    pdf, ws = printed["Dashboard"]
    breaks = [brk.id + 1 for brk in ws.row_breaks.brk]  # a break's id is the last row above it
    pages = pages_text(pdf)
    assert breaks and len(pages) == len(breaks) + 1
    for page, row in zip(pages[1:], breaks):
        assert " ".join(ws.cell(row, 1).value.split()) in page
