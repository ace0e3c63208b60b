"""accept on inline tables: valid marked requests become DI1 items, once."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.intake.accept import accept_requests
from xlportfolio.schema import INTAKE, ITEMS

TODAY = dt.date(2026, 6, 30)
HEADER = ("| Request ID | Title  | Business reason | Category | Requested on | Due date   | Cost estimate "
          "| Currency | Function | Sponsor | Parent item | Expected revenue | Accept | Item ID |")

ITEMS_TABLE = table(ITEMS, """
    | Item ID | Parent ID | Level   | Name      | Request ID |
    | PG-01   |           | Program | CRM       |            |
    | PR-007  | PG-01     | Project | Portal    | REQ-9      |
    | PR-012  | PG-01     | Project | App       |            |
""")


def intake(*rows):
    return table(INTAKE, "\n".join([HEADER, *rows]))


def test_valid_marked_requests_become_items_and_others_say_why():
    bk = book(intake(
        "| REQ-1 | Pricing | Margin | Cost     | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT | Anna | PG-01  | 7000 | Yes |  |",
        "| REQ-2 | Billing | Speed  | Cost     | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT |      | PG-01  |      | Yes |  |",
        "| REQ-3 | Search  | Speed  | Cost     | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT | Anna | PR-012 |      | No  |  |",
        "| REQ-4 | Archive | Audit  | Strategy | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT | Anna | PR-012 |      | yes |  |",
        "| REQ-9 | Portal  | Sales  | Cost     | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT | Anna | PG-01  |      | Yes |  |",
    ), ITEMS_TABLE)
    report, plan, summary = accept_requests(bk, TODAY)
    assert summary.created == [("REQ-1", "PR-013"), ("REQ-4", "MP-001")]
    assert summary.linked == [("REQ-9", "PR-007")]
    assert summary.refused == [(3, "Not accepted: 1 error")]
    (items,) = plan.rows
    assert sorted(items.rows) == [5, 6]  # appended below the last item
    first = items.rows[5]
    assert first["level"] == "Project" and first["stage"] == "DI1 Defined" and first["parent_id"] == "PG-01"
    assert first["request_id"] == "REQ-1" and first["estimated_value"] == 7000 and first["name"] == "Pricing"
    assert items.rows[6]["level"] == "Measure Package"  # one level below its project
    status, links = (c.values for c in plan.columns if c.header in ("Intake status", "Item ID"))
    assert status == {2: "Accepted", 3: "Not accepted: 1 error", 4: "", 5: "Accepted", 6: "Accepted"}
    assert links == {2: "PR-013", 3: "", 4: "", 5: "MP-001", 6: "PR-007"}


def test_accepting_twice_creates_nothing_new():
    bk = book(intake(
        "| REQ-1 | Pricing | Margin | Cost | 2026-06-01 | 2026-12-01 | 5000 | EUR | IT | Anna | PG-01 | | Yes | PR-007 |",
    ), ITEMS_TABLE)
    _, plan, summary = accept_requests(bk, TODAY)
    assert summary.created == [] and summary.already == 1
    assert plan.rows[0].rows == {}
