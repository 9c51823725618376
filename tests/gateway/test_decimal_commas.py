"""Decimal commas (`57,0`, as European spreadsheets write them): detected when the delimiter
is not a comma, or chosen with the `decimal` upload option; the stored CSV has decimal
points, so the sandbox's `pd.read_csv` and the dataset card see numbers (issue 13 item 13)."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from gateway.datasets import parse_dataset, summarize
from services.common.errors import AscentError
from tests.gateway.conftest import GatewayUnderTest
from tests.gateway.test_notebook_pages import HX, notebook

EUROPEAN = "\n".join(
    [
        "nom;taille;poids;code;classe",
        "Ana;57,0;12,5;A1;oui",
        "Ben;60,25;13;B2;non",
        "Cleo;-1,5;14,75;C3;oui",
        "Dan;62,0;15;D4;non",
    ]
).encode("utf-8")


def stored(content: bytes) -> pd.DataFrame:
    """The stored CSV as the sandbox reads it: pandas' defaults."""
    return pd.read_csv(io.BytesIO(content))


def test_auto_detects_decimal_commas_with_a_semicolon() -> None:
    parsed = parse_dataset(EUROPEAN, 100)
    assert parsed.decimal == "comma"
    assert parsed.decimal_columns == ["taille", "poids"]
    frame = stored(parsed.content)
    assert frame["taille"].tolist() == [57.0, 60.25, -1.5, 62.0]
    assert frame["poids"].tolist() == [12.5, 13.0, 14.75, 15.0]
    # Text stays text: names, codes and the labels are not numbers.
    assert frame["code"].tolist() == ["A1", "B2", "C3", "D4"]
    assert parsed.preview[0]["taille"] == 57.0
    # The dataset card charts them (a text column had no histogram).
    card = summarize(stored(parsed.content), "classe", "fr.csv")
    assert {"taille", "poids"} <= set(card.histograms)
    # The card made at upload from the checked frame is the card of the stored file.
    assert parsed.frame is not None
    assert summarize(parsed.frame, "classe", "fr.csv") == card


def test_point_keeps_them_as_text_and_comma_reads_thousands() -> None:
    parsed = parse_dataset(EUROPEAN, 100, decimal="point")
    assert parsed.decimal == "point" and parsed.decimal_columns == []
    assert stored(parsed.content)["taille"].tolist()[0] == "57,0"

    spreadsheet = b"prix;article;ok\n1.234,5;pain;1\n2,5;lait;0\n10;eau;1\n"
    parsed = parse_dataset(spreadsheet, 100, decimal="comma")
    assert parsed.decimal_columns == ["prix"]
    assert stored(parsed.content)["prix"].tolist() == [1234.5, 2.5, 10.0]


def test_auto_leaves_comma_separated_files_and_mixed_columns_alone() -> None:
    # In a comma-separated file a quoted "1,5" is more likely a pair than a number.
    quoted = b'a,b,c\n"1,5",x,1\n"2,5",y,0\n'
    parsed = parse_dataset(quoted, 100)
    assert parsed.decimal_columns == [] and parsed.content == quoted
    # A column with one value that is not a number stays text.
    mixed = b"a;b;c\n1,5;x;1\nn/a 2;y;0\n"
    assert parse_dataset(mixed, 100).decimal_columns == []
    with pytest.raises(AscentError, match="Unknown decimal"):
        parse_dataset(EUROPEAN, 100, decimal="dot")


async def test_upload_page_offers_and_reports_the_option(gateway: GatewayUnderTest) -> None:
    client, nid, csrf = await notebook(gateway, "page-decimal")
    async with contextlib.aclosing(client):
        page = await client.get(f"/notebook/{nid}")
        assert 'name="decimal"' in page.text
        response = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("fr.csv", EUROPEAN, "text/csv")},
            headers={**HX, **csrf},
        )
        assert response.status_code == 200, response.text
        assert "decimal commas read as numbers in taille, poids" in response.text
        download = await client.get(f"/notebook/{nid}/dataset.csv")
        assert stored(download.content)["taille"].dtype.kind == "f"
        dashboard = await client.get(f"/notebook/{nid}/dashboard", headers=HX)
        assert "taille" in dashboard.text

        kept = await client.post(
            f"/notebook/{nid}/dataset",
            files={"file": ("fr.csv", EUROPEAN, "text/csv")},
            data={"decimal": "point"},
            headers={**HX, **csrf},
        )
        assert kept.status_code == 200 and "decimal commas" not in kept.text
        download = await client.get(f"/notebook/{nid}/dataset.csv")
        assert stored(download.content)["taille"].tolist()[0] == "57,0"
