"""A two-office instance with the Kemendagri codes a NIK starts with, for registration tests."""

from __future__ import annotations

import pandas as pd
import pytest

import allocator


@pytest.fixture(scope="session")
def two_offices() -> allocator.Instance:
    """Offices 3171 and 3273 (province 'Jawa'), March-May 2017, categories backlog and new."""
    nodes = pd.DataFrame(
        {
            "id": ["VENDOR", "3171", "3273"],
            "name": ["Vendor", "Jakarta Selatan", "Kota Bandung"],
            "kind": ["source", "office", "office"],
            "region": ["Jawa", "Jawa", "Jawa"],
        }
    )
    links = pd.DataFrame(
        {"id": ["V>3171", "V>3273"], "from": ["VENDOR", "VENDOR"], "to": ["3171", "3273"]}
    )
    supply = pd.DataFrame({"node": ["VENDOR"], "period": ["2017-03"], "quantity": [10]})
    return allocator.Instance.from_frames(
        name="two-offices",
        start="2017-03",
        periods=3,
        categories={"backlog": 2.0, "new": 1.0},
        nodes=nodes,
        links=links,
        supply=supply,
    )
