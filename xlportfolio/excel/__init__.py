"""The desktop Excel add-in (xlportfolio.xlam) and, optionally, the Office add-in manifest.

Everything here is generated from the command registry (xlportfolio/registry.py): the ribbon
XML, the add-in package and the Office manifest. A command added to the registry appears on
the ribbon after `xlportfolio addin build` (or `install`), with no VBA or XML edited by hand.

    build.py     build_addin(out) -> the .xlam (ribbon XML + one tiny VBA callback)
    install.py   copy xlwings' add-in and ours into Excel's startup folder, and back out
    cli.py       the `xlportfolio addin ...` sub-commands and `serve`
    templates.py where the jinja2 templates live, in a checkout and when installed
"""
