"""Clearing a region (``sanyi synth --replace``) also clears its tiered care, which refers to it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.registry.api import residents
from sanyi.synth.api import (
    DatabaseSink,
    RegionRequest,
    TieredTargets,
    clear_region,
    generate,
    generate_tiered,
)
from sanyi.tiered.api import contracts

pytestmark = pytest.mark.db


def test_clear_region_removes_tiered_rows_first(container: Container) -> None:
    generate(RegionRequest("wenzhou", 150, 2023, 2), [DatabaseSink(container.engine)])
    generate_tiered(container.engine, 2023, 2, TieredTargets(signing=0.5, referral_share=0.05))
    with container.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(contracts)).scalar_one() > 0
    clear_region(container.engine)
    with container.engine.connect() as connection:
        for table in (contracts, residents):
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0
