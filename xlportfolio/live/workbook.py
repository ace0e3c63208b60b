"""The Workbook protocol (commands.base) over a workbook open in Excel, through xlwings."""
from __future__ import annotations

from typing import TYPE_CHECKING

from xlportfolio.live.surface import LiveSurface
from xlportfolio.surface.workbook import SurfaceWorkbook

if TYPE_CHECKING:
    import xlwings


class LiveWorkbook(SurfaceWorkbook):
    """A workbook open in Excel (desktop, or Office.js via xlwings Server).

    Properties live in workbook names ("xlp_" + the property's last part), which both Excel
    engines and xlwings' remote engine read and write; document properties are out of the
    remote engine's reach. Two limits there: reading a name's value needs a client that sends
    names' definitions (older Office.js clients only send names that refer to ranges, so a
    property reads as absent), and xlwings cannot hide a name, so it shows in the Name Manager.
    """

    def __init__(self, book: xlwings.Book):
        super().__init__(LiveSurface(book))
        self.book = book

    def save(self) -> None:
        """Nothing to do: Excel owns saving an open workbook (kept for parity with files)."""

    def status(self, text: str) -> None:
        """Progress in Excel's status bar; Excel on the web has none, so it is skipped there."""
        try:
            self.book.app.status_bar = text
        except NotImplementedError:
            pass
