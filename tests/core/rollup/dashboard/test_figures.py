"""The Dashboard's figures: money by month, value by stage and category, key figures, stage weights
and capacity against demand, each the number Excel computes."""
import datetime as dt

import pytest

from tests.support.dashboard import (
    AS_OF,
    CAPACITY_TEXT,
    ITEMS_TEXT,
    block,
    cells,
    evaluate,
    find,
    sample,
)
from tests.support.inline import table
from xlportfolio.core.plan import Formula
from xlportfolio.core.prioritise.capacity import available, demand_by_month
from xlportfolio.core.rollup.dashboard.figures import dashboard_data
from xlportfolio.core.rollup.dashboard.formulas import GUARD, value_of
from xlportfolio.core.rollup.dashboard.layout import dashboard_sheet
from xlportfolio.schema import CAPACITY, ITEMS


def test_money_by_month_counts_each_month_and_leaves_future_actuals_blank():
    data = dashboard_data(sample(), AS_OF)
    months = [d for d, _ in data.months]
    assert months == [dt.date(2026, m, 1) for m in range(1, 6)]
    feb = dict(data.months)[dt.date(2026, 2, 1)]
    assert feb[("plan", "Cost")].value == 1010
    assert feb[("plan", "Cost")].text == ('=SUMIFS(Financials[Plan],Financials[Flow],"Cost",Financials[Period],'
                                         '">="&DATE(2026,2,1),Financials[Period],"<"&DATE(2026,3,1))')
    assert feb[("actual", "Cost")].value == 960
    march, april = dict(data.months)[dt.date(2026, 3, 1)], dict(data.months)[dt.date(2026, 4, 1)]
    assert march[("actual", "Cost")] is None and april[("actual", "Benefit")] is None  # nothing booked yet
    assert april[("plan", "Benefit")].value == 300 and GUARD in april[("plan", "Benefit")].text


def test_value_by_stage_and_category_add_up_the_lowest_valued_level_only():
    data = dashboard_data(sample(), AS_OF)
    assert data.value_level == "Measure"  # P-1's 900 would count its measures twice
    stages = {s.stage: (value_of(s.items), value_of(s.value)) for s in data.stages}
    assert stages["DI1 Defined"] == (1, 100)
    assert stages["DI3 Detailed"] == (2, 200)  # 'lots' is text
    assert stages["DI4 Decided"] == (0, 0)
    assert stages["DI5 Implemented"] == (2, 50)  # #REF! is left out
    di5 = next(s for s in data.stages if s.stage == "DI5 Implemented").value
    assert di5.text == ('=SUMIFS(Items[Estimated value],Items[Stage],"DI5 Implemented",Items[Level],"Measure",'
                        'Items[Estimated value],"<1E+307")')
    categories = {c: (value_of(n), value_of(v)) for c, n, v in data.categories}
    assert categories["Strategy"] == (2, 200) and categories["Compliance"] == (2, 50)


def test_key_figures():
    data = dashboard_data(sample(), AS_OF)
    figures = dict(data.key_figures)
    assert figures["Items (all levels)"] == Formula("=COUNTA(Items[Item ID])", 6)
    assert figures["Items on hold"] == Formula('=COUNTIFS(Items[State],"On hold")', 1)
    assert value_of(figures["Active items"]) == 5
    assert value_of(figures["Implementation status Red"]) == 3
    assert value_of(figures["Potential status Red"]) == 2
    assert dict((lvl, value_of(c)) for lvl, c in data.levels)["Measure"] == 5


def test_stage_weights_weigh_the_value_and_unknown_stages_are_refused():
    sheet = dashboard_sheet(sample(), AS_OF, stage_weights={"DI1": 0.1, "DI3 Detailed": 0.5, "DI5": 1})
    stage = block(sheet, "Estimated value per year by DI stage")
    assert stage.header == ("Stage", "Items", "Estimated value", "Weight", "Weighted value")
    weighted = find(sheet, "Stage-weighted value per year")
    assert weighted.value == pytest.approx(100 * 0.1 + 200 * 0.5 + 50)
    assert evaluate(sheet)[next((r, c) for (r, c), v in cells(sheet).items() if v is weighted)] == \
        pytest.approx(weighted.value)
    with pytest.raises(ValueError, match="DI9"):
        dashboard_sheet(sample(), AS_OF, stage_weights={"DI9": 1})


def test_capacity_against_demand_uses_the_capacity_module():
    data = dashboard_data(sample(), AS_OF)
    items, cap = table(ITEMS, ITEMS_TEXT), table(CAPACITY, CAPACITY_TEXT)
    first, last = data.capacity_months
    assert (first, last) == ("2026-03", "2027-02")
    demand = demand_by_month(items, AS_OF)
    rows = {c.function: c for c in data.capacity}
    assert rows["IT"].demand == pytest.approx(sum(d for (f, m), d in demand.items() if f == "IT" and m <= last))
    assert value_of(rows["IT"].available) == sum(d for (f, m), d in available(cap).items() if f == "IT")
    assert rows["Sales"].available.value == 5  # June 2027 is past the horizon
    assert rows["Sales"].available.text == (
        '=SUMIFS(Capacity[Available (days)],Capacity[Function],"Sales",Capacity[Period],">="&DATE(2026,3,1),'
        'Capacity[Period],"<"&DATE(2027,3,1))')


def test_capacity_is_a_plain_value_where_sumifs_would_give_another_number():
    doubled = CAPACITY_TEXT + "| IT | 2026-03-01 | 7 |\n"  # the capacity module takes the last row, SUMIFS adds
    rows = {c.function: c for c in dashboard_data(sample(doubled), AS_OF).capacity}
    assert rows["IT"].available == 27.0
