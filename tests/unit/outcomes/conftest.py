"""Fixtures for outcome tests: a finished campaign stored in the shared temp database."""

from __future__ import annotations

import pytest

from campaign.outcomes.frames import CampaignRows, read_campaign_rows
from campaign.store.db import Database
from tests.outcomes_factory import StoredCampaign, finished_campaign


@pytest.fixture
def finished(db: Database) -> StoredCampaign:
    return finished_campaign(db)


@pytest.fixture
def rows(db: Database, finished: StoredCampaign) -> CampaignRows:
    return read_campaign_rows(db, finished.name, transcripts=True)
