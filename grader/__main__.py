"""`python -m grader` runs the attnbank command line."""

from .cli import main

main()
