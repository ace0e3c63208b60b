"""The demo's portfolio: a month in a PMO, with plans that add up and a handful of planted problems.

`sample_portfolio` (demo_data) is the tests' deliberately noisy sample. This one reads like a real
portfolio: every amount lies within its item's dates, each category earns what such work earns
(cost savings pay back within a year, compliance is mandatory, not a money maker), capacity covers
the work, ratings agree with the evidence, and the few problems in it are there on purpose, each
described by a `Problem` the demo prints with where the commands found it.

How the value figures relate (the demo's summary says it in these words):
- a measure's Estimated value is its benefit per year once it is live: twelve times the monthly
  benefit its Financials book from go-live on (the demo books no recurring cost, so net = benefit);
- its planned benefit is the part of that yearly value booked month by month in Financials, from
  go-live to the measure's end date; so the Dashboard's estimated value per year and the planned
  benefit of all months differ by how many months of it the plan holds.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from xlportfolio.core.prioritise.capacity import demand
from xlportfolio.demo.data import PEOPLE, Row, _hierarchy, _risks, month, sample_intake
from xlportfolio.schema import LISTS_BY_NAME, STAGES

HORIZON = 24  # months of plan: six behind today, eighteen ahead
PAST = 6  # the month of `as_of` is month 6 of the plan
# Benefit per year as a multiple of the one-time cost, by category: what such work returns.
RETURN = {"Cost": (2.0, 3.0), "Customer value": (1.6, 2.4), "Strategy": (1.0, 1.4),
          "Risk reduction": (0.6, 0.9), "Compliance": (0.1, 0.3)}
CATEGORY_WEIGHTS = {"Cost": 4, "Customer value": 3, "Strategy": 2, "Compliance": 2, "Risk reduction": 1}
HEADROOM = 1.15  # capacity planned above the demand it must carry
DECIDING = 5  # measures asking for DI4 Decided this month (one of them is refused on purpose)
CRM_PRESET_PREFIX = "CRM-salesforce-"
CRM_EXPORT = "salesforce-opportunities.csv"  # the export's file name: Intake's Origin of its requests


@dataclass(frozen=True)
class Problem:
    """A planted problem: the finding code it must raise and the ID in the row it is found on.

    `subject` is the value of the row's key column on `sheet` (Intake: Request ID, Items and
    Financials: Item ID, Dependencies: Successor ID, Capacity: Function).
    """

    code: str
    sheet: str
    subject: str
    name: str  # the item or request as a person knows it
    what: str  # what is wrong, in a PMO's words
    action: str  # what the PMO does about it


@dataclass
class DemoPortfolio:
    tables: dict[str, list[Row]]
    problems: list[Problem]
    crm: list[Row]  # this month's Salesforce export: last month's opportunities and one new one


def demo_portfolio(as_of: dt.date, seed: int = 7) -> DemoPortfolio:
    rnd = random.Random(seed)
    start = month(dt.date(as_of.year, as_of.month, 1), -PAST)
    items = _hierarchy(rnd, start)
    for item in items:  # all at work, but for the two projects below: states change by decisions only
        item["state"] = "Active"
    by_id = {i["item_id"]: i for i in items}
    children: dict[str, list[Row]] = {}
    for item in items:
        children.setdefault(item.get("parent_id"), []).append(item)
    projects = [i for i in items if i["level"] == "Project"]
    kickoff = {}  # the plan month each project starts in; its measures start within four months of it
    for project in projects:  # measures do the kind of work their project does
        project["category"] = rnd.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        kickoff[project["item_id"]] = rnd.randint(0, 10)
    measures = [i for i in items if i["level"] == "Measure"]
    financials: list[Row] = []
    for m in measures:
        project = by_id[by_id[m["parent_id"]]["parent_id"]]
        m["category"] = project["category"]
        financials += _plan_measure(rnd, m, start, kickoff[project["item_id"]] + rnd.randint(0, 4))
    _roll_up(items, children)
    held, dropped = projects[13], projects[26]  # one project paused, one stopped: their work is frozen
    for project, state in ((held, "On hold"), (dropped, "Cancelled")):
        for item in _below(project, children):
            item["state"] = state
    milestones = _milestones(rnd, projects, as_of)
    deciding = [m for m in measures if m["stage"] == STAGES[2] and m["state"] == "Active"
                and PAST < _offset(start, m["start_date"]) <= PAST + 2][:DECIDING]
    for m in deciding:
        m["requested_stage"] = STAGES[3]
        m["move_reason"] = "Business case signed; build starts next month"
    approvals = _approvals(rnd, items, deciding, as_of)
    for project, decision, reason in ((held, "hold", "Waits for the new ERP release"),
                                      (dropped, "cancel", "Superseded by the group-wide programme")):
        approvals.append({"item_id": project["item_id"], "gate": project["stage"], "role": "Sponsor",
                          "approver": project["sponsor"], "decision": decision,
                          "decided_on": as_of - dt.timedelta(days=12), "reason": reason})
    active = [p for p in projects if p["state"] == "Active"]
    dependencies = _dependencies(rnd, active)
    intake = sample_intake(as_of, seed, [p["item_id"] for p in active], clean=True)
    crm = crm_opportunities(as_of)
    intake += [_completed(o, rnd) for o in crm]  # imported last month, completed by the PMO since
    tables = {
        "Items": items, "Financials": financials, "Risks": _risks(rnd, projects), "Dependencies": dependencies,
        "Capacity": [], "Approvals": approvals, "Milestones": milestones, "Intake": intake,
        "People": [{"name": name, "email": name.lower().replace(" ", ".") + "@contoso.example",
                    "function": LISTS_BY_NAME["Function"].values[n % 10], "role": "Owner"}
                   for n, name in enumerate(PEOPLE)],
    }
    problems, short = _plant(tables, deciding, crm, start, as_of)
    tables["Capacity"] = _capacity(items, start, as_of, short)
    return DemoPortfolio(tables, problems, crm)


def _offset(start: dt.date, day: dt.date) -> int:
    return (day.year - start.year) * 12 + day.month - start.month


def _month_end(start: dt.date, offset: int) -> dt.date:
    return month(start, offset + 1) - dt.timedelta(days=1)


def _plan_measure(rnd: random.Random, m: Row, start: dt.date, first: int) -> list[Row]:
    """Cost by month while the measure is built, then its benefit by month until its end date.

    `first` is the plan month it starts in (PAST is this month).
    """
    build = rnd.randint(2, 5)
    live = first + build  # first month of benefit
    last = min(live + rnd.randint(6, 12), HORIZON - 1)
    monthly_cost = rnd.randrange(5, 30) * 1000
    low, high = RETURN[m["category"]]
    monthly_benefit = round(monthly_cost * build * rnd.uniform(low, high) / 12, -2)
    # Most forecasts keep the plan; some promise less: potential status Amber or Red, rated so.
    kept = rnd.choices((1.0, 0.88, 0.7), weights=(16, 3, 1))[0]
    m.update(start_date=month(start, first), end_date=_month_end(start, last), due_date=_month_end(start, live - 1),
             cost_estimate=monthly_cost * build, estimated_value=12 * monthly_benefit)
    m["potential_status"] = {1.0: "Green", 0.88: "Amber", 0.7: "Red"}[kept]
    m["implementation_status"] = rnd.choices(("Green", "Amber", "Red"), weights=(8, 3, 1))[0]
    if live <= PAST:
        m["stage"], m["effort_days"] = STAGES[4], None  # live: built, its effort spent
    else:
        m["stage"] = STAGES[3] if first <= PAST else STAGES[2] if first <= PAST + 4 else STAGES[1]
        m["effort_days"] = build * rnd.randrange(2, 8)
    rows = []
    for offset in range(first, last + 1):
        flow, recurrence, plan = (("Cost", "One-time", monthly_cost) if offset < live
                                  else ("Benefit", "Recurring", monthly_benefit))
        forecast = plan if flow == "Cost" else round(plan * kept, -2)
        actual = round(plan * rnd.uniform(0.9, 1.1), -2) if offset < PAST else None
        rows.append({"item_id": m["item_id"], "period": month(start, offset), "flow": flow,
                     "recurrence": recurrence, "plan": plan, "forecast": forecast, "actual": actual})
    return rows


def _roll_up(items: list[Row], children: dict[str, list[Row]]) -> None:
    """Dates, cost, value and effort of every upper item from what lies below it; its stage the least advanced."""
    for item in reversed(items):  # children come after their parent
        below = children.get(item["item_id"])
        if not below or item["level"] == "Organization":
            continue
        item["start_date"] = min(c["start_date"] for c in below)
        item["end_date"] = max(c["end_date"] for c in below)
        item.pop("due_date", None)
        item["cost_estimate"] = sum(c["cost_estimate"] for c in below)
        item["estimated_value"] = sum(c["estimated_value"] for c in below)
        item["effort_days"] = sum(c.get("effort_days") or 0 for c in below) or None
        item["stage"] = min((c["stage"] for c in below), key=STAGES.index)
        item["potential_status"] = "Amber" if any(c["potential_status"] != "Green" for c in below) else "Green"
        item["implementation_status"] = "Green"


def _below(item: Row, children: dict[str, list[Row]]) -> list[Row]:
    out, todo = [], [item]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += children.get(current["item_id"], [])
    return out


def _milestones(rnd: random.Random, projects: list[Row], as_of: dt.date) -> list[Row]:
    """Three milestones across each project's span; those due by today are done, with evidence."""
    rows = []
    for p in projects:
        span = (p["end_date"] - p["start_date"]).days
        for n, name in enumerate(("Design signed off", "Pilot live", "Rollout complete")):
            planned = p["start_date"] + dt.timedelta(days=span * (n + 1) // 4)
            done = planned < as_of
            rows.append({"item_id": p["item_id"], "milestone": name, "planned_date": planned,
                         "actual_date": planned + dt.timedelta(days=rnd.randint(-5, 10)) if done else None,
                         "evidence": f"https://intranet/pmo/{p['item_id']}/{n + 1}" if done else None})
    for row in rows:  # finished a few days late, but never after today
        if row["actual_date"] and row["actual_date"] > as_of:
            row["actual_date"] = as_of
    return rows


def _approvals(rnd: random.Random, items: list[Row], deciding: list[Row], as_of: dt.date) -> list[Row]:
    """Sponsor and controller approvals of every item decided at DI4, and of those asking for it now."""
    rows = []
    for item in items:
        decided = (item.get("stage") in STAGES[3:] and item["level"] in ("Project", "Measure")
                   and item["state"] == "Active")
        if not (decided or item in deciding):
            continue
        for role, person in (("Sponsor", item["sponsor"]), ("Controller", item["controller"])):
            days = rnd.randint(2, 20) if item in deciding else rnd.randint(30, 200)
            rows.append({"item_id": item["item_id"], "gate": STAGES[3], "role": role, "approver": person,
                         "decision": "approve", "decided_on": as_of - dt.timedelta(days=days),
                         "reason": "Business case accepted"})
    return rows


def _dependencies(rnd: random.Random, projects: list[Row]) -> list[Row]:
    """Projects that need another's result first, each due after the one it waits for ends."""
    pairs: set[tuple[str, str]] = set()
    for _ in range(200):  # tries, not a target: projects ending in one month cannot depend on each other
        a, b = sorted(rnd.sample(projects, 2), key=lambda p: p["end_date"])
        if a["end_date"] < b["end_date"]:  # strictly later: never a cycle
            pairs.add((a["item_id"], b["item_id"]))
        if len(pairs) == 20:
            break
    return [{"predecessor_id": a, "successor_id": b, "note": "Needs the platform in place"} for a, b in sorted(pairs)]


def crm_opportunities(as_of: dt.date) -> list[Row]:
    """Salesforce opportunities as this month's export lists them; the last one is new this month."""
    accounts = (("Acme Retail", "C-10000"), ("Northwind Foods", "C-10037"), ("Globex Logistics", "C-10074"),
                ("Initech Banking", "C-10111"), ("Umbrella Pharma", "C-10148"), ("Stark Industrial", "C-10185"))
    topics = ("Self-service portal", "Invoice automation", "Pricing engine", "Field service app",
              "Customer analytics", "Contract renewal")
    out = []
    for n, ((account, account_id), topic) in enumerate(zip(accounts, topics), start=1):
        out.append({"id": f"0065g0000{n:06d}", "name": f"{topic} for {account.split()[0]}", "account": account,
                    "account_id": account_id, "amount": 40_000 + 17_500 * n,
                    "close": as_of + dt.timedelta(days=45 * n), "created": as_of - dt.timedelta(days=20 + 9 * n),
                    "description": f"Expansion, phase {n}", "owner": PEOPLE[n]})
    return out


def _completed(opportunity: Row, rnd: random.Random) -> Row:
    """An opportunity as last month's import left it in Intake, with what the PMO added since."""
    return {"request_id": CRM_PRESET_PREFIX + opportunity["id"], "title": opportunity["name"],
            "customer_name": opportunity["account"], "customer_id": opportunity["account_id"],
            "business_reason": opportunity["description"], "category": "Customer value", "source": "CRM",
            "origin": f"CRM {CRM_EXPORT}",
            "requested_on": opportunity["created"], "due_date": opportunity["close"],
            "expected_revenue": opportunity["amount"], "retention_effect": 0,
            "cost_estimate": round(opportunity["amount"] * 0.4, -3), "currency": "EUR",
            "function": rnd.choice(("Sales", "IT", "Customer Service")), "effort_days": rnd.randrange(20, 60),
            "sponsor": rnd.choice(PEOPLE), "owner": opportunity["owner"],
            "strategic_fit": rnd.randint(2, 5), "confidence": rnd.randint(2, 4), "risk": "Medium"}


def _capacity(items: list[Row], start: dt.date, as_of: dt.date, over: tuple[str, str] | None) -> list[Row]:
    """Days each function has per month: the demand the plan puts on it and some headroom.

    Demand is read as the capacity check reads it (core.capacity.demand), leaves only: a parent's
    effort is its children's. `over` is the (function, month) planted short of its demand.
    """
    parents = {i.get("parent_id") for i in items if i.get("effort_days")}
    need: dict[tuple[str, str], float] = {}
    for item in items:
        if item["item_id"] in parents or item.get("state") != "Active" or item.get("stage") == STAGES[-1]:
            continue
        for key, days in demand(item, as_of).items():
            need[key] = need.get(key, 0.0) + days
    rows = []
    for function in LISTS_BY_NAME["Function"].values:
        for m in range(HORIZON):
            key = (function, f"{month(start, m):%Y-%m}")
            days = max(20, math.ceil(need.get(key, 0.0) * HEADROOM / 10 + 0.5) * 10)
            if key == over:
                days = math.floor(need[key] * 0.8 / 10) * 10
            rows.append({"function": function, "period": month(start, m), "available_days": days})
    return rows


def _plant(tables: dict[str, list[Row]], deciding: list[Row], crm: list[Row], start: dt.date,
           as_of: dt.date) -> tuple[list[Problem], tuple[str, str]]:
    """Put the demo's problems in the data, each the way it happens, and say what each is.

    Returns them and the (function, month) whose capacity is to be planned short of its demand.
    """
    items, intake = tables["Items"], tables["Intake"]
    problems = []

    def label(item: Row) -> str:
        return f"{item['item_id']} {item['name']}"

    # 1. A request marked for acceptance whose sponsor was never named: accept refuses it.
    request = next(r for r in intake if r.get("accept") == "Yes" and r.get("parent_id"))
    request["sponsor"] = None
    problems.append(Problem(
        "missing-value", "Intake", request["request_id"], request["title"],
        "marked Accept = Yes, but no sponsor is named, so accept refuses to make it an item",
        "ask the requester who backs it and enter the sponsor; accept takes it next run"))

    # 2. Salesforce sends a new opportunity for work an account team already requested by hand.
    twin = next(r for r in intake if r["category"] == "Customer value" and r["request_id"].startswith("REQ-"))
    crm.append({"id": "0065g0000000099", "name": twin["title"], "account": twin["customer_name"],
                "account_id": twin["customer_id"], "amount": 150_000, "close": twin["due_date"],
                "created": as_of - dt.timedelta(days=3), "description": "Raised by the account team in Salesforce",
                "owner": twin["owner"]})
    problems.append(Problem(
        "duplicate-request", "Intake", CRM_PRESET_PREFIX + crm[-1]["id"], twin["title"],
        f"a new Salesforce opportunity for the same customer and title as {twin['request_id']}, which the account "
        "team entered by hand; as a CRM row it also lacks sponsor, category, cost and function (missing-value)",
        f"delete the CRM row, or keep it and close {twin['request_id']}; ask account teams to use one channel"))

    # 3. A measure's owner books the first savings before the measure has even started.
    early = next(m for m in items if m["level"] == "Measure" and m["stage"] == STAGES[1] and m["state"] == "Active")
    booked = month(start, _offset(start, early["start_date"]) - 2)
    tables["Financials"].append({"item_id": early["item_id"], "period": booked, "flow": "Benefit",
                                 "recurrence": "Recurring", "plan": 5000, "forecast": 5000, "actual": None})
    problems.append(Problem(
        "financials-outside-dates", "Financials", early["item_id"], early["name"],
        f"a benefit of 5,000 is booked for {booked:%Y-%m}, before the measure starts "
        f"({early['start_date']:%Y-%m}) and before any cost is spent on it",
        "move the benefit to the months after go-live, or correct the start date"))

    # 4. One project lead rates the project Green while a milestone is six weeks overdue.
    melon = next(p for p in items if p["level"] == "Project" and p["state"] == "Active"
                 and p["start_date"] < as_of - dt.timedelta(days=100) and p["end_date"] > as_of + dt.timedelta(days=90))
    stone = next(r for r in tables["Milestones"] if r["item_id"] == melon["item_id"] and r["milestone"] == "Pilot live")
    stone.update(planned_date=as_of - dt.timedelta(days=45), actual_date=None, evidence=None)
    melon["implementation_status"] = "Green"
    problems.append(Problem(
        "status-disagrees", "Items", melon["item_id"], melon["name"],
        "rated Green on implementation, but its milestone 'Pilot live' is 45 days overdue (a 'watermelon' project)",
        "ask the project lead for a recovery plan and rate it Red until the pilot is live"))

    # 5. A measure asks for DI4 Decided before its controller has approved the business case.
    late = deciding[-1]
    tables["Approvals"] = [a for a in tables["Approvals"]
                           if not (a["item_id"] == late["item_id"] and a["role"] == "Controller")]
    problems.append(Problem(
        "gate-refused", "Items", late["item_id"], late["name"],
        "asks for DI4 Decided, but the controller has not approved the business case, so gates refuses the move",
        "get the controller's decision into Approvals; gates moves it on the next run"))

    # 6. A project promises its result before the platform it depends on is finished.
    active = [p for p in items if p["level"] == "Project" and p["state"] == "Active" and p is not melon]
    used = {d[k] for d in tables["Dependencies"] for k in ("predecessor_id", "successor_id")}
    free = sorted((p for p in active if p["item_id"] not in used), key=lambda p: p["end_date"])
    succ, pred = free[0], free[-1]
    tables["Dependencies"].append({"predecessor_id": pred["item_id"], "successor_id": succ["item_id"],
                                   "note": "Uses the new data platform"})
    problems.append(Problem(
        "successor-before-predecessor", "Dependencies", succ["item_id"], succ["name"],
        f"ends {succ['end_date']:%Y-%m-%d}, but depends on {pred['item_id']} {pred['name']}, which ends only "
        f"{pred['end_date']:%Y-%m-%d}: the plan runs past what it waits for",
        f"agree with both project leads: move {succ['item_id']}'s end date or drop the dependency"))

    # 7. One function is booked beyond what it has in one month (set when capacity is planned).
    busy = next(m for m in items if m["level"] == "Measure" and m["state"] == "Active" and m.get("effort_days")
                and m["stage"] == STAGES[3] and m["due_date"] > month(start, PAST + 3))
    crunch = f"{month(start, PAST + 2):%Y-%m}"
    problems.append(Problem(
        "capacity-over-allocated", "Capacity", busy["function"], f"in {crunch}",
        f"{busy['function']} has about a fifth fewer days in {crunch} than its active items need",
        "move a measure's dates, borrow people from another function, or hold the least valuable item"))
    return problems, (busy["function"], crunch)
