"""`python -m xlportfolio` runs the command line."""
from xlportfolio.cli import main

main()
