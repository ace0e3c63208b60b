"""Install the xlportfolio ribbon into Excel: python install_addin.py [--dry-run] [--uninstall]

The same as `xlportfolio addin install`; see xlportfolio/addin/install.py for every step.
"""
from xlportfolio.addin.install import main

if __name__ == "__main__":
    main()
