"""The outcome names in `export --help` are the ones the export knows."""

from campaign.cli.export import OUTCOMES as HELP_OUTCOMES
from campaign.outcomes.results import OUTCOMES


def test_export_help_lists_the_export_outcomes() -> None:
    assert tuple(HELP_OUTCOMES) == tuple(OUTCOMES)
