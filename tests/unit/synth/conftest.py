"""One small generated region shared by the synth tests (generation is deterministic)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pytest

from sanyi.synth.api import RegionRequest, SyntheticRegion


@dataclass
class Generated:
    region: SyntheticRegion
    tables: dict[str, pa.Table]


def generate_tables(request: RegionRequest) -> Generated:
    region = SyntheticRegion(request)
    chunks = list(region.iter_chunks())
    tables = dict(region.static_tables())
    for name in chunks[0]:
        tables[name] = pa.concat_tables([chunk[name] for chunk in chunks])
    return Generated(region, tables)


@pytest.fixture(scope="session")
def small_region() -> Generated:
    return generate_tables(RegionRequest("wenzhou", 3000, 2023, 11, chunk_size=1500))
