"""Install the xlportfolio ribbon into Excel: python install_addin.py [--dry-run] [--uninstall]

The same as `xlportfolio addin install`; see xlportfolio/excel/addin_install.py for every step.
"""
from xlportfolio.excel.addin_install import main

if __name__ == "__main__":
    main()
