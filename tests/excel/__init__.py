"""Tests of the Excel add-in: ribbon XML, the .xlam package, dispatch, install, CLI."""
