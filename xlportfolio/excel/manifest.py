"""What Excel is told about the buttons: the desktop add-in's ribbon XML and the Office add-in manifest.

Both come from the command registry (xlportfolio/registry.py) through the one jinja2 environment
(xlportfolio.excel.templates): one tab, a group per GROUPS entry, a button per ribbon command. The
ribbon's dispatch (xlportfolio.excel.ribbon), the add-in build and the server import this module;
it imports none of them, so the XML can be rendered without the command machinery.
"""
from __future__ import annotations

import uuid

from xlportfolio import registry
from xlportfolio.excel.templates import render
from xlportfolio.registry import Command

TITLE = "xlportfolio"
TAB_ID = "xlp_tab"
ON_ACTION = "XlpOnAction"  # the VBA callback in templates/xlportfolio.bas


def ribbon_groups(commands: list[Command] | None = None) -> list[dict]:
    """The ribbon's groups in GROUPS order, each with its buttons in registry order; empty
    groups are left out."""
    commands = registry.ribbon_commands() if commands is None else commands
    groups = []
    for name in registry.GROUPS:
        members = [c for c in commands if c.group == name]
        if members:
            groups.append({"id": "xlp_group_" + "".join(ch if ch.isalnum() else "_" for ch in name),
                           "label": name, "commands": members})
    return groups


def ribbon_xml() -> str:
    """customUI14.xml for the add-in: one tab, one group per GROUPS entry with buttons, one
    large button per ribbon command."""
    return render("customUI.xml.j2", tab_id=TAB_ID, tab_label=TITLE, groups=ribbon_groups(),
                  on_action=ON_ACTION)


def manifest_xml(base_url: str) -> str:
    """The Office add-in manifest (XML) for a server at `base_url` (https://host[:port]): one
    tab, a group per GROUPS entry with buttons, one ExecuteFunction button per ribbon command."""
    from xlportfolio import __version__

    base_url = base_url.strip().rstrip("/")
    if not base_url.lower().startswith("https://") or len(base_url) <= len("https://"):
        raise ValueError(f"{base_url!r}: Office add-ins load only over HTTPS with a trusted "
                         "certificate; give the server's URL as https://host[:port].")
    groups, n = [], 0
    for i, group in enumerate(ribbon_groups(), 1):
        buttons = []
        for c in group["commands"]:
            n += 1
            buttons.append({"control_id": c.control_id, "label": c.label, "tooltip": c.tooltip,
                            "resid": f"B{n}"})
        groups.append({"id": group["id"], "label": group["label"], "resid": f"G{i}.Label",
                       "commands": buttons})
    numbers = [p for p in __version__.split(".") if p.isdigit()][:4]
    version = ".".join(numbers + ["0"] * (4 - len(numbers)))
    return render("manifest.xml.j2", base_url=base_url, groups=groups, tab_id=TAB_ID, title=TITLE,
                  addin_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "xlportfolio:" + base_url)),
                  version=version,
                  description="Validate, score, gate and roll up the governed portfolio workbook.")
