"""Install the xlportfolio ribbon into Excel: python install_addin.py [--dry-run] [--uninstall]

The same command as `xlportfolio addin install` (xlportfolio/excel/cli.py), with the same
options and messages; see xlportfolio/excel/addin_install.py for every step.
"""
import sys

import typer

from xlportfolio.excel.cli import addin_app

if __name__ == "__main__":
    # `addin install` on its own, so that its usage line reads "install_addin.py [OPTIONS]".
    typer.main.get_command(addin_app).get_command(None, "install").main(sys.argv[1:], prog_name="install_addin.py")
