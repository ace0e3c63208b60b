"""A realistic, deterministic sample portfolio: hierarchy, 24 months of financials and intake.

Pure data (dicts keyed by schema column names); the same seed and day give the same rows.
About one intake request in eight is broken the way real ones are, so `validate` has work.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xlportfolio.schema import LISTS_BY_NAME, STAGES

Row = dict[str, Any]
PEOPLE = ("Anna Berger", "Ben Okafor", "Chloe Martin", "David Kim", "Elena Rossi", "Farid Haddad",
          "Grace Liu", "Hannes Vogel", "Ines Costa", "Jonas Weber", "Keiko Tanaka", "Lena Fischer",
          "Marco Bianchi", "Nora Jensen", "Omar Said", "Priya Nair")
CUSTOMERS = ("Acme Retail", "Northwind Foods", "Globex Logistics", "Initech Banking", "Umbrella Pharma",
             "Stark Industrial", "Wayne Energy", "Soylent Agro", "Tyrell Mobility", "Wonka Confectionery")
THEMES = ("CRM migration", "Self-service portal", "Invoice automation", "Warehouse robotics",
          "Data platform", "Pricing engine", "Supplier onboarding", "GDPR retention", "Cloud move",
          "Field service app", "Forecasting model", "Contract renewal", "Energy monitoring",
          "Payroll harmonisation", "Customer analytics", "Cyber hardening")


def month(start: dt.date, offset: int) -> dt.date:
    y, m = divmod(start.month - 1 + offset, 12)
    return dt.date(start.year + y, m + 1, 1)


def sample_portfolio(as_of: dt.date, seed: int = 7) -> dict[str, list[Row]]:
    rnd = random.Random(seed)
    start = month(dt.date(as_of.year, as_of.month, 1), -6)
    items = _hierarchy(rnd, start)
    measures = [i for i in items if i["level"] == "Measure"]
    projects = [i for i in items if i["level"] == "Project"]
    for n, project in enumerate(projects[::4]):  # owners asking for a gate; gates decides
        at = STAGES.index(project["stage"])
        if n == 1:
            project["stage"] = STAGES[0]  # a new project asking for DI2: its fields are all there
            project["requested_stage"] = STAGES[1]
        elif n == 3:
            project["stage"] = STAGES[2]  # approved by sponsor and controller below
            project["requested_stage"] = STAGES[3]
        elif at + 1 < len(STAGES) and project["state"] == "Active":
            project["requested_stage"] = STAGES[at + 1]
    deciding = [p for p in projects if p.get("requested_stage") == STAGES[3]]
    return {
        "Items": items,
        # Projects asking for DI4 carry a plan of their own (project management), which DI4 freezes as the baseline.
        "Financials": _financials(rnd, measures, start) + _project_plan(deciding, start),
        "Risks": _risks(rnd, projects),
        "Dependencies": _dependencies(rnd, projects),
        "Capacity": [{"function": f, "period": month(start, m), "available_days": rnd.choice((40, 60, 80, 120))}
                     for f in LISTS_BY_NAME["Function"].values for m in range(24)],
        "Approvals": _approvals(rnd, projects, as_of),
        "Milestones": _milestones(rnd, projects, as_of),
        "Intake": sample_intake(as_of, seed, [p["item_id"] for p in projects]),
        "People": [{"name": name, "email": name.lower().replace(" ", ".") + "@contoso.example",
                    "function": LISTS_BY_NAME["Function"].values[n % 10], "role": "Owner"}
                   for n, name in enumerate(PEOPLE)],
    }


def _item(rnd: random.Random, item_id: str, parent: str | None, level: str, name: str, start: dt.date) -> Row:
    stage = rnd.choices(STAGES, weights=(3, 3, 3, 4, 3, 1))[0]
    first = month(start, rnd.randint(0, 6))
    owner, sponsor, controller = rnd.sample(PEOPLE, 3)
    return {
        "item_id": item_id, "parent_id": parent, "level": level, "name": name,
        "owner": owner, "sponsor": sponsor, "controller": controller,
        "function": rnd.choice(LISTS_BY_NAME["Function"].values),
        "legal_entity": rnd.choice(LISTS_BY_NAME["LegalEntity"].values),
        "category": rnd.choice(LISTS_BY_NAME["Category"].values),
        "stage": stage, "state": rnd.choices(("Active", "On hold", "Cancelled"), weights=(18, 1, 1))[0],
        "start_date": first, "end_date": month(first, rnd.randint(6, 18)),
        "estimated_value": rnd.randrange(20, 900) * 1000,
        "implementation_status": rnd.choices(("Green", "Amber", "Red"), weights=(6, 3, 1))[0],
        "potential_status": rnd.choices(("Green", "Amber", "Red"), weights=(6, 3, 1))[0],
        "strategic_fit": rnd.randint(1, 5), "confidence": rnd.randint(1, 5),
        "risk": rnd.choice(LISTS_BY_NAME["Risk"].values), "effort_days": rnd.randrange(5, 200),
        "cost_estimate": rnd.randrange(10, 400) * 1000,
    }


def _hierarchy(rnd: random.Random, start: dt.date) -> list[Row]:
    items = [{"item_id": "ORG", "level": "Organization", "name": "Contoso Group", "state": "Active"}]
    portfolios = (("PF-1", "Customer & Growth"), ("PF-2", "Operational Excellence"))
    measure_no = 0
    for p_no, (pf_id, pf_name) in enumerate(portfolios):
        items.append(_item(rnd, pf_id, "ORG", "Portfolio", pf_name, start))
        for g in range(4):
            pg_id = f"PG-{p_no * 4 + g + 1:02d}"
            items.append(_item(rnd, pg_id, pf_id, "Program", f"{THEMES[p_no * 4 + g]} programme", start))
            for j in range(5):
                pr_no = (p_no * 4 + g) * 5 + j + 1
                pr_id = f"PR-{pr_no:03d}"
                items.append(_item(rnd, pr_id, pg_id, "Project", f"{rnd.choice(THEMES)} {pr_no}", start))
                for k in range(2):
                    mp_id = f"MP-{pr_no:03d}-{k + 1}"
                    items.append(_item(rnd, mp_id, pr_id, "Measure Package", f"Package {k + 1} of {pr_id}", start))
                    for _ in range(4 if (pr_no + k) % 4 else 3):
                        measure_no += 1
                        items.append(_item(rnd, f"M-{measure_no:04d}", mp_id, "Measure",
                                           f"Measure {measure_no}: {rnd.choice(THEMES).lower()}", start))
    return items


def _financials(rnd: random.Random, measures: list[Row], start: dt.date) -> list[Row]:
    rows = []
    for m in measures:
        cost = rnd.randrange(2, 40) * 1000
        benefit = rnd.randrange(1, 15) * 1000
        go_live = rnd.randint(4, 12)
        for offset in range(24):
            period = month(start, offset)
            actual_known = offset < 6
            plan_cost = cost if offset < go_live else 0
            plan_benefit = benefit if offset >= go_live else 0
            for flow, recurrence, plan in (("Cost", "One-time", plan_cost), ("Benefit", "Recurring", plan_benefit)):
                forecast = round(plan * rnd.uniform(0.8, 1.2), -2)
                rows.append({"item_id": m["item_id"], "period": period, "flow": flow,
                             "recurrence": recurrence, "plan": plan, "forecast": forecast,
                             "actual": round(plan * rnd.uniform(0.7, 1.3), -2) if actual_known else None})
    return rows


def _project_plan(projects: list[Row], start: dt.date) -> list[Row]:
    return [{"item_id": p["item_id"], "period": month(start, offset), "flow": flow, "recurrence": recurrence,
             "plan": amount, "forecast": amount, "actual": amount if offset < 6 else None}
            for p in projects for offset in range(12)
            for flow, recurrence, amount in (("Cost", "One-time", 5000), ("Benefit", "Recurring", 0 if offset < 6 else 4000))]


def _risks(rnd: random.Random, projects: list[Row]) -> list[Row]:
    titles = ("Key supplier delivers late", "Scope creep from business", "Data quality worse than assumed",
              "Budget cut next fiscal year", "Key person leaves", "Regulatory change")
    return [{"risk_id": f"R-{n + 1:03d}", "item_id": p["item_id"], "title": rnd.choice(titles),
             "probability": rnd.randint(1, 5), "impact": rnd.randint(1, 5), "owner": rnd.choice(PEOPLE),
             "mitigation": "Weekly review with the sponsor"}
            for n, p in enumerate(rnd.sample(projects, 30) * 2)]


def _dependencies(rnd: random.Random, projects: list[Row]) -> list[Row]:
    ids = [p["item_id"] for p in projects]
    pairs = set()
    while len(pairs) < 30:
        a, b = sorted(rnd.sample(ids, 2))  # earlier ID first: never a cycle in the sample
        pairs.add((a, b))
    return [{"predecessor_id": a, "successor_id": b, "note": "Needs the platform in place"} for a, b in sorted(pairs)]


def _approvals(rnd: random.Random, projects: list[Row], as_of: dt.date) -> list[Row]:
    rows = []
    for p in projects:
        if STAGES.index(p["stage"]) >= 3 or p.get("requested_stage") == STAGES[3]:
            for role, person in (("Sponsor", p["sponsor"]), ("Controller", p["controller"])):
                rows.append({"item_id": p["item_id"], "gate": "DI4 Decided", "role": role, "approver": person,
                             "decision": "approve", "decided_on": as_of - dt.timedelta(days=rnd.randint(20, 200)),
                             "reason": "Business case accepted"})
    return rows


def _milestones(rnd: random.Random, projects: list[Row], as_of: dt.date) -> list[Row]:
    rows = []
    for p in projects:
        for n, name in enumerate(("Design signed off", "Pilot live", "Rollout complete")):
            planned = p["start_date"] + dt.timedelta(days=60 * (n + 1))
            done = planned < as_of and rnd.random() < 0.8
            rows.append({"item_id": p["item_id"], "milestone": name, "planned_date": planned,
                         "actual_date": planned + dt.timedelta(days=rnd.randint(-5, 20)) if done else None,
                         "evidence": f"https://intranet/pmo/{p['item_id']}/{n + 1}" if done else None})
    return rows


def sample_intake(as_of: dt.date, seed: int = 7, parents: list[str] | None = None, count: int = 100,
                  *, clean: bool = False) -> list[Row]:
    """`count` requests; every eighth or so is broken in one of the ways real requests are.

    `clean` leaves them all well formed and due after today (the demo plants its own problems).
    """
    rnd = random.Random(seed + 1)
    parents = parents or []
    rows = []
    for n in range(1, count + 1):
        customer = rnd.choice(CUSTOMERS)
        requested = as_of - dt.timedelta(days=rnd.randint(5, 120))
        rows.append({
            "request_id": f"REQ-{n:04d}", "title": f"{rnd.choice(THEMES)} for {customer.split()[0]} ({n})",
            "customer_name": customer, "customer_id": f"C-{10000 + CUSTOMERS.index(customer) * 37}",
            "business_reason": rnd.choice(("Customer asked for it in the QBR", "Renewal at risk without it",
                                           "Reduces manual work", "Required by auditors")),
            "category": rnd.choice(LISTS_BY_NAME["Category"].values),
            "source": rnd.choice(LISTS_BY_NAME["Source"].values),
            "requested_on": requested, "due_date": requested + dt.timedelta(days=rnd.randint(90, 400)),
            "expected_revenue": rnd.randrange(0, 500) * 1000, "retention_effect": rnd.randrange(0, 200) * 1000,
            "cost_estimate": rnd.randrange(10, 400) * 1000, "currency": "EUR",
            "function": rnd.choice(LISTS_BY_NAME["Function"].values),
            "effort_days": rnd.randrange(10, 300), "sponsor": rnd.choice(PEOPLE), "owner": rnd.choice(PEOPLE),
            "risk": rnd.choice(LISTS_BY_NAME["Risk"].values),
            "parent_id": rnd.choice(parents) if parents and rnd.random() < 0.7 else None,
            "strategic_fit": rnd.randint(1, 5), "confidence": rnd.randint(1, 5),
            "dependencies": None,
        })
        if n % 5 == 0 or n == 4:  # the PMO marked these for acceptance; some of them are broken
            rows[-1]["accept"] = "Yes"
        if rows[-1]["category"] == "Compliance":
            rows[-1]["regulation_ref"] = rnd.choice(("GDPR Art. 17", "SOX 404", "NIS2 Art. 21", "DORA Art. 11"))
    if clean:  # a separate stream: the broken sample stays the same draw for draw
        later = random.Random(seed + 2)
        for row in rows:
            if row["due_date"] <= as_of + dt.timedelta(days=30):
                row["due_date"] = as_of + dt.timedelta(days=later.randint(60, 300))
    else:
        _break_some(rows, as_of)
    return rows


def _break_some(rows: list[Row], as_of: dt.date) -> None:
    """The mistakes PMOs see every month, at fixed places so the demo reads the same each time.

    Every 6th request from the 4th on is broken; a shorter list simply has fewer broken ones.
    """
    past = as_of - dt.timedelta(days=30)
    mistakes = (
        lambda r, prev: r.update(sponsor=None),  # missing sponsor
        lambda r, prev: r.update(cost_estimate="approx. 50k"),  # text in a cost cell
        lambda r, prev: r.update(due_date=past, requested_on=past - dt.timedelta(days=60)),  # due date passed
        lambda r, prev: r.update(function="Engineering"),  # not in the Function list
        lambda r, prev: r.update({k: v for k, v in prev.items() if k != "request_id"}),  # sent twice
        lambda r, prev: r.update(due_date="15.09.2027"),  # a date typed as text
        lambda r, prev: r.update(parent_id="PR-999"),  # a parent that does not exist
        lambda r, prev: r.update(cost_estimate="125000"),  # a number stored as text
        lambda r, prev: r.update(category="customer value"),  # right value, wrong spelling
        lambda r, prev: r.update(request_id=prev["request_id"]),  # the same ID twice
        lambda r, prev: r.update(due_date=r["requested_on"] - dt.timedelta(days=10)),  # due before requested
        lambda r, prev: r.update(business_reason="   "),  # only blanks
        lambda r, prev: r.update(sponsor="J. Smith"),  # not on the People list
        lambda r, prev: r.update(category="Compliance", regulation_ref=None),  # compliance without regulation
        lambda r, prev: r.update(customer_name=prev["customer_name"], customer_id=prev["customer_id"],
                                 title=" ".join(reversed(prev["title"].split(" for ")))),  # same request, reworded
    )
    for n, index in enumerate(range(3, len(rows), 6)):
        mistakes[n % len(mistakes)](rows[index], dict(rows[index - 1]))
