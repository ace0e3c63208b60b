"""`python -m xlportfolio` runs the command line."""
from .cli import main

main()
