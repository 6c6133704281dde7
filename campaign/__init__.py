"""campaign: batch outbound call campaigns on the Voicy API.

The package is usable as a library; the CLI (`python -m campaign`) is a thin layer on top.
"""

__version__ = "0.1.0"
