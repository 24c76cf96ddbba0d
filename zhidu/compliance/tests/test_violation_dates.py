"""Violation date filters at the edges of the calendar (found by the API fuzz run, tests/fuzz)."""

from __future__ import annotations

import pytest

from zhidu.compliance.tests.factories import make_violation
from zhidu.org.services import api_token_create


@pytest.mark.parametrize(
    "query",
    ["date_from=0001-01-01", "date_to=9999-12-31", "date_from=0001-01-01&date_to=9999-12-31", "date_from=0001-01-02"],
)
def test_extreme_dates_filter_instead_of_failing(actors, client, query: str) -> None:  # type: ignore[no-untyped-def]
    violation = make_violation(actors.sales)
    key = api_token_create(actor=actors.director, name="t")[1]
    response = client.get(f"/api/compliance/violations?{query}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert [v["id"] for v in response.json()] == [violation.pk]


def test_extreme_dates_on_the_violations_page(actors, login) -> None:  # type: ignore[no-untyped-def]
    make_violation(actors.sales)
    response = login(actors.director).get("/compliance/?date_from=0001-01-01&date_to=9999-12-31")
    assert response.status_code == 200
