"""The Excel front end: the desktop add-in (xlportfolio.xlam), xlwings Server for Excel on the web,
and the templates both are made of.

Everything here is generated from the command registry (xlportfolio/registry.py): the ribbon
XML, the add-in package, the Office manifest and the task pane. A command added to the registry
appears on the ribbon after `xlportfolio addin build` (or `install`), with no VBA or XML edited by hand.

    templates.py        the one jinja2 environment and where its templates are (templates/, package data)
    manifest.py         the ribbon XML (customUI14) and the Office add-in manifest
    ribbon.py           dispatch: the one function the add-in's VBA calls, and its message box
    addin_build.py      build_addin(out) -> the .xlam (ribbon XML + one tiny VBA callback)
    addin_install.py    copy xlwings' add-in and ours into Excel's startup folder, and back out
    addin_steps.py      the steps of an install and the record kept for --uninstall
    server.py           the xlwings Server app (create_app), its task pane and alert page
    server_guard.py     who may call, and how much: tokens, body size, timeout, the call log
    server_settings.py  the server's settings, from the command line or the environment
    cli.py              the `xlportfolio addin ...` sub-commands and `serve` (an entry module)

Imports run one way, templates.py at the bottom: nothing here imports a module that imports it
back, and the entry modules (cli.py, server.py's app) are imported only where they are mounted
(tests/excel/test_front_end_imports.py).
"""
